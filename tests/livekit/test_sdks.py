"""The SDKs in clients/ against a real issuer and livekit-server, as an integrator's
backend uses them: the Python SDK (sync and async) and the TypeScript SDK (its build, run
by `node`) create an agent and a voice session, read the session back, and verify the
signature of a webhook the issuer sends them; and docs/operator.md's signup and billing flow
runs as written, with the Python SDK."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from callwright_client import AuthenticatedClient
from callwright_client.api.agents import create_agent
from callwright_client.api.sessions import create_voice_session, get_session
from callwright_client.api.webhooks import create_webhook_endpoint, send_test_event
from callwright_client.models import (
    AgentPublic,
    AgentSpec,
    AgentSpecArchitecture,
    AuditList,
    CreditGrant,
    DeliveryPublic,
    ErrorBody,
    LedgerList,
    SessionKind,
    SessionPublic,
    SessionStatus,
    UsageReport,
    VoiceSessionCreate,
    VoiceSessionCreated,
    WebhookEndpointCreate,
    WebhookEndpointWithSecret,
)
from callwright_client.signatures import SignatureError, verify_webhook
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.services.webhook_receiver import WebhookReceiver
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_shared.settings import CallwrightSettings
from tests.support.typescript_client import run_with_client

pytestmark = pytest.mark.livekit

OPERATOR_TOKEN = "operator-token-for-the-sdk-tests-0123456789"


@pytest.fixture
def settings(sqlite_url: str, livekit_server: LiveKitServer) -> CallwrightSettings:
    # The webhook receivers are on loopback.
    return make_settings(
        sqlite_url,
        livekit_server,
        reconcile_interval_seconds=0,
        outbound_allow_private=True,
        operator_token=OPERATOR_TOKEN,
    )


@pytest.fixture
def issuer(settings: CallwrightSettings) -> Iterator[ServedIssuer]:
    with ServedIssuer(settings) as served:
        yield served


@pytest.fixture
async def tenant(sqlite_url: str) -> Tenant:
    return await seed_tenant(sqlite_url, user_id="sdk_user")


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as r:
        yield r


def sdk_client(issuer: ServedIssuer, tenant: Tenant) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=issuer.url,
        token=tenant.api_key,
        prefix="",
        auth_header_name="X-API-Key",
        raise_on_unexpected_status=True,
    )


def assert_voice_session(
    created: Any, session: Any, *, agent_id: str, tenant: Tenant, livekit: LiveKitServer
) -> None:
    assert isinstance(created, VoiceSessionCreated), created
    assert created.livekit_url == livekit.url
    claims = jwt.decode(created.token, options={"verify_signature": False})
    assert (claims["video"]["room"], claims["sub"]) == (created.room_name, tenant.user_id)
    assert isinstance(session, SessionPublic), session
    assert (session.id, session.agent_id) == (created.session_id, agent_id)
    assert session.kind is SessionKind.VOICE
    assert session.status is SessionStatus.CREATED
    assert session.room_name == created.room_name
    assert session.metadata is not None and session.metadata.to_dict() == {"from": "sdk"}


def run_sync(issuer: ServedIssuer, tenant: Tenant, receiver_url: str) -> dict[str, Any]:
    """The sync SDK, in a thread of its own (the receiver runs on the test's loop)."""
    with sdk_client(issuer, tenant) as client:
        agent = create_agent.sync(
            client=client,
            body=AgentSpec(name="Sync SDK", architecture=AgentSpecArchitecture.PIPELINE),
        )
        assert isinstance(agent, AgentPublic), agent
        body = VoiceSessionCreate.from_dict({"agent_id": agent.id, "metadata": {"from": "sdk"}})
        created = create_voice_session.sync(client=client, body=body)
        assert isinstance(created, VoiceSessionCreated), created
        session = get_session.sync(created.session_id, client=client)
        missing = get_session.sync("ses_missing", client=client)
        endpoint = create_webhook_endpoint.sync(
            client=client, body=WebhookEndpointCreate(url=receiver_url)
        )
        assert isinstance(endpoint, WebhookEndpointWithSecret), endpoint
        delivery = send_test_event.sync(endpoint.id, client=client)
    return {
        "agent": agent,
        "created": created,
        "session": session,
        "missing": missing,
        "endpoint": endpoint,
        "delivery": delivery,
    }


async def test_python_sdk_sync(
    issuer: ServedIssuer, tenant: Tenant, receiver: WebhookReceiver, livekit_server: LiveKitServer
) -> None:
    got = await asyncio.to_thread(run_sync, issuer, tenant, receiver.url)
    agent: AgentPublic = got["agent"]
    assert_voice_session(
        got["created"], got["session"], agent_id=agent.id, tenant=tenant, livekit=livekit_server
    )
    missing = got["missing"]
    assert isinstance(missing, ErrorBody) and missing.error.code == "session_not_found"
    delivery = got["delivery"]
    assert isinstance(delivery, DeliveryPublic), delivery
    (received,) = await receiver.wait_for(1)
    event = verify_webhook(received.body, received.headers, got["endpoint"].secret)
    assert event["type"] == "webhook.test"
    assert received.webhook_id == delivery.message_id
    with pytest.raises(SignatureError):
        verify_webhook(received.body + b" ", received.headers, got["endpoint"].secret)


async def test_python_sdk_async(
    issuer: ServedIssuer, tenant: Tenant, receiver: WebhookReceiver, livekit_server: LiveKitServer
) -> None:
    async with sdk_client(issuer, tenant) as client:
        endpoint = await create_webhook_endpoint.asyncio(
            client=client,
            body=WebhookEndpointCreate.from_dict(
                {"url": receiver.url, "events": ["session.created"]}
            ),
        )
        assert isinstance(endpoint, WebhookEndpointWithSecret), endpoint
        agent = await create_agent.asyncio(
            client=client,
            body=AgentSpec(name="Async SDK", architecture=AgentSpecArchitecture.PIPELINE),
        )
        assert isinstance(agent, AgentPublic), agent
        body = VoiceSessionCreate.from_dict({"agent_id": agent.id, "metadata": {"from": "sdk"}})
        created = await create_voice_session.asyncio(client=client, body=body)
        assert isinstance(created, VoiceSessionCreated), created
        detailed = await get_session.asyncio_detailed(created.session_id, client=client)
        assert detailed.status_code == 200
        assert_voice_session(
            created, detailed.parsed, agent_id=agent.id, tenant=tenant, livekit=livekit_server
        )
    # The session's own lifecycle webhook, delivered by the issuer's dispatcher.
    (received,) = await receiver.wait_for(1)
    event = verify_webhook(received.body, received.headers, endpoint.secret)
    assert event["type"] == "session.created"
    assert event["data"]["session"]["id"] == created.session_id


# The TypeScript SDK as a Node backend uses it, with its own webhook endpoint on loopback.
_TS_FLOW = """
const { createServer } = await import("node:http");
let deliver;
const received = new Promise((resolve) => { deliver = resolve; });
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(204).end();
    server.close();
    deliver({ body: Buffer.concat(chunks), headers: req.headers });
  });
});
await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
input.port = server.address().port;

const client = sdk.createCallwrightClient({ baseUrl: input.issuer, apiKey: input.apiKey });
const agent = await client.POST("/v1/agents", {
  body: { name: "TypeScript SDK", architecture: "pipeline" },
});
const created = await client.POST("/v1/sessions/voice", {
  body: { agent_id: agent.data.id, metadata: { from: "sdk" } },
});
const session = await client.GET("/v1/sessions/{session_id}", {
  params: { path: { session_id: created.data.session_id } },
});
const missing = await client.GET("/v1/sessions/{session_id}", {
  params: { path: { session_id: "ses_missing" } },
});
const endpoint = await client.POST("/v1/webhook-endpoints", {
  body: { url: `http://127.0.0.1:${input.port}/hooks`, events: ["session.created"] },
});
const test = await client.POST("/v1/webhook-endpoints/{endpoint_id}/test", {
  params: { path: { endpoint_id: endpoint.data.id } },
});
const hook = await received;
const event = await sdk.verifyWebhook(hook.body, hook.headers, endpoint.data.secret);
let forged = null;
try {
  await sdk.verifyWebhook(hook.body.toString() + " ", hook.headers, endpoint.data.secret);
} catch (error) {
  forged = error.name;
}
console.log(JSON.stringify({
  agent: agent.data, created: created.data, session: session.data,
  missing: { status: missing.response.status, error: missing.error },
  test: test.data, event, forged,
}));
"""


async def test_typescript_sdk(
    issuer: ServedIssuer, tenant: Tenant, livekit_server: LiveKitServer
) -> None:
    got = await asyncio.to_thread(
        run_with_client, _TS_FLOW, {"issuer": issuer.url, "apiKey": tenant.api_key}
    )
    created, session = got["created"], got["session"]
    assert created["livekit_url"] == livekit_server.url
    claims = jwt.decode(created["token"], options={"verify_signature": False})
    assert (claims["video"]["room"], claims["sub"]) == (created["room_name"], tenant.user_id)
    assert session["id"] == created["session_id"]
    assert session["agent_id"] == got["agent"]["id"]
    assert (session["kind"], session["status"]) == ("voice", "created")
    assert session["metadata"] == {"from": "sdk"}
    assert got["missing"]["status"] == 404
    assert got["missing"]["error"]["error"]["code"] == "session_not_found"
    assert got["event"]["type"] == "webhook.test"
    assert got["event"]["data"] is not None
    assert got["forged"] == "SignatureError"


def operator_doc_flow(issuer_url: str) -> dict[str, Any]:
    """docs/operator.md's Python block, run as written but for its issuer's address; its
    two free names are the operator's token and the signup page's own storage."""
    doc = (Path(__file__).parents[2] / "docs" / "operator.md").read_text()
    section = doc.split("## Signup and billing with the Python SDK", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/operator.md has no Python block under its SDK section"
    placeholder = 'ISSUER = "https://voice.example.com"'
    assert placeholder in match.group(1)
    code = match.group(1).replace(placeholder, f"ISSUER = {issuer_url!r}")
    saved: dict[str, str] = {}
    namespace: dict[str, Any] = {
        "OPERATOR_TOKEN": OPERATOR_TOKEN,
        "save_for_customer": saved.__setitem__,
    }
    exec(compile(code, "docs/operator.md", "exec"), namespace)
    audit = namespace["admin_list_audit"].sync(
        client=namespace["operator"], org_id=namespace["org"].id
    )
    # The block leaves its clients open, as a script that exits may; a test closes them.
    for client in (namespace["operator"], namespace["customer"]):
        client.get_httpx_client().close()
    return {**namespace, "saved": saved, "audit": audit}


async def test_the_operator_docs_signup_and_billing_flow_runs_as_written(
    issuer: ServedIssuer,
) -> None:
    got = await asyncio.to_thread(operator_doc_flow, issuer.url)
    org_id = got["org"].id
    assert got["saved"] == {org_id: got["key"].api_key}
    grant, retried = got["grant"], got["retried"]
    assert isinstance(grant, CreditGrant) and isinstance(retried, CreditGrant)
    assert (grant.created, grant.balance) == (True, 6000)
    assert (retried.created, retried.balance) == (False, 6000)
    assert isinstance(got["call"], VoiceSessionCreated), got["call"]

    # The invoice's numbers are the ledger's: one grant, the call's hold settled.
    usage, ledger = got["usage"], got["ledger"]
    assert isinstance(usage, UsageReport) and isinstance(ledger, LedgerList)
    assert not ledger.has_more
    grants = [e for e in ledger.data if e.kind.value == "grant"]
    assert [(e.amount, e.reference) for e in grants] == [(6000, "inv_0001")]
    captured = sum(e.amount for e in ledger.data if e.kind.value == "capture")
    assert usage.total.credits_captured == captured
    assert {e.session_id for e in ledger.data if e.kind.value == "hold"} == {got["call"].session_id}

    audit = got["audit"]
    assert isinstance(audit, AuditList)
    assert all(entry.actor == "api" and entry.org_id == org_id for entry in audit.data)
    assert len(audit.data) == 5  # organization, user, key, one grant (not two), agent
