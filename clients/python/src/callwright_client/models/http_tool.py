from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.http_tool_method import HttpToolMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.http_tool_headers import HttpToolHeaders
    from ..models.http_tool_parameters import HttpToolParameters
    from ..models.tool_messages import ToolMessages


T = TypeVar("T", bound="HttpTool")


@_attrs_define
class HttpTool:
    """A request to the tenant's server; the model fills `parameters` (a JSON Schema).

    Attributes:
        type_ (Literal['http']):
        name (str):
        description (str):
        url (str):
        parameters (HttpToolParameters | Unset):
        method (HttpToolMethod | Unset):  Default: HttpToolMethod.POST.
        headers (HttpToolHeaders | Unset):
        secret_headers (Any | Unset):
        timeout_ms (int | Unset):  Default: 10000.
        messages (ToolMessages | Unset): What the agent says while a tool runs (`waiting`, once it has waited
            `waiting_after_ms`) and when it fails (`failed`; without it the model is told the
            short error and answers in its own words).
        max_result_chars (int | Unset):  Default: 4000.
    """

    type_: Literal["http"]
    name: str
    description: str
    url: str
    parameters: HttpToolParameters | Unset = UNSET
    method: HttpToolMethod | Unset = HttpToolMethod.POST
    headers: HttpToolHeaders | Unset = UNSET
    secret_headers: Any | Unset = UNSET
    timeout_ms: int | Unset = 10000
    messages: ToolMessages | Unset = UNSET
    max_result_chars: int | Unset = 4000

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        description = self.description

        url = self.url

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        method: str | Unset = UNSET
        if not isinstance(self.method, Unset):
            method = self.method.value

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        secret_headers = self.secret_headers

        timeout_ms = self.timeout_ms

        messages: dict[str, Any] | Unset = UNSET
        if not isinstance(self.messages, Unset):
            messages = self.messages.to_dict()

        max_result_chars = self.max_result_chars

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "description": description,
                "url": url,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if method is not UNSET:
            field_dict["method"] = method
        if headers is not UNSET:
            field_dict["headers"] = headers
        if secret_headers is not UNSET:
            field_dict["secret_headers"] = secret_headers
        if timeout_ms is not UNSET:
            field_dict["timeout_ms"] = timeout_ms
        if messages is not UNSET:
            field_dict["messages"] = messages
        if max_result_chars is not UNSET:
            field_dict["max_result_chars"] = max_result_chars

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.http_tool_headers import HttpToolHeaders
        from ..models.http_tool_parameters import HttpToolParameters
        from ..models.tool_messages import ToolMessages

        d = dict(src_dict)
        type_ = cast(Literal["http"], d.pop("type"))
        if type_ != "http":
            raise ValueError(f"type must match const 'http', got '{type_}'")

        name = d.pop("name")

        description = d.pop("description")

        url = d.pop("url")

        _parameters = d.pop("parameters", UNSET)
        parameters: HttpToolParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = HttpToolParameters.from_dict(_parameters)

        _method = d.pop("method", UNSET)
        method: HttpToolMethod | Unset
        if isinstance(_method, Unset):
            method = UNSET
        else:
            method = HttpToolMethod(_method)

        _headers = d.pop("headers", UNSET)
        headers: HttpToolHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = HttpToolHeaders.from_dict(_headers)

        secret_headers = d.pop("secret_headers", UNSET)

        timeout_ms = d.pop("timeout_ms", UNSET)

        _messages = d.pop("messages", UNSET)
        messages: ToolMessages | Unset
        if isinstance(_messages, Unset):
            messages = UNSET
        else:
            messages = ToolMessages.from_dict(_messages)

        max_result_chars = d.pop("max_result_chars", UNSET)

        http_tool = cls(
            type_=type_,
            name=name,
            description=description,
            url=url,
            parameters=parameters,
            method=method,
            headers=headers,
            secret_headers=secret_headers,
            timeout_ms=timeout_ms,
            messages=messages,
            max_result_chars=max_result_chars,
        )

        return http_tool
