from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.tool_call_outcome_type_0 import ToolCallOutcomeType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tool_call_arguments_type_0 import ToolCallArgumentsType0


T = TypeVar("T", bound="ToolCall")


@_attrs_define
class ToolCall:
    """A tool the agent ran (role `tool`; `content` is the tool's name), written by
    `callwright_shared.tools.executor.record_of` from a call's outcome.

    `arguments` are the model's (never a secret header); `output` is an excerpt of what
    the model was given back (the answer, or the short error). `outcome`: `ok`;
    `tool_error` (a 2xx answer `{"error": …}`); `http_error` (a non-2xx); `timeout`;
    `invalid_arguments` (they did not match the tool's schema; nothing was sent);
    `invalid_response`; `refused` (a private address the operator does not allow);
    `unreachable`; and for the built-ins `ended` / `transferred`.

        Attributes:
            name (str):
            call_id (None | str | Unset):
            arguments (None | ToolCallArgumentsType0 | Unset):
            output (None | str | Unset):
            is_error (bool | Unset):  Default: False.
            http_status (int | None | Unset):
            latency_ms (float | None | Unset):
            outcome (None | ToolCallOutcomeType0 | Unset):
    """

    name: str
    call_id: str | Unset | None = UNSET
    arguments: ToolCallArgumentsType0 | Unset | None = UNSET
    output: str | Unset | None = UNSET
    is_error: bool | Unset = False
    http_status: int | Unset | None = UNSET
    latency_ms: float | Unset | None = UNSET
    outcome: ToolCallOutcomeType0 | Unset | None = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.tool_call_arguments_type_0 import ToolCallArgumentsType0

        name = self.name

        call_id: str | Unset | None
        if isinstance(self.call_id, Unset):
            call_id = UNSET
        else:
            call_id = self.call_id

        arguments: dict[str, Any] | Unset | None
        if isinstance(self.arguments, Unset):
            arguments = UNSET
        elif isinstance(self.arguments, ToolCallArgumentsType0):
            arguments = self.arguments.to_dict()
        else:
            arguments = self.arguments

        output: str | Unset | None
        if isinstance(self.output, Unset):
            output = UNSET
        else:
            output = self.output

        is_error = self.is_error

        http_status: int | Unset | None
        if isinstance(self.http_status, Unset):
            http_status = UNSET
        else:
            http_status = self.http_status

        latency_ms: float | Unset | None
        if isinstance(self.latency_ms, Unset):
            latency_ms = UNSET
        else:
            latency_ms = self.latency_ms

        outcome: str | Unset | None
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, ToolCallOutcomeType0):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if call_id is not UNSET:
            field_dict["call_id"] = call_id
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if output is not UNSET:
            field_dict["output"] = output
        if is_error is not UNSET:
            field_dict["is_error"] = is_error
        if http_status is not UNSET:
            field_dict["http_status"] = http_status
        if latency_ms is not UNSET:
            field_dict["latency_ms"] = latency_ms
        if outcome is not UNSET:
            field_dict["outcome"] = outcome

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_call_arguments_type_0 import ToolCallArgumentsType0

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_call_id(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        call_id = _parse_call_id(d.pop("call_id", UNSET))

        def _parse_arguments(data: object) -> ToolCallArgumentsType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                arguments_type_0 = ToolCallArgumentsType0.from_dict(data)

                return arguments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ToolCallArgumentsType0 | Unset, data)

        arguments = _parse_arguments(d.pop("arguments", UNSET))

        def _parse_output(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        output = _parse_output(d.pop("output", UNSET))

        is_error = d.pop("is_error", UNSET)

        def _parse_http_status(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        http_status = _parse_http_status(d.pop("http_status", UNSET))

        def _parse_latency_ms(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        latency_ms = _parse_latency_ms(d.pop("latency_ms", UNSET))

        def _parse_outcome(data: object) -> ToolCallOutcomeType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_0 = ToolCallOutcomeType0(data)

                return outcome_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ToolCallOutcomeType0 | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))

        tool_call = cls(
            name=name,
            call_id=call_id,
            arguments=arguments,
            output=output,
            is_error=is_error,
            http_status=http_status,
            latency_ms=latency_ms,
            outcome=outcome,
        )

        tool_call.additional_properties = d
        return tool_call

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
