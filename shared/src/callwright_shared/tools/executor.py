"""The executor: `call_http_tool` validates the model's arguments, sends one signed
request, and turns any answer into a `ToolOutcome` the model can read; `record_of` makes
the typed transcript record of a call (calls.records.ToolCall).

The request (one body for every tool; a GET sends the arguments as query and no body,
and its signature covers `{"method":"GET","url":"<the URL>","tool":"<name>"}`, see
`get_signed_content`):

    POST <url>
    content-type: application/json
    user-agent: callwright-tools/1
    callwright-tool: <the tool's name>
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

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

import httpx

from callwright_shared import outbound
from callwright_shared.calls.records import ToolCall, ToolOutcomeName
from callwright_shared.errors import OutboundAddressError
from callwright_shared.text import has_control_characters
from callwright_shared.tools import arguments as tool_arguments
from callwright_shared.tools.models import EndCallTool, HttpTool, TransferTool

logger = logging.getLogger(__name__)

USER_AGENT = "callwright-tools/1"
# A 2xx answer longer than this is not read further (an invalid answer).
MAX_RESPONSE_BYTES = 256 * 1024
_ERROR_CHARS = 300


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


def get_signed_content(url: str, *, tool: str) -> str:
    """What a GET's signature covers (it has no body): the method, the URL as sent (as
    httpx normalizes it: lowercase host, no default port, percent-encoded path, the
    query as built) and the tool's name, compact JSON in that order, so a request cannot
    be replayed to another URL or tool (docs/security.md#get-tool-signatures). A receiver
    rebuilds it from `scheme://<Host header><raw path and query>` and the
    `callwright-tool` header."""
    sent = str(httpx.URL(url))
    return json.dumps({"method": "GET", "url": sent, "tool": tool}, separators=(",", ":"))


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
    allow_private: outbound.AllowPrivate,
    client: httpx.AsyncClient | None = None,
) -> ToolOutcome:
    """Run one call of `tool`; never raises (but for cancellation).

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
    allow_private: outbound.AllowPrivate,
) -> ToolOutcome:
    at = datetime.now(UTC)
    msg_id = message_id(context, call_id)
    get = tool.method == "GET"
    url = tool.url
    if get:
        url = with_query(url, arguments)
        signed = get_signed_content(url, tool=tool.name)
    else:
        signed = json.dumps(
            request_body(tool, arguments=arguments, call_id=call_id, context=context, at=at),
            separators=(",", ":"),
        )
    headers = {
        **({} if get else {"content-type": "application/json"}),
        "user-agent": USER_AGENT,
        "callwright-tool": tool.name,
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
        except Exception as exc:
            # Anything else (httpx.HTTPError, or a UnicodeEncodeError building a header
            # stored before values were limited to visible ASCII) is a failed call: this
            # function never raises. Only the type is logged; a message could quote a
            # secret header's value.
            logger.info(
                "tool request failed", extra={"tool": tool.name, "error": type(exc).__name__}
            )
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
