"""Agent tools (SPEC §10, issue 14): what an agent may call, validated once, run one way.

An agent's `tools` (every architecture) are `HttpTool`s (a request to the tenant's own
server), `EndCallTool` (the agent ends the call after its goodbye) and `TransferTool`
(another agent of the same organization takes over). This module owns:

- the models and their checks at save: names, the parameters' JSON Schema (a portable
  subset of Draft 2020-12; stricter where the agent may run on Gemini Live, whose
  `types.Schema` accepts less), the URL (`check_tools`, the operator's address policy),
  transfer targets (`check_transfer_targets`);
- `raw_schema(tool)`: the `{"name", "description", "parameters"}` that livekit-agents'
  `function_tool(handler, raw_schema=...)` and Chat Completions' `tools` take;
- the executor `call_http_tool`: validates the model's arguments, sends one signed
  request, and turns any answer into a `ToolOutcome` the model can read;
- `record_of`: the typed transcript record of a call (call_records.ToolCall);
- the organization's signing secret (`signing_secret_of`, `rotate_signing_secret`).

Secret headers are write-only. They are `SecretStr` in memory (masked in every repr and
log line), dumped as `"[redacted]"` in JSON unless the dump is for storage
(`STORE = {"reveal_secrets": True}` as the serialization context), and kept across a
PATCH that sends a tool of the same name without them (`keep_secrets`). They are not
encrypted at rest: the same database already holds the organization's signing secret
and its webhook secrets in the clear, and an encryption key on the same host would not
change who can read them.

The request (one body for every tool; a GET sends the arguments as query and no body,
and its signature covers `{"query":"<the raw query string>"}`, see `get_signed_content`):

    POST <url>
    content-type: application/json
    user-agent: callwright-tools/1
    idempotency-key: <session id>:<call id>
    webhook-id / webhook-timestamp / webhook-signature   (Standard Webhooks)
    {"type": "tool.call", "timestamp": "<ISO 8601>",
     "data": {"tool": {"name", "call_id"}, "arguments": {...},
              "session": {"id", "agent_id", "user_id", "kind", "metadata"}}}

Any 2xx answer goes to the model: `{"result": X}` as X, other JSON as it is, any other
text as text, cut at `max_result_chars`; a 2xx `{"error": "..."}` is the tool's own error.
A non-2xx, a timeout, an answer that is not text, or a refused address is a short error
("lookup_order failed (HTTP 500)"). Nothing is retried but a GET that could not connect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
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
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared import outbound, tool_arguments
from callwright_shared.call_records import ToolCall, ToolOutcomeName
from callwright_shared.db.models import Agent, Organization
from callwright_shared.errors import InvalidRequestError, NotFoundError, OutboundAddressError
from callwright_shared.ids import AGENT_ID_PATTERN
from callwright_shared.text import MultiLine, SingleLine, has_control_characters

logger = logging.getLogger(__name__)

MAX_TOOLS = 32
REDACTED = "[redacted]"
# The serialization context of a dump that is stored (the agent row, a session's
# snapshot): secret header values are written out only there.
STORE: dict[str, Any] = {"reveal_secrets": True}
USER_AGENT = "callwright-tools/1"
TOOL_TYPES = ("http", "end_call", "transfer")
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
        "idempotency-key",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
)
_MAX_HEADERS = 20
# A 2xx answer longer than this is not read further (an invalid answer).
MAX_RESPONSE_BYTES = 256 * 1024
_ERROR_CHARS = 300


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
        if not text or len(text) > 4096 or has_control_characters(text):
            kind = "secret header" if secret else "header"
            raise PydanticCustomError(
                "headers", f"{kind} {name}: 1 to 4096 characters, no control characters"
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


def error_param(loc: Sequence[str | int]) -> str | None:
    """The `param` of a pydantic error's location, without the union tag pydantic puts
    after a tool's index (`tools.0.http.parameters` → `tools.0.parameters`)."""
    parts = [str(p) for p in loc]
    kept = [
        part
        for i, part in enumerate(parts)
        if not (part in TOOL_TYPES and i >= 2 and parts[i - 2] == "tools")
    ]
    return ".".join(kept) or None


# Self-hosters are often their own operator: say which setting opens local tool servers.
_PRIVATE_HINT = (
    "plain http and private or loopback addresses need the operator's "
    "CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS=true (`callwright dev` sets it)"
)


# -- the parameters' schema ---------------------------------------------------------------

_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
# Keywords every model callwright runs honours or safely ignores. Not: $ref/$defs (not
# resolved by every provider), $schema (crashed Gemini, livekit/agents#4334), combinators
# (anyOf/oneOf/allOf/not/if), const and default (Gemini drops or rewrites them, so the
# model would see a different contract than the executor checks).
_KEYWORDS = frozenset(
    {
        "type",
        "description",
        "title",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "format",
    }
)
# Gemini's `types.Schema.format`: what the Gemini API documents per type.
_GEMINI_FORMATS = frozenset({"enum", "date-time", "float", "double", "int32", "int64"})
_PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
_MAX_DEPTH = 6
_MAX_SCHEMA_CHARS = 16_000


def schema_problem(schema: Any, *, gemini: bool) -> str | None:
    """Why `schema` cannot be a tool's parameters (None: it can). `gemini`: the agent may
    run on Gemini Live, which accepts only string enums and a few formats."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return 'must be a JSON Schema object with "type": "object"'
    try:
        size = len(json.dumps(schema))
    except (TypeError, ValueError):
        return "must be JSON"
    if size > _MAX_SCHEMA_CHARS:
        return f"at most {_MAX_SCHEMA_CHARS} characters of JSON"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message[:200]}"
    problem = _node_problem(schema, path="", depth=0, gemini=gemini)
    return problem or tool_arguments.pattern_problem(schema)


def _node_problem(node: Any, *, path: str, depth: int, gemini: bool) -> str | None:
    where = path or "the schema"
    if not isinstance(node, dict):
        return f"{where}: must be a schema object"
    if depth > _MAX_DEPTH:
        return f"{where}: nested deeper than {_MAX_DEPTH} levels"
    unknown = sorted(set(node) - _KEYWORDS)
    if unknown:
        return (
            f"{where}: {unknown[0]} is not supported (portable keywords: type, "
            "properties, required, items, enum, description, minimum/maximum, "
            "minLength/maxLength, minItems/maxItems, pattern, format)"
        )
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        return f"{where}: needs one type of {', '.join(sorted(_TYPES))}"
    for text_key in ("description", "title"):
        text = node.get(text_key)
        if isinstance(text, str) and has_control_characters(text, multiline=True):
            return f"{where}: {text_key} must not contain control characters"
    if "enum" in node:
        values = node["enum"]
        if not values:
            return f"{where}: enum must not be empty"
        if gemini and (kind != "string" or not all(isinstance(v, str) for v in values)):
            return f"{where}: on Gemini an enum must be of strings (type string)"
    if "format" in node and gemini and node["format"] not in _GEMINI_FORMATS:
        return f"{where}: format {node['format']} is not supported by Gemini"
    if "additionalProperties" in node and not isinstance(node["additionalProperties"], bool):
        return f"{where}: additionalProperties must be true or false"
    if kind == "object":
        properties = node.get("properties", {})
        for name, child in properties.items():
            if not _PROPERTY_NAME.fullmatch(name):
                return f"{where}: property names are 1-64 letters, digits and _.-"
            problem = _node_problem(
                child, path=f"{path}.{name}" if path else name, depth=depth + 1, gemini=gemini
            )
            if problem:
                return problem
        missing = [name for name in node.get("required", []) if name not in properties]
        if missing:
            return f"{where}: required names {missing[0]}, which is not in properties"
    elif kind == "array":
        items = node.get("items")
        if not isinstance(items, dict):
            return f"{where}: an array needs items (one schema)"
        return _node_problem(items, path=f"{path}[]", depth=depth + 1, gemini=gemini)
    elif "properties" in node or "required" in node or "items" in node:
        return f"{where}: properties/required/items need type object or array"
    return None


# -- checks at save -----------------------------------------------------------------------


def check_tools(
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
    *,
    gemini: bool,
    allow_private: bool,
    check_urls: bool = True,
) -> None:
    """Refuse (400, `param` `tools.N.…`) what the model's validators cannot know: unique
    names, a schema Gemini would reject (`gemini`: a realtime agent on provider gemini),
    and a URL the operator's policy refuses (https only, unless private networks are
    allowed; `check_urls=False` for a PATCH that leaves the tools as they are)."""
    check_unique_names(tools)
    for index, tool in enumerate(tools):
        if not isinstance(tool, HttpTool):
            continue
        if gemini:
            problem = schema_problem(tool.parameters, gemini=True)
            if problem:
                raise InvalidRequestError(
                    f"tools.{index}.parameters: {problem}", param=f"tools.{index}.parameters"
                )
        if check_urls:
            param = f"tools.{index}.url"
            try:
                outbound.check_url(tool.url, allow_private=allow_private)
            except OutboundAddressError as exc:
                raise InvalidRequestError(
                    f"tools.{index}.{exc.message}; {_PRIVATE_HINT}", param=param
                ) from None
            if not allow_private and not tool.url.lower().startswith("https://"):
                raise InvalidRequestError(
                    f"{param}: must be an https URL; {_PRIVATE_HINT}", param=param
                )


async def check_transfer_targets(
    db: AsyncSession,
    *,
    org_id: str,
    agent_id: str | None,
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
) -> None:
    """A transfer goes to another live agent of the same organization (`agent_id`: the
    agent being saved, None while it is created)."""
    for index, tool in enumerate(tools):
        if not isinstance(tool, TransferTool):
            continue
        param = f"tools.{index}.agent_id"
        if tool.agent_id == agent_id:
            raise InvalidRequestError(f"{param}: an agent cannot transfer to itself", param=param)
        found = (
            await db.execute(
                select(Agent.id).where(
                    Agent.id == tool.agent_id, Agent.org_id == org_id, Agent.deleted_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        if found is None:
            raise InvalidRequestError(
                f"{param}: no agent '{tool.agent_id}' in this organization", param=param
            )


def keep_secrets(
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
    *,
    stored: Sequence[HttpTool | EndCallTool | TransferTool] = (),
) -> None:
    """Fill the secret header values a tenant did not resend, from the stored tool of the
    same name: no `secret_headers` at all keeps every stored one; a value `"[redacted]"`
    (what GET shows) keeps that header's; `{}` removes them. A `"[redacted]"` with nothing
    stored to keep is 400."""
    previous = {t.name: t for t in stored if isinstance(t, HttpTool)}
    for index, tool in enumerate(tools):
        if not isinstance(tool, HttpTool):
            continue
        old = previous.get(tool.name)
        if "secret_headers" not in tool.model_fields_set:
            if old is not None:
                tool.secret_headers = dict(old.secret_headers)
            continue
        for header, value in tool.secret_headers.items():
            if value.get_secret_value() != REDACTED:
                continue
            kept = old.secret_headers.get(header) if old is not None else None
            if kept is None:
                param = f"tools.{index}.secret_headers.{header}"
                raise InvalidRequestError(
                    f"{param}: give the value ('{REDACTED}' keeps a stored value only)",
                    param=param,
                )
            tool.secret_headers[header] = kept


def redact_stored(agent_config: Mapping[str, Any]) -> dict[str, Any]:
    """A stored agent config (a session's snapshot) as it may be shown: secret header
    values replaced by `"[redacted]"`."""
    shown = dict(agent_config)
    tools = shown.get("tools")
    if isinstance(tools, list):
        shown["tools"] = [
            {**t, "secret_headers": {name: REDACTED for name in t["secret_headers"]}}
            if isinstance(t, dict) and isinstance(t.get("secret_headers"), dict)
            else t
            for t in tools
        ]
    return shown


# -- what the model is given ------------------------------------------------------------


def raw_schema(tool: HttpTool | EndCallTool | TransferTool) -> dict[str, Any]:
    """For `function_tool(handler, raw_schema=...)` and Chat Completions' `tools`
    (`{"type": "function", "function": raw_schema(tool)}`)."""
    parameters = tool.parameters if isinstance(tool, HttpTool) else _empty_object()
    return {"name": tool.name, "description": tool.description, "parameters": parameters}


# -- the executor -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolCallContext:
    """Who the call is for: sent in the request (but the organization) and recorded."""

    session_id: str
    agent_id: str
    user_id: str
    organization_id: str
    kind: Literal["voice", "chat"]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """One tool call's result. `output`: what the model is given back (the answer, cut
    at the tool's `max_result_chars`; or the short error when not `ok`)."""

    ok: bool
    outcome: ToolOutcomeName
    output: str
    http_status: int | None = None
    latency_ms: float | None = None

    @property
    def error(self) -> str | None:
        return None if self.ok else self.output


def call_key(call_id: str) -> str:
    """The call id as a header-safe token (a model's call id may hold anything)."""
    if re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", call_id):
        return call_id
    return "h_" + hashlib.sha256(call_id.encode()).hexdigest()[:32]


def message_id(context: ToolCallContext, call_id: str) -> str:
    """`webhook-id`: the same for every attempt of one tool call, unique across sessions."""
    digest = hashlib.sha256(f"{context.session_id}:{call_id}".encode()).hexdigest()
    return f"tool_{digest[:32]}"


def with_query(url: str, arguments: Mapping[str, Any]) -> str:
    """A GET's URL: the arguments appended to the tool URL's own query (a value that is
    not a string as its JSON)."""
    pairs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in arguments.items()}
    if not pairs:
        return url
    parts = urlsplit(url)
    extra = urlencode(pairs)
    return parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra).geturl()


def get_signed_content(url: str) -> str:
    """What a GET's signature covers (it has no body): `{"query":"<the raw query>"}`,
    compact, so a receiver rebuilds it with `JSON.stringify({query})` or
    `json.dumps({"query": q}, separators=(",", ":"))`."""
    return json.dumps({"query": urlsplit(url).query}, separators=(",", ":"))


def request_body(
    tool: HttpTool,
    *,
    arguments: Mapping[str, Any],
    call_id: str,
    context: ToolCallContext,
    at: datetime,
) -> dict[str, Any]:
    return {
        "type": "tool.call",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": {
            "tool": {"name": tool.name, "call_id": call_id},
            "arguments": dict(arguments),
            "session": {
                "id": context.session_id,
                "agent_id": context.agent_id,
                "user_id": context.user_id,
                "kind": context.kind,
                "metadata": context.metadata,
            },
        },
    }


def parse_arguments(
    tool: HttpTool | EndCallTool | TransferTool, arguments: Mapping[str, Any] | str | None
) -> dict[str, Any] | str:
    """The model's arguments as a dict, or why they do not fit the tool (for the model)."""
    parameters = tool.parameters if isinstance(tool, HttpTool) else None
    return tool_arguments.parse(tool.name, parameters, arguments)


async def call_http_tool(
    tool: HttpTool,
    *,
    arguments: Mapping[str, Any] | str | None,
    call_id: str,
    context: ToolCallContext,
    signing_secret: str,
    allow_private: bool,
    client: httpx.AsyncClient | None = None,
) -> ToolOutcome:
    """Run one call of `tool`; never raises for anything the tool's server does.

    `arguments`: the model's (a dict, or the JSON text Chat Completions gives).
    `allow_private`: the operator's CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS. `client`: a
    shared `outbound.new_client()` (one is made for this call otherwise)."""
    parsed = parse_arguments(tool, arguments)
    if isinstance(parsed, str):
        return ToolOutcome(ok=False, outcome="invalid_arguments", output=parsed)
    own_client = client is None
    http = client or outbound.new_client()
    try:
        return await _send(
            http,
            tool,
            arguments=parsed,
            call_id=call_id,
            context=context,
            signing_secret=signing_secret,
            allow_private=allow_private,
        )
    finally:
        if own_client:
            await http.aclose()


async def _send(
    client: httpx.AsyncClient,
    tool: HttpTool,
    *,
    arguments: dict[str, Any],
    call_id: str,
    context: ToolCallContext,
    signing_secret: str,
    allow_private: bool,
) -> ToolOutcome:
    at = datetime.now(UTC)
    msg_id = message_id(context, call_id)
    get = tool.method == "GET"
    url = tool.url
    if get:
        url = with_query(url, arguments)
        signed = get_signed_content(url)
    else:
        signed = json.dumps(
            request_body(tool, arguments=arguments, call_id=call_id, context=context, at=at),
            separators=(",", ":"),
        )
    headers = {
        **({} if get else {"content-type": "application/json"}),
        "user-agent": USER_AGENT,
        "idempotency-key": f"{context.session_id}:{call_key(call_id)}",
        **outbound.signature_headers(msg_id, signed, [signing_secret], at=at),
        **tool.headers,
        # Last: they win over nothing callwright sets (reserved names are refused).
        **{name: secret.get_secret_value() for name, secret in tool.secret_headers.items()},
    }
    failed = f"{tool.name} failed"
    attempts = 2 if get else 1  # a GET that could not connect is tried once more
    for attempt in range(attempts):
        try:
            response = await outbound.send(
                client,
                tool.method,
                url,
                content=None if get else signed.encode(),
                headers=headers,
                timeout_seconds=tool.timeout_ms / 1000,
                allow_private=allow_private,
                excerpt_bytes=MAX_RESPONSE_BYTES + 1,
            )
        except OutboundAddressError:
            return ToolOutcome(
                ok=False,
                outcome="refused",
                output=f"{failed} (its address is not allowed); do not retry",
            )
        except (TimeoutError, httpx.TimeoutException):
            return ToolOutcome(ok=False, outcome="timeout", output=f"{tool.name} timed out")
        except httpx.ConnectError:
            if attempt + 1 < attempts:
                continue
            return ToolOutcome(
                ok=False, outcome="unreachable", output=f"{failed} (could not connect)"
            )
        except httpx.HTTPError as exc:
            logger.info("tool request failed", extra={"tool": tool.name, "error": type(exc)})
            return ToolOutcome(ok=False, outcome="unreachable", output=f"{failed} (no answer)")
        return _read_answer(tool, response)
    raise AssertionError("unreachable")  # pragma: no cover


def _read_answer(tool: HttpTool, response: outbound.OutboundResponse) -> ToolOutcome:
    status, latency = response.status_code, float(response.latency_ms)
    failed = f"{tool.name} failed"

    def error(outcome: ToolOutcomeName, text: str) -> ToolOutcome:
        return ToolOutcome(
            ok=False, outcome=outcome, output=text, http_status=status, latency_ms=latency
        )

    if not 200 <= status < 300:
        return error("http_error", f"{failed} (HTTP {status})")
    raw = response.body
    if len(raw) > MAX_RESPONSE_BYTES:
        return error("invalid_response", f"{failed} (the answer is too large)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error("invalid_response", f"{failed} (the answer is not text)")
    if has_control_characters(text, multiline=True):
        return error("invalid_response", f"{failed} (the answer is not text)")
    content_type = response.headers.get("content-type", "")
    output: str
    try:
        value = json.loads(text) if text.strip() else None
    except ValueError:
        if "json" in content_type:
            return error("invalid_response", f"{failed} (the answer is not valid JSON)")
        value, output = None, text
    else:
        if isinstance(value, dict) and set(value) == {"error"} and isinstance(value["error"], str):
            return error("tool_error", f"{failed}: {value['error'][:_ERROR_CHARS]}")
        if isinstance(value, dict) and "result" in value:
            value = value["result"]
        output = (
            value
            if isinstance(value, str)
            else ("" if value is None else json.dumps(value, ensure_ascii=False))
        )
    output = output.strip() or f"{tool.name} succeeded (no content)"
    return ToolOutcome(
        ok=True,
        outcome="ok",
        output=output[: tool.max_result_chars],
        http_status=status,
        latency_ms=latency,
    )


def failure_message(tool: HttpTool, outcome: ToolOutcome) -> str | None:
    """What the agent says for a failed call: the tool's `messages.failed` (None: the
    model is given the short error and answers itself). Not for arguments the model
    can fix: it is told why and may call again."""
    if outcome.ok or outcome.outcome == "invalid_arguments":
        return None
    return tool.messages.failed


# -- the record ---------------------------------------------------------------------------

_ARGUMENT_CHARS = 4_000
_OUTPUT_CHARS = 1_000


def record_of(
    name: str,
    *,
    call_id: str | None,
    arguments: Mapping[str, Any] | str | None,
    outcome: ToolOutcome,
) -> ToolCall:
    """The transcript record of one call: the model's arguments (never a header), an
    excerpt of the output. Arguments too long to keep are left out."""
    args: dict[str, Any] | None
    if isinstance(arguments, str):
        try:
            loaded = json.loads(arguments) if arguments else {}
        except ValueError:
            loaded = None
        args = loaded if isinstance(loaded, dict) else None
    else:
        args = dict(arguments) if arguments is not None else None
    if args is not None and len(json.dumps(args, default=str)) > _ARGUMENT_CHARS:
        args = None
    return ToolCall(
        name=name,
        call_id=call_id,
        arguments=args,
        output=outcome.output[:_OUTPUT_CHARS],
        is_error=not outcome.ok,
        http_status=outcome.http_status,
        latency_ms=outcome.latency_ms,
        outcome=outcome.outcome,
    )


# -- the organization's signing secret ----------------------------------------------------


async def signing_secret_of(db: AsyncSession, organization_id: str) -> str:
    """The organization's tool signing secret, created on first use (a concurrent first
    use keeps whichever was written first). Commit is the caller's."""
    secret = await _stored_secret(db, organization_id)
    if secret is not None:
        return secret
    await db.execute(
        update(Organization)
        .where(Organization.id == organization_id, Organization.tool_signing_secret.is_(None))
        .values(tool_signing_secret=outbound.new_signing_secret())
    )
    secret = await _stored_secret(db, organization_id)
    assert secret is not None
    return secret


async def rotate_signing_secret(db: AsyncSession, organization_id: str) -> str:
    """A new secret, at once: requests sign with it from now on."""
    await _stored_secret(db, organization_id)  # 404 for an unknown organization
    secret = outbound.new_signing_secret()
    await db.execute(
        update(Organization)
        .where(Organization.id == organization_id)
        .values(tool_signing_secret=secret)
    )
    return secret


async def _stored_secret(db: AsyncSession, organization_id: str) -> str | None:
    row = (
        await db.execute(
            select(Organization.id, Organization.tool_signing_secret)
            .where(Organization.id == organization_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"No organization '{organization_id[:64]}'.", param="org")
    secret: str | None = row.tool_signing_secret
    return secret
