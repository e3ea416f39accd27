"""Agent tools: the models, their checks at save, and the executor against a real
loopback tool server that verifies every signature with `standardwebhooks`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from callwright_devstack.services.tool_server import HOLD, Answer, ToolServer
from callwright_shared import outbound
from callwright_shared.agents.definitions import AgentConfig, AgentPublic
from callwright_shared.calls.records import TranscriptEntry
from callwright_shared.errors import InvalidRequestError, error_param
from callwright_shared.tools.checks import check_tools, keep_secrets, redact_stored
from callwright_shared.tools.executor import ToolCallContext, ToolOutcome, call_http_tool, record_of
from callwright_shared.tools.models import (
    REDACTED,
    STORE,
    HttpTool,
    TransferTool,
    check_unique_names,
    raw_schema,
)

pytestmark = pytest.mark.unit

SECRET = outbound.new_signing_secret()
CONTEXT = ToolCallContext(
    session_id="ses_0123456789abcdef",
    agent_id="0123456789abcdef",
    user_id="u_1",
    organization_id="org_1",
    kind="voice",
    metadata={"plan": "gold"},
)
ORDER_SCHEMA = {
    "type": "object",
    "properties": {"order_id": {"type": "string", "description": "The order number."}},
    "required": ["order_id"],
}


def http_tool(**fields: Any) -> HttpTool:
    body: dict[str, Any] = {
        "type": "http",
        "name": "lookup_order",
        "description": "Look up an order by its number.",
        "parameters": ORDER_SCHEMA,
        "url": "https://api.example.com/orders",
        **fields,
    }
    return HttpTool.model_validate(body)


def config_error(tool: dict[str, Any]) -> tuple[str | None, str]:
    with pytest.raises(ValidationError) as caught:
        AgentConfig.model_validate({"tools": [tool]})
    first = caught.value.errors()[0]
    return error_param(first["loc"]), first["msg"]


@pytest.fixture
async def server() -> AsyncIterator[ToolServer]:
    async with ToolServer(secret=SECRET) as running:
        yield running


async def call(
    tool: HttpTool,
    arguments: dict[str, Any] | str | None = None,
    *,
    allow_private: bool = True,
    call_id: str = "call_1",
) -> ToolOutcome:
    return await call_http_tool(
        tool,
        arguments={"order_id": "A42"} if arguments is None else arguments,
        call_id=call_id,
        context=CONTEXT,
        signing_secret=SECRET,
        allow_private=allow_private,
    )


# -- the models and their checks ------------------------------------------------------------


def test_a_tool_list_parses_and_the_model_gets_its_raw_schema() -> None:
    config = AgentConfig.model_validate(
        {
            "tools": [
                {
                    "type": "http",
                    "name": "lookup_order",
                    "description": "Look up an order.",
                    "parameters": ORDER_SCHEMA,
                    "url": "https://api.example.com/orders",
                },
                {"type": "end_call"},
                {"type": "transfer", "agent_id": "0123456789abcdef", "description": "Sales."},
            ]
        }
    )
    http, end, transfer = config.tools
    assert isinstance(http, HttpTool) and http.method == "POST"
    assert http.timeout_ms == 10_000
    assert raw_schema(http) == {
        "name": "lookup_order",
        "description": "Look up an order.",
        "parameters": ORDER_SCHEMA,
    }
    assert raw_schema(end)["parameters"] == {"type": "object", "properties": {}}
    assert isinstance(transfer, TransferTool) and transfer.name == "transfer"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"name": "lk_lookup"}, "tools.0.name"),
        ({"name": "look up"}, "tools.0.name"),
        ({"name": "x" * 65}, "tools.0.name"),
        ({"method": "TRACE"}, "tools.0.method"),
        ({"timeout_ms": 60_001}, "tools.0.timeout_ms"),
        ({"headers": {"Idempotency-Key": "mine"}}, "tools.0.headers"),
        ({"headers": {"X-Tenant": "a\nb"}}, "tools.0.headers"),
        ({"secret_headers": {"Webhook-Signature": "forged"}}, "tools.0.secret_headers"),
        ({"parameters": {"type": "string"}}, "tools.0.parameters"),
        ({"parameters": {"$schema": "x", **ORDER_SCHEMA}}, "tools.0.parameters"),
        (
            {"parameters": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}}},
            "tools.0.parameters",
        ),
        (
            {
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                }
            },
            "tools.0.parameters",
        ),
        (
            {"parameters": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}},
            "tools.0.parameters",
        ),
        (
            {
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}},
                    "required": ["b"],
                }
            },
            "tools.0.parameters",
        ),
        (
            {
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"type": "string", "default": "x"}},
                }
            },
            "tools.0.parameters",
        ),
        (
            {"parameters": {"type": "object", "properties": {"a": {"type": "array"}}}},
            "tools.0.parameters",
        ),
    ],
)
def test_invalid_tools_name_the_field_at_fault(fields: dict[str, Any], param: str) -> None:
    tool = {
        "type": "http",
        "name": "lookup_order",
        "description": "d",
        "parameters": ORDER_SCHEMA,
        "url": "https://api.example.com/orders",
        **fields,
    }
    assert config_error(tool)[0] == param


def test_an_unknown_tool_type_is_refused() -> None:
    param, message = config_error({"type": "sql", "name": "x"})
    assert param == "tools.0"
    assert "http" in message


def test_duplicate_names_are_refused_with_the_second_ones_index() -> None:
    config = AgentConfig.model_validate(
        {"tools": [{"type": "end_call"}, {"type": "end_call", "description": "Hang up."}]}
    )
    with pytest.raises(InvalidRequestError) as caught:
        check_unique_names(config.tools)
    assert caught.value.param == "tools.1.name"


def test_gemini_accepts_only_string_enums_and_its_own_formats() -> None:
    integer_enum = http_tool(
        parameters={
            "type": "object",
            "properties": {"size": {"type": "integer", "enum": [1, 2, 3]}},
        }
    )
    check_tools([integer_enum], gemini=False, allow_private=False)
    with pytest.raises(InvalidRequestError) as caught:
        check_tools([integer_enum], gemini=True, allow_private=False)
    assert caught.value.param == "tools.0.parameters"
    email = http_tool(
        parameters={"type": "object", "properties": {"to": {"type": "string", "format": "email"}}}
    )
    with pytest.raises(InvalidRequestError):
        check_tools([email], gemini=True, allow_private=False)


@pytest.mark.parametrize(
    "url",
    ["http://api.example.com/orders", "https://127.0.0.1/x", "https://localhost/x", "ftp://x/y"],
)
def test_a_url_must_be_public_https_unless_the_operator_allows_private(url: str) -> None:
    tool = http_tool(url=url)
    with pytest.raises(InvalidRequestError) as caught:
        check_tools([tool], gemini=False, allow_private=False)
    assert caught.value.param == "tools.0.url"
    if not url.startswith("ftp"):
        check_tools([tool], gemini=False, allow_private=True)


# -- secret headers ----------------------------------------------------------------------------


def test_secret_header_values_appear_only_in_the_stored_dump() -> None:
    config = AgentConfig(tools=[http_tool(secret_headers={"Authorization": "Bearer s3cret"})])
    assert "s3cret" not in config.model_dump_json()
    assert "s3cret" not in repr(config) and "s3cret" not in str(config.tools)
    shown = config.model_dump(mode="json")["tools"][0]["secret_headers"]
    assert shown == {"Authorization": REDACTED}
    stored = config.model_dump(mode="json", context=STORE)
    assert stored["tools"][0]["secret_headers"] == {"Authorization": "Bearer s3cret"}
    # What the API answers (AgentPublic) is built from the stored config.
    public = AgentPublic.model_validate(
        {
            **AgentConfig.model_validate(stored).model_dump(),
            "id": "0123456789abcdef",
            "name": "a",
            "architecture": "text",
            "credits_per_minute": None,
            "credits_per_message": 1,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        },
        strict=False,
    )
    assert "s3cret" not in public.model_dump_json()
    assert "s3cret" not in json.dumps(redact_stored(stored))


def test_a_patch_keeps_secret_values_it_does_not_resend() -> None:
    stored = [http_tool(secret_headers={"Authorization": "Bearer old", "X-Key": "k1"})]
    omitted = [http_tool(description="Now with a new description.")]
    keep_secrets(omitted, stored=stored)
    assert isinstance(omitted[0], HttpTool)
    assert omitted[0].secret_headers["Authorization"].get_secret_value() == "Bearer old"
    assert omitted[0].secret_headers["X-Key"].get_secret_value() == "k1"

    echoed = [http_tool(secret_headers={"Authorization": REDACTED, "X-Key": "k2"})]
    keep_secrets(echoed, stored=stored)
    assert isinstance(echoed[0], HttpTool)
    kept = {k: v.get_secret_value() for k, v in echoed[0].secret_headers.items()}
    assert kept == {"Authorization": "Bearer old", "X-Key": "k2"}

    cleared = [http_tool(secret_headers={})]
    keep_secrets(cleared, stored=stored)
    assert isinstance(cleared[0], HttpTool) and cleared[0].secret_headers == {}

    with pytest.raises(InvalidRequestError) as caught:
        keep_secrets([http_tool(secret_headers={"Authorization": REDACTED})])
    assert caught.value.param == "tools.0.secret_headers.Authorization"


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/orders",
        "http://api.example.com/orders",
        "https://api.example.com:8443/orders",
        "https://API.example.com.evil.test/orders",
    ],
)
def test_a_patch_to_another_origin_must_give_the_secrets_again(url: str) -> None:
    stored = [http_tool(secret_headers={"Authorization": "Bearer old"})]
    for resent in (
        http_tool(url=url),
        http_tool(url=url, secret_headers={"Authorization": REDACTED}),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            keep_secrets([resent], stored=stored)
        assert caught.value.param == "tools.0.secret_headers.Authorization"
    given = [http_tool(url=url, secret_headers={"Authorization": "Bearer new"})]
    keep_secrets(given, stored=stored)
    assert isinstance(given[0], HttpTool)
    assert given[0].secret_headers["Authorization"].get_secret_value() == "Bearer new"
    # The same origin (another path and query, the default port spelled out, the host's
    # case) keeps them.
    same = [http_tool(url="https://API.example.com:443/v2/orders?x=1")]
    keep_secrets(same, stored=stored)
    assert isinstance(same[0], HttpTool)
    assert same[0].secret_headers["Authorization"].get_secret_value() == "Bearer old"


@pytest.mark.parametrize("value", ["café", "a\u2028b", "tab\there", "\u00a0x"])
@pytest.mark.parametrize("field", ["headers", "secret_headers"])
def test_header_values_are_visible_ascii(field: str, value: str) -> None:
    param, message = config_error(
        {
            "type": "http",
            "name": "t",
            "description": "d",
            "url": "https://api.example.com/x",
            field: {"X-Note": value},
        }
    )
    assert param == f"tools.0.{field}", message
    assert "visible ASCII" in message


# -- the executor --------------------------------------------------------------------------------


async def test_a_call_is_signed_keyed_and_its_result_goes_to_the_model(
    server: ToolServer,
) -> None:
    url = server.answer("/orders", Answer.result({"status": "shipped", "eta": "Tuesday"}))
    tool = http_tool(url=url, headers={"X-Tenant": "t1"}, secret_headers={"X-Key": "s3cret"})
    outcome = await call(tool)
    assert outcome.ok and outcome.outcome == "ok" and outcome.http_status == 200
    assert json.loads(outcome.output) == {"status": "shipped", "eta": "Tuesday"}
    assert outcome.latency_ms is not None
    [request] = server.requests
    assert request.verified
    assert request.idempotency_key == f"{CONTEXT.session_id}:call_1"
    assert request.headers["user-agent"] == "callwright-tools/1"
    assert request.headers["x-tenant"] == "t1" and request.headers["x-key"] == "s3cret"
    payload = request.payload
    assert payload["type"] == "tool.call"
    assert payload["data"] == {
        "tool": {"name": "lookup_order", "call_id": "call_1"},
        "arguments": {"order_id": "A42"},
        "session": {
            "id": CONTEXT.session_id,
            "agent_id": CONTEXT.agent_id,
            "user_id": "u_1",
            "kind": "voice",
            "metadata": {"plan": "gold"},
        },
    }
    # Another attempt of the same call carries the same webhook-id and key.
    await call(tool)
    first, second = server.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.idempotency_key == second.idempotency_key
    await call(tool, call_id="call_2")
    assert server.requests[2].headers["webhook-id"] != first.headers["webhook-id"]


async def test_a_get_sends_the_arguments_in_the_query(server: ToolServer) -> None:
    url = server.answer("/stock", Answer.text("12 in stock"))
    tool = http_tool(
        url=url + "?store=paris",
        method="GET",
        parameters={
            "type": "object",
            "properties": {"sku": {"type": "string"}, "count": {"type": "integer"}},
        },
    )
    outcome = await call(tool, {"sku": "S-1", "count": 2})
    assert outcome.ok and outcome.output == "12 in stock"
    [request] = server.requests
    assert request.method == "GET" and request.body == b""
    assert request.query == {"store": "paris", "sku": "S-1", "count": "2"}
    assert request.verified


async def test_a_header_that_cannot_be_sent_is_a_failed_call_not_an_exception(
    server: ToolServer,
) -> None:
    # A value stored before header values were limited to visible ASCII: httpx raises
    # UnicodeEncodeError building the request, which is no httpx.HTTPError.
    tool = http_tool(url=server.answer("/orders", Answer.result("ok")))
    tool.secret_headers["X-Key"] = SecretStr("caf\u00e9")
    outcome = await call(tool)
    assert not outcome.ok and outcome.outcome == "unreachable"
    assert outcome.output == "lookup_order failed (no answer)"
    assert "caf" not in outcome.output and server.requests == []


async def test_a_long_answer_is_cut_for_the_model(server: ToolServer) -> None:
    url = server.answer("/long", Answer.result("x" * 5_000))
    outcome = await call(http_tool(url=url, max_result_chars=100))
    assert outcome.ok and outcome.output == "x" * 100


@pytest.mark.parametrize(
    ("answer", "outcome", "error"),
    [
        (Answer(status=500, body=b"boom"), "http_error", "lookup_order failed (HTTP 500)"),
        (
            Answer(status=302, headers={"Location": "/elsewhere"}, body=b""),
            "http_error",
            "lookup_order failed (HTTP 302)",
        ),
        (
            Answer(body=b"\x89PNG\r\n\x1a\n\x00\xff", content_type="image/png"),
            "invalid_response",
            "lookup_order failed (the answer is not text)",
        ),
        (
            Answer(body=b"{not json"),
            "invalid_response",
            "lookup_order failed (the answer is not valid JSON)",
        ),
        (
            Answer(body=b'{"error": "no such order"}'),
            "tool_error",
            "lookup_order failed: no such order",
        ),
    ],
)
async def test_a_failed_answer_is_a_short_error(
    server: ToolServer, answer: Answer, outcome: str, error: str
) -> None:
    url = server.answer("/orders", answer)
    result = await call(http_tool(url=url))
    assert not result.ok
    assert (result.outcome, result.error) == (outcome, error)
    # A redirect is an answer: nothing is sent to where it points.
    assert [r.path for r in server.requests] == ["/orders"]


async def test_a_tool_slower_than_its_timeout_times_out(server: ToolServer) -> None:
    url = server.answer("/slow", HOLD)
    result = await call(http_tool(url=url, timeout_ms=300))
    assert (result.ok, result.outcome, result.error) == (False, "timeout", "lookup_order timed out")
    assert len(server.requests) == 1


async def test_a_private_address_is_refused_without_the_operators_permission(
    server: ToolServer,
) -> None:
    url = server.answer("/orders", Answer.result("ok"))
    result = await call(http_tool(url=url), allow_private=False)
    assert (result.ok, result.outcome) == (False, "refused")
    assert server.requests == []


async def test_arguments_that_do_not_fit_the_schema_send_nothing(server: ToolServer) -> None:
    tool = http_tool(url=server.answer("/orders", Answer.result("ok")))
    for arguments in ({"order_id": 42}, {}, '{"order_id": ', "[1]"):
        result = await call(tool, arguments)
        assert (result.ok, result.outcome) == (False, "invalid_arguments")
        assert result.error is not None and result.error.startswith("lookup_order")
    assert server.requests == []
    ok = await call(tool, '{"order_id": "A42"}')
    assert ok.ok


async def test_a_call_becomes_a_typed_transcript_record(server: ToolServer) -> None:
    tool = http_tool(url=server.answer("/orders", Answer.result("shipped")))
    outcome = await call(tool)
    record = record_of(tool.name, call_id="call_1", arguments={"order_id": "A42"}, outcome=outcome)
    entry = TranscriptEntry(role="tool", content=tool.name, tool=record)
    again = TranscriptEntry.model_validate(json.loads(json.dumps(entry.stored())))
    assert again.tool is not None
    assert again.tool.arguments == {"order_id": "A42"}
    assert (again.tool.output, again.tool.outcome, again.tool.http_status) == ("shipped", "ok", 200)
    assert again.tool.is_error is False
