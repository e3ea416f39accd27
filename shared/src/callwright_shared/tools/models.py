"""What an agent may call: `HttpTool` (a request to the tenant's own server),
`EndCallTool` (the agent ends the call after its goodbye) and `TransferTool` (another agent
of the same organization takes over), validated as they are saved; and `raw_schema(tool)`,
what the model is given.

Secret headers are write-only. They are `SecretStr` in memory (masked in every repr and
log line), dumped as `"[redacted]"` in JSON unless the dump is for storage
(`STORE = {"reveal_secrets": True}` as the serialization context), and kept across a
PATCH that sends a tool of the same name without them (`checks.keep_secrets`). They are
not encrypted at rest: the same database already holds the organization's signing secret
and its webhook secrets in the clear, and an encryption key on the same host would not
change who can read them.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FieldSerializationInfo,
    SecretStr,
    field_serializer,
    field_validator,
)
from pydantic_core import PydanticCustomError

from callwright_shared import outbound
from callwright_shared.errors import InvalidRequestError
from callwright_shared.ids import AGENT_ID_PATTERN
from callwright_shared.text import MultiLine, SingleLine
from callwright_shared.tools.schema import schema_problem

MAX_TOOLS = 32
REDACTED = "[redacted]"
# The serialization context of a dump that is stored (the agent row, a session's
# snapshot): secret header values are written out only there.
STORE: dict[str, Any] = {"reveal_secrets": True}
_STRICT = ConfigDict(extra="forbid", strict=True)
_NAME = r"^[a-zA-Z0-9_-]{1,64}$"
# RFC 9110 token characters.
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
# Headers callwright sets itself (or HTTP does): a tenant's header may not replace them.
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "user-agent",
        "callwright-tool",
        "idempotency-key",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
)
_MAX_HEADERS = 20
# A header value is sent as bytes: only visible ASCII and the space encode the same in
# every client (docs/security.md#header-values-are-visible-ascii).
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,4096}")


# -- the models ---------------------------------------------------------------------------


class ToolMessages(BaseModel):
    """What the agent says while a tool runs (`waiting`, once it has waited
    `waiting_after_ms`) and when it fails (`failed`; without it the model is told the
    short error and answers in its own words)."""

    model_config = _STRICT

    waiting: SingleLine | None = Field(None, min_length=1, max_length=500)
    waiting_after_ms: int = Field(1500, ge=0, le=60_000)
    failed: SingleLine | None = Field(None, min_length=1, max_length=500)


def _check_name(value: str) -> str:
    # livekit-agents reserves `lk_` for its own tools (e.g. lk_agents_cancel_task).
    if value.startswith("lk_"):
        raise PydanticCustomError("tool_name", "must not start with lk_ (reserved)")
    return value


def _empty_object() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


def _check_headers(value: Mapping[str, Any], *, secret: bool) -> None:
    if len(value) > _MAX_HEADERS:
        raise PydanticCustomError("headers", f"at most {_MAX_HEADERS} headers")
    for name, raw in value.items():
        if not _HEADER_NAME.fullmatch(name):
            raise PydanticCustomError("headers", "header names are letters, digits and -_.")
        if name.lower() in _RESERVED_HEADERS:
            raise PydanticCustomError("headers", f"{name} is set by callwright")
        text = raw.get_secret_value() if isinstance(raw, SecretStr) else raw
        if not isinstance(text, str) or not _HEADER_VALUE.fullmatch(text):
            kind = "secret header" if secret else "header"
            raise PydanticCustomError(
                "headers", f"{kind} {name}: 1 to 4096 visible ASCII characters or spaces"
            )


class HttpTool(BaseModel):
    """A request to the tenant's server; the model fills `parameters` (a JSON Schema)."""

    model_config = _STRICT

    type: Literal["http"]
    name: str = Field(pattern=_NAME)
    description: MultiLine = Field(min_length=1, max_length=2_000)
    parameters: dict[str, Any] = Field(default_factory=_empty_object)
    url: SingleLine = Field(min_length=1, max_length=2_048, pattern=r"^[^#]*$")
    method: outbound.Method = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    # Write-only: never in an API answer or a log line (see the module's docstring).
    secret_headers: dict[str, SecretStr] = Field(default_factory=dict)
    timeout_ms: int = Field(10_000, ge=100, le=60_000)
    messages: ToolMessages = Field(default_factory=ToolMessages)
    max_result_chars: int = Field(4_000, ge=100, le=20_000)

    _name = field_validator("name")(_check_name)

    @field_validator("parameters")
    @classmethod
    def _portable_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = schema_problem(value, gemini=False)
        if problem:
            raise PydanticCustomError("tool_parameters", problem)
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        _check_headers(value, secret=False)
        return value

    @field_validator("secret_headers")
    @classmethod
    def _secret_headers(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        _check_headers(value, secret=True)
        return value

    @field_serializer("secret_headers")
    def _redact(self, value: dict[str, SecretStr], info: FieldSerializationInfo) -> Any:
        if info.mode != "json":
            return value
        if info.context and info.context.get("reveal_secrets"):
            return {name: secret.get_secret_value() for name, secret in value.items()}
        return {name: REDACTED for name in value}


class EndCallTool(BaseModel):
    """The agent ends the call (`agent_ended`) once its goodbye has played."""

    model_config = _STRICT

    type: Literal["end_call"]
    name: str = Field("end_call", pattern=_NAME)
    description: MultiLine = Field(
        "End the call when the conversation is over or the user asks to hang up.",
        min_length=1,
        max_length=2_000,
    )
    # Said before the call ends; without it the model says its own goodbye.
    goodbye: SingleLine | None = Field(None, min_length=1, max_length=500)

    _name = field_validator("name")(_check_name)


class TransferTool(BaseModel):
    """Another agent of the same organization takes over the conversation, in the same
    room (its instructions and tools from then on)."""

    model_config = _STRICT

    type: Literal["transfer"]
    name: str = Field("transfer", pattern=_NAME)
    agent_id: str = Field(pattern=AGENT_ID_PATTERN.pattern)
    description: MultiLine = Field(min_length=1, max_length=2_000)

    _name = field_validator("name")(_check_name)


Tool = Annotated[HttpTool | EndCallTool | TransferTool, Field(discriminator="type")]


def check_unique_names(tools: Sequence[HttpTool | EndCallTool | TransferTool]) -> None:
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        if tool.name in seen:
            raise InvalidRequestError(
                f"tools.{index}.name: '{tool.name}' is used by another tool of this agent",
                param=f"tools.{index}.name",
            )
        seen.add(tool.name)


# -- what the model is given ------------------------------------------------------------


def raw_schema(tool: HttpTool | EndCallTool | TransferTool) -> dict[str, Any]:
    """For `function_tool(handler, raw_schema=...)` and Chat Completions' `tools`
    (`{"type": "function", "function": raw_schema(tool)}`)."""
    parameters = tool.parameters if isinstance(tool, HttpTool) else _empty_object()
    return {"name": tool.name, "description": tool.description, "parameters": parameters}
