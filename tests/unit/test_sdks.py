"""The SDKs in clients/ are generated from the issuer's schema as it is now (regenerated
here with the pinned generators and compared), and their hand-written signature helpers
accept exactly what the product's own signing code signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from callwright_client.signatures import (
    SignatureError,
    verify_get_tool_call,
    verify_tool_call,
    verify_webhook,
)
from callwright_devstack import sdk
from callwright_devstack.api_reference import METHODS, current_schema
from callwright_devstack.required import service_missing
from callwright_shared import outbound
from callwright_shared.tools.executor import (
    ToolCallContext,
    get_signed_content,
    request_body,
    with_query,
)
from callwright_shared.tools.models import HttpTool
from tests.support.typescript_client import run_with_client

pytestmark = pytest.mark.unit

AT = datetime(2026, 12, 1, 9, 45, 26, tzinfo=UTC)
NOW = AT.timestamp()


def test_openapi_json_is_the_issuers_schema() -> None:
    assert sdk.SCHEMA_JSON.read_text() == sdk.schema_text(sdk.current_sdk_schema()), (
        f"clients/openapi.json is out of date: {sdk.REGENERATE}"
    )


def test_python_sdk_is_what_the_generator_makes_of_it() -> None:
    assert sdk.python_differences() == [], f"clients/python is out of date: {sdk.REGENERATE}"


def test_typescript_sdk_is_what_the_generator_makes_of_it() -> None:
    if not sdk.OPENAPI_TYPESCRIPT.exists():
        service_missing(f"{sdk.OPENAPI_TYPESCRIPT} (make clients-build)")
    assert sdk.typescript_differences() == [], (
        f"clients/typescript is out of date: {sdk.REGENERATE}"
    )


def test_the_sdk_schema_keeps_every_client_operation_under_a_unique_name() -> None:
    served, generated = current_schema(), sdk.current_sdk_schema()

    def operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (method, path): op
            for path, ops in schema["paths"].items()
            for method, op in ops.items()
            if method in METHODS
        }

    kept = {key for key in operations(served) if key[1] not in sdk.LEFT_OUT_PATHS}
    assert set(operations(generated)) == kept
    ids = [op["operationId"] for op in operations(generated).values()]
    assert len(ids) == len(set(ids))
    for op in operations(generated).values():
        names = {p["name"].lower() for p in op.get("parameters", [])}
        assert sdk.API_KEY_HEADER not in names, "the key is the client's, not each call's"
        assert "422" not in op["responses"]
    text = sdk.schema_text(generated)
    assert "#/$defs/" not in text, "every reference resolves inside the document"


# -- the signature helpers, against the product's signer -------------------------------

SECRET = outbound.new_signing_secret()
OTHER = outbound.new_signing_secret()
EVENT = json.dumps(
    {"type": "session.ended", "timestamp": "2026-12-01T09:45:26Z", "data": {"session": {}}},
    separators=(",", ":"),
)


def signed(body: str, *keys: str, message_id: str = "msg_1") -> dict[str, str]:
    return outbound.signature_headers(message_id, body, list(keys), at=AT)


def tool_call_body() -> str:
    tool = HttpTool.model_validate(
        {
            "type": "http",
            "name": "lookup_order",
            "description": "Look up an order.",
            "url": "https://api.example.com/orders/lookup",
        }
    )
    context = ToolCallContext(
        session_id="ses_1",
        agent_id="agt_1",
        user_id="u_1",
        organization_id="org_1",
        kind="voice",
        metadata={"ticket": "é"},
    )
    body = request_body(
        tool, arguments={"order_id": "A42"}, call_id="call_1", context=context, at=AT
    )
    return json.dumps(body, separators=(",", ":"))


def test_python_verifies_a_webhook_signed_by_the_product() -> None:
    assert verify_webhook(EVENT.encode(), signed(EVENT, SECRET), SECRET, now=NOW) == json.loads(
        EVENT
    )
    # During a rotation the request carries both signatures: either secret verifies it.
    both = signed(EVENT, OTHER, SECRET)
    assert verify_webhook(EVENT, both, SECRET, now=NOW)["type"] == "session.ended"
    assert verify_webhook(EVENT, both, OTHER, now=NOW)["type"] == "session.ended"
    # Header names in any case, as a framework may hand them over.
    upper = {k.upper(): v for k, v in signed(EVENT, SECRET).items()}
    assert verify_webhook(EVENT, upper, SECRET, now=NOW)["type"] == "session.ended"


@pytest.mark.parametrize(
    ("body", "headers", "secret", "now"),
    [
        (EVENT + " ", signed(EVENT, SECRET), SECRET, NOW),  # body changed
        (EVENT, signed(EVENT, SECRET), OTHER, NOW),  # another secret
        (EVENT, {**signed(EVENT, SECRET), "webhook-id": "msg_2"}, SECRET, NOW),
        (EVENT, signed(EVENT, SECRET), SECRET, NOW + 301),  # replayed too late
        (EVENT, signed(EVENT, SECRET), SECRET, NOW - 301),  # from the future
        (EVENT, {"webhook-id": "msg_1", "webhook-timestamp": str(int(NOW))}, SECRET, NOW),
        (EVENT, {**signed(EVENT, SECRET), "webhook-timestamp": "soon"}, SECRET, NOW),
        (EVENT, {**signed(EVENT, SECRET), "webhook-signature": "v2,abc"}, SECRET, NOW),
    ],
    ids=["body", "secret", "id", "late", "early", "unsigned", "timestamp", "version"],
)
def test_python_refuses_what_the_product_did_not_sign(
    body: str, headers: dict[str, str], secret: str, now: float
) -> None:
    with pytest.raises(SignatureError):
        verify_webhook(body, headers, secret, now=now)


def test_python_verifies_tool_calls_signed_by_the_product() -> None:
    body = tool_call_body()
    call = verify_tool_call(
        body.encode(), signed(body, SECRET, message_id="tool_1"), SECRET, now=NOW
    )
    assert call["data"]["arguments"] == {"order_id": "A42"}
    with pytest.raises(SignatureError):
        verify_tool_call(body, signed(body, SECRET), OTHER, now=NOW)

    url = with_query("https://api.example.com/stock?w=1", {"sku": "A 42", "n": 2})
    get_headers = {
        **signed(get_signed_content(url, tool="stock"), SECRET, message_id="tool_2"),
        "callwright-tool": "stock",
    }
    assert verify_get_tool_call(url, get_headers, SECRET, now=NOW) == "stock"
    # The same signature replayed to another URL, or naming another tool, is refused.
    with pytest.raises(SignatureError):
        verify_get_tool_call(url.replace("/stock", "/cancel"), get_headers, SECRET, now=NOW)
    with pytest.raises(SignatureError):
        verify_get_tool_call(url, {**get_headers, "callwright-tool": "cancel"}, SECRET, now=NOW)


# Each case: {kind, payload, headers, secret, now}; prints [true | "SignatureError", …].
_VERIFY_CASES = """
const results = [];
for (const c of input) {
  const verify = { webhook: sdk.verifyWebhook, tool: sdk.verifyToolCall,
                   get: sdk.verifyGetToolCall }[c.kind];
  try {
    const headers = c.as_headers ? new Headers(c.headers) : c.headers;
    await verify(c.payload, headers, c.secret, { now: c.now });
    results.push(true);
  } catch (error) {
    results.push(error.name);
  }
}
console.log(JSON.stringify(results));
"""


def test_typescript_verifies_what_the_product_signs_and_nothing_else() -> None:
    body = tool_call_body()
    url = with_query("https://api.example.com/stock", {"sku": "A 42"})
    get_headers = {
        **signed(get_signed_content(url, tool="stock"), SECRET),
        "callwright-tool": "stock",
    }
    cases: list[tuple[dict[str, Any], bool]] = [
        ({"kind": "webhook", "payload": EVENT, "headers": signed(EVENT, SECRET)}, True),
        ({"kind": "webhook", "payload": EVENT, "headers": signed(EVENT, OTHER, SECRET)}, True),
        (
            {
                "kind": "webhook",
                "payload": EVENT,
                "as_headers": True,
                "headers": signed(EVENT, SECRET),
            },
            True,
        ),
        ({"kind": "tool", "payload": body, "headers": signed(body, SECRET)}, True),
        ({"kind": "get", "payload": url, "headers": get_headers}, True),
        ({"kind": "webhook", "payload": EVENT + " ", "headers": signed(EVENT, SECRET)}, False),
        ({"kind": "webhook", "payload": EVENT, "headers": signed(EVENT, OTHER)}, False),
        (
            {
                "kind": "webhook",
                "payload": EVENT,
                "headers": signed(EVENT, SECRET),
                "now": NOW + 301,
            },
            False,
        ),
        (
            {"kind": "get", "payload": url.replace("/stock", "/cancel"), "headers": get_headers},
            False,
        ),
        ({"kind": "tool", "payload": body, "headers": {"webhook-id": "x"}}, False),
    ]
    payload = [{"secret": SECRET, "now": NOW, **case} for case, _ in cases]
    results = run_with_client(_VERIFY_CASES, payload)
    assert results == [True if ok else "SignatureError" for _, ok in cases]
