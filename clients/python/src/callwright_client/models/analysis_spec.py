from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.analysis_spec_data_schema_type_0 import AnalysisSpecDataSchemaType0


T = TypeVar("T", bound="AnalysisSpec")


@_attrs_define
class AnalysisSpec:
    """Agent field `analysis`: what is worked out of a session once it ended.

    Attributes:
        summary (bool | Unset):  Default: True.
        success_criteria (None | str | Unset):
        data_schema (AnalysisSpecDataSchemaType0 | None | Unset):
        instructions (None | str | Unset):
    """

    summary: bool | Unset = True
    success_criteria: str | Unset | None = UNSET
    data_schema: AnalysisSpecDataSchemaType0 | Unset | None = UNSET
    instructions: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.analysis_spec_data_schema_type_0 import AnalysisSpecDataSchemaType0

        summary = self.summary

        success_criteria: str | Unset | None
        if isinstance(self.success_criteria, Unset):
            success_criteria = UNSET
        else:
            success_criteria = self.success_criteria

        data_schema: dict[str, Any] | Unset | None
        if isinstance(self.data_schema, Unset):
            data_schema = UNSET
        elif isinstance(self.data_schema, AnalysisSpecDataSchemaType0):
            data_schema = self.data_schema.to_dict()
        else:
            data_schema = self.data_schema

        instructions: str | Unset | None
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if summary is not UNSET:
            field_dict["summary"] = summary
        if success_criteria is not UNSET:
            field_dict["success_criteria"] = success_criteria
        if data_schema is not UNSET:
            field_dict["data_schema"] = data_schema
        if instructions is not UNSET:
            field_dict["instructions"] = instructions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.analysis_spec_data_schema_type_0 import AnalysisSpecDataSchemaType0

        d = dict(src_dict)
        summary = d.pop("summary", UNSET)

        def _parse_success_criteria(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        success_criteria = _parse_success_criteria(d.pop("success_criteria", UNSET))

        def _parse_data_schema(data: object) -> AnalysisSpecDataSchemaType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_schema_type_0 = AnalysisSpecDataSchemaType0.from_dict(data)

                return data_schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalysisSpecDataSchemaType0 | None | Unset, data)

        data_schema = _parse_data_schema(d.pop("data_schema", UNSET))

        def _parse_instructions(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))

        analysis_spec = cls(
            summary=summary,
            success_criteria=success_criteria,
            data_schema=data_schema,
            instructions=instructions,
        )

        return analysis_spec
