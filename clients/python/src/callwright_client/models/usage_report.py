from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_report_group_by import UsageReportGroupBy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_group import UsageGroup


T = TypeVar("T", bound="UsageReport")


@_attrs_define
class UsageReport:
    """
    Attributes:
        group_by (UsageReportGroupBy):
        start (datetime.datetime | None):
        end (datetime.datetime | None):
        total (UsageGroup):
        data (list[UsageGroup]):
        object_ (Literal['usage'] | Unset):  Default: 'usage'.
    """

    group_by: UsageReportGroupBy
    start: datetime.datetime | None
    end: datetime.datetime | None
    total: UsageGroup
    data: list[UsageGroup]
    object_: Literal["usage"] | Unset = "usage"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group_by = self.group_by.value

        start: str | None
        if isinstance(self.start, datetime.datetime):
            start = self.start.isoformat()
        else:
            start = self.start

        end: str | None
        if isinstance(self.end, datetime.datetime):
            end = self.end.isoformat()
        else:
            end = self.end

        total = self.total.to_dict()

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group_by": group_by,
                "start": start,
                "end": end,
                "total": total,
                "data": data,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_group import UsageGroup

        d = dict(src_dict)
        group_by = UsageReportGroupBy(d.pop("group_by"))

        def _parse_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_type_0 = datetime.datetime.fromisoformat(data)

                return start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        start = _parse_start(d.pop("start"))

        def _parse_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_type_0 = datetime.datetime.fromisoformat(data)

                return end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        end = _parse_end(d.pop("end"))

        total = UsageGroup.from_dict(d.pop("total"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = UsageGroup.from_dict(data_item_data)

            data.append(data_item)

        object_ = cast(Literal["usage"] | Unset, d.pop("object", UNSET))
        if object_ != "usage" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'usage', got '{object_}'")

        usage_report = cls(
            group_by=group_by,
            start=start,
            end=end,
            total=total,
            data=data,
            object_=object_,
        )

        usage_report.additional_properties = d
        return usage_report

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
