"""A real multi-node LiveKit: two livekit-server nodes sharing a Redis server, a load
balancer in front of them (what LIVEKIT_URL names in a multi-node deployment), workers
connected to one node each, and the issuer served over HTTP with both nodes' webhooks.

Which node hosts a room is LiveKit's choice (a random available node); the tests read it
from Redis (`room_node_map`, what every node routes by) rather than assume it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from callwright_devstack.api import credits_of
from callwright_devstack.checkout import ARTIFACTS
from callwright_devstack.emulators import DeepgramEmulator, OpenAIEmulator
from callwright_devstack.participant import Caller
from callwright_devstack.ports import free_tcp_port
from callwright_devstack.required import service_missing
from callwright_devstack.services.livekit_server import LiveKitServer, running_livekit
from callwright_devstack.services.redis_server import RedisServer
from callwright_devstack.services.served_issuer import ServedIssuer
from callwright_devstack.services.tcp_balancer import TcpBalancer
from callwright_devstack.services.worker_process import WorkerProcess, worker_env
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_devstack.waiting import eventually
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.settings import CallwrightSettings
from tests.e2e.support import (
    AGENT_REPLY,
    USER_TRANSCRIPT,
    served_by,
    wait_ended,
    webhook_url,
)
from tests.support.charges import expected_charge

pytestmark = pytest.mark.e2e

GREETING = "Hello from the cluster."
# Enough creations that a random placement misses a node with odds of 2**-29.
MAX_PLACEMENTS = 30


@dataclass
class Cluster:
    redis: RedisServer
    nodes: list[LiveKitServer]
    balancer: TcpBalancer
    settings: CallwrightSettings
    openai: OpenAIEmulator
    deepgram: DeepgramEmulator
    issuer_url: str
    speech_wav: Path
    tmp: str

    def worker(self, node: LiveKitServer, name: str) -> WorkerProcess:
        """A worker of the fleet whose LIVEKIT_URL is this one node."""
        return WorkerProcess(
            env=worker_env(self.settings, self.openai, self.deepgram, LIVEKIT_URL=node.url),
            log_path=ARTIFACTS / f"worker-multinode-{self.tmp}-{name}.log",
        )

    def node_of_room(self, room_name: str) -> LiveKitServer | None:
        node_id = self.redis.command("HGET", "room_node_map", room_name)
        return next((n for n in self.nodes if n.node_id == node_id), None)


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    if not RedisServer.available():
        service_missing("redis-server (make system-deps installs Debian's redis-server)")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    tmp = tmp_path_factory.mktemp("multinode")
    database_url = f"sqlite+aiosqlite:///{tmp / 'callwright.db'}"
    await upgrade_async(database_url)
    issuer_port = free_tcp_port()
    openai = OpenAIEmulator(reply=AGENT_REPLY)
    deepgram = DeepgramEmulator(transcript=USER_TRANSCRIPT)
    with ExitStack() as stack:
        redis = stack.enter_context(running_redis())
        nodes = [
            stack.enter_context(
                running_livekit(
                    f"livekit-{tmp.name}-{name}.log",
                    webhook_url=webhook_url(issuer_port),
                    redis_address=redis.address,
                )
            )
            for name in ("a", "b")
        ]
        assert all(n.node_id for n in nodes), "a node's id is missing from its log"
        balancer = stack.enter_context(TcpBalancer([n.port for n in nodes]))
        # The issuer reaches LiveKit through the balancer, and gives callers its URL.
        settings = make_settings(
            database_url,
            nodes[0],
            livekit_url=balancer.url,
            livekit_agent_name=f"callwright-cluster-{uuid.uuid4().hex[:8]}",
        )
        wav = await asyncio.to_thread(make_speech_wav, "Hello, can you hear me?", tmp / "hello.wav")
        async with openai, deepgram:
            issuer = stack.enter_context(ServedIssuer(settings, port=issuer_port))
            yield Cluster(
                redis, nodes, balancer, settings, openai, deepgram, issuer.url, wav, tmp.name
            )


@pytest.fixture
async def client(cluster: Cluster) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=cluster.issuer_url, timeout=30) as c:
        yield c


async def tenant_of(cluster: Cluster) -> Tenant:
    return await seed_tenant(
        cluster.settings.database_url,
        user_id=f"caller_{uuid.uuid4().hex[:6]}",
        agent={"credits_per_minute": 6, "greeting": GREETING},
    )


async def create(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    response = await client.post(
        "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def placed_on(
    client: httpx.AsyncClient, tenant: Tenant, cluster: Cluster, node: LiveKitServer
) -> dict[str, Any]:
    """A session whose room LiveKit placed on `node`; the others are ended (End Session)."""
    for _ in range(MAX_PLACEMENTS):
        body = await create(client, tenant)
        host = cluster.node_of_room(body["room_name"])
        assert host is not None, f"room {body['room_name']} is on no node of the cluster"
        if host is node:
            return body
        ended = await client.post(f"/v1/sessions/{body['session_id']}/end", headers=tenant.headers)
        assert ended.status_code == 200, ended.text
    raise AssertionError(f"no room landed on node {node.node_id} in {MAX_PLACEMENTS} sessions")


async def a_whole_call(
    client: httpx.AsyncClient,
    tenant: Tenant,
    cluster: Cluster,
    body: dict[str, Any],
    *,
    via: str,
) -> dict[str, Any]:
    """The caller connects to `via`, hears the greeting, speaks, hears the answer and
    hangs up; returns the settled session."""
    caller = Caller(via, body["token"])
    await caller.join()
    try:
        await eventually(caller.agent_joined.is_set, within=60, what="the agent to join")
        await eventually(
            lambda: GREETING.split()[0] in caller.agent_text(), within=60, what="the greeting"
        )
        await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
        await caller.speak(cluster.speech_wav, then_silence_s=1.0)
        await eventually(
            lambda: AGENT_REPLY.split(",")[0] in caller.agent_text(),
            within=60,
            what="the agent's answer",
        )
        assert caller.agent_audio_peak_rms > 1000, "the agent's audio was silent"
    finally:
        await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"], within=60)
    assert (session["status"], session["end_reason"]) == ("ended", "user_left")
    assert session["credits_charged"] == expected_charge(session, 6) >= 1
    assert any(AGENT_REPLY in item["content"] for item in session["transcript"])
    return session


async def test_a_room_on_either_node_is_served_by_a_worker_on_the_other(
    cluster: Cluster, client: httpx.AsyncClient
) -> None:
    """One worker, on node A: a room LiveKit placed on node B gets its job across Redis;
    each caller connects to the node that does not host the room, and is relayed."""
    node_a, node_b = cluster.nodes
    worker = cluster.worker(node_a, "a")
    await asyncio.to_thread(worker.start)
    try:
        tenant = await tenant_of(cluster)
        for host, via in ((node_b, node_a), (node_a, node_b)):
            body = await placed_on(client, tenant, cluster, host)
            await a_whole_call(client, tenant, cluster, body, via=via.url)
            assert served_by([worker], body["session_id"]) == 0
    finally:
        await asyncio.to_thread(worker.stop)
    assert set(cluster.balancer.connections) <= {n.port for n in cluster.nodes}


async def test_a_node_killed_mid_call_leaves_new_sessions_to_the_other(
    cluster: Cluster, client: httpx.AsyncClient
) -> None:
    node_a, node_b = cluster.nodes
    workers = [cluster.worker(node_a, "a"), cluster.worker(node_b, "b")]
    await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    try:
        tenant = await tenant_of(cluster)
        # A call in progress on node A when its host dies.
        body = await placed_on(client, tenant, cluster, node_a)
        caller = Caller(node_a.url, body["token"])
        await caller.join()
        await eventually(caller.agent_joined.is_set, within=60, what="the agent to join")
        await asyncio.to_thread(node_a.kill)
        await caller.leave()

        # New sessions, through the balancer as the issuer and the callers use it, are
        # created and served on node B. A node killed without unregistering stays
        # selectable until its stats go stale (5 s): a creation meanwhile may be refused
        # with 503 livekit_unavailable, which the client retries as it is told.
        new: dict[str, Any] = {}

        async def created() -> bool:
            nonlocal new
            response = await client.post(
                "/v1/sessions/voice", json={"agent_id": tenant.agent_id}, headers=tenant.headers
            )
            if response.status_code == 503:
                assert response.json()["error"]["code"] == "livekit_unavailable", response.text
                return False
            assert response.status_code == 200, response.text
            new = response.json()
            return True

        for _ in range(2):
            await eventually(created, within=60, what="a session created after the kill")
            assert cluster.node_of_room(new["room_name"]) is node_b
            await a_whole_call(client, tenant, cluster, new, via=new["livekit_url"])
            assert served_by(workers, new["session_id"]) == 1

        # The call cut off with its node is settled too, charged by the recorded time.
        cut = await wait_ended(client, tenant, body["session_id"], within=120)
        assert cut["status"] in ("ended", "failed"), cut
        assert cut["credits_charged"] == expected_charge(cut, 6)
        # Every session refused meanwhile was released: nothing is left held.
        assert (await credits_of(client, tenant))["held"] == 0
    finally:
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))
