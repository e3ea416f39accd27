from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.analysis_info_status import AnalysisInfoStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.analysis_info_data_type_0 import AnalysisInfoDataType0


T = TypeVar("T", bound="AnalysisInfo")


@_attrs_define
class AnalysisInfo:
    """A session's `analysis`.

    Attributes:
        status (AnalysisInfoStatus):
        summary (None | str | Unset):
        success (bool | None | Unset):
        data (AnalysisInfoDataType0 | None | Unset):
        model (None | str | Unset):
        completed_at (datetime.datetime | None | Unset):
        error (None | str | Unset):
    """

    status: AnalysisInfoStatus
    summary: str | Unset | None = UNSET
    success: bool | Unset | None = UNSET
    data: AnalysisInfoDataType0 | Unset | None = UNSET
    model: str | Unset | None = UNSET
    completed_at: datetime.datetime | Unset | None = UNSET
    error: str | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.analysis_info_data_type_0 import AnalysisInfoDataType0

        status = self.status.value

        summary: str | Unset | None
        if isinstance(self.summary, Unset):
            summary = UNSET
        else:
            summary = self.summary

        success: bool | Unset | None
        if isinstance(self.success, Unset):
            success = UNSET
        else:
            success = self.success

        data: dict[str, Any] | Unset | None
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, AnalysisInfoDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        model: str | Unset | None
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        completed_at: str | Unset | None
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        error: str | Unset | None
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if summary is not UNSET:
            field_dict["summary"] = summary
        if success is not UNSET:
            field_dict["success"] = success
        if data is not UNSET:
            field_dict["data"] = data
        if model is not UNSET:
            field_dict["model"] = model
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.analysis_info_data_type_0 import AnalysisInfoDataType0

        d = dict(src_dict)
        status = AnalysisInfoStatus(d.pop("status"))

        def _parse_summary(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))

        def _parse_success(data: object) -> bool | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        success = _parse_success(d.pop("success", UNSET))

        def _parse_data(data: object) -> AnalysisInfoDataType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = AnalysisInfoDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalysisInfoDataType0 | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        def _parse_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_completed_at(data: object) -> datetime.datetime | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_error(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        analysis_info = cls(
            status=status,
            summary=summary,
            success=success,
            data=data,
            model=model,
            completed_at=completed_at,
            error=error,
        )

        analysis_info.additional_properties = d
        return analysis_info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
