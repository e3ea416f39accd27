"""`callwright doctor`: what is wrong with a deployment, and how to fix it.

Each check is one small coroutine returning a `Finding`; the checks that need LiveKit
are skipped when LiveKit cannot be reached with the configured keys. What each one does:

- database: reachable, and migrated to the newest revision (Alembic);
- livekit: one ListRooms request signed with LIVEKIT_API_KEY / LIVEKIT_API_SECRET;
- worker: a probe room with the agent dispatched into it; a worker registered under
  LIVEKIT_AGENT_NAME takes the job (LiveKit records it in the room's dispatch), finds
  no session for the room and leaves (docs/decisions.md#doctor-worker-probe);
- livekit webhook: a probe room with no agent; LiveKit sends `room_started` to its
  configured webhook URLs, and an issuer that receives and verifies it marks the room's
  metadata, which the doctor reads back through LiveKit;
- each provider with a key: one authenticated read (OpenAI `GET /models`, Deepgram
  `GET /v1/projects`, Google `GET /v1beta/models`) at the configured base URL.

The probe rooms are deleted at the end; they hold no session and cost nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import httpx
from livekit import api
from sqlalchemy import text

from callwright_shared.calls.probe_rooms import (
    WEBHOOK_SEEN,
    WORKER_PROBE_METADATA,
    webhook_probe_room,
    worker_probe_room,
)
from callwright_shared.settings import CallwrightSettings

Status = Literal["ok", "problem", "skipped"]
# How long a probe waits for LiveKit's answer: a registered worker takes a job, and a
# webhook is delivered, well within a second on a healthy deployment.
PROBE_SECONDS = 10.0
_POLL_SECONDS = 0.2
_HTTP_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: Status
    detail: str  # what was found
    fix: str | None = None  # for a problem: what to change

    @property
    def ok(self) -> bool:
        return self.status != "problem"


def _ok(check: str, detail: str) -> Finding:
    return Finding(check, "ok", detail)


def _problem(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, "problem", detail, fix)


def _skipped(check: str, detail: str) -> Finding:
    return Finding(check, "skipped", detail)


def redacted(url: str) -> str:
    """A URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


# --- database ---


async def check_database(settings: CallwrightSettings) -> Finding:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from callwright_shared.db.engine import create_engine
    from callwright_shared.db.migrate import alembic_config

    name = "database"
    url = redacted(settings.database_url)
    heads = set(ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads())
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            current = set(
                await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_heads()
                )
            )
    except Exception as exc:  # any driver's error: reported, never raised
        return _problem(
            name,
            f"cannot reach the database at {url}: {type(exc).__name__}: {exc}".strip(),
            "Check DATABASE_URL (host, port, name, user, password) and that the database "
            "server is running and reachable from here.",
        )
    finally:
        await engine.dispose()
    if current != heads:
        at = ", ".join(sorted(current)) or "no revision (empty database)"
        return _problem(
            name,
            f"{url} is at {at}; this version of callwright needs {', '.join(sorted(heads))}",
            "Run `callwright db upgrade` (the issuer also migrates at start unless started "
            "with --no-migrate).",
        )
    return _ok(name, f"{url} is reachable and migrated ({', '.join(sorted(heads))})")


# --- LiveKit ---


def _livekit_client(settings: CallwrightSettings) -> api.LiveKitAPI:
    return api.LiveKitAPI(
        url=settings.livekit_http_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds),
        failover=False,
    )


_LIVEKIT_ERRORS = (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError)


async def check_livekit(settings: CallwrightSettings, livekit: api.LiveKitAPI) -> Finding:
    name = "livekit"
    where = settings.livekit_http_url
    try:
        await livekit.room.list_rooms(api.ListRoomsRequest(names=["callwright-doctor-ping"]))
    except api.TwirpError as exc:
        if exc.status == 401 or exc.code == api.TwirpErrorCode.UNAUTHENTICATED:
            return _problem(
                name,
                f"LiveKit at {where} refused callwright's credentials (401): "
                "LIVEKIT_API_SECRET does not match the server's keys for LIVEKIT_API_KEY="
                f"{settings.livekit_api_key}",
                "Set LIVEKIT_API_KEY and LIVEKIT_API_SECRET to a pair listed under `keys:` "
                "in the LiveKit server's config (livekit.yaml), on the issuer and the worker "
                "alike.",
            )
        return _problem(
            name,
            f"LiveKit at {where} answered {exc.status} {exc.code}: {exc.message}",
            "Check that LIVEKIT_URL points at the LiveKit server itself (not at a proxy "
            "that rewrites its API paths).",
        )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return _problem(
            name,
            f"cannot reach LiveKit at {where}: {type(exc).__name__} {exc}".strip(),
            "Check LIVEKIT_URL (the address this host reaches livekit-server on, e.g. "
            "ws://livekit:7880) and that livekit-server is running.",
        )
    return _ok(name, f"LiveKit at {where} accepts callwright's key {settings.livekit_api_key}")


async def _delete_room(livekit: api.LiveKitAPI, room: str) -> None:
    # When it fails, the room closes itself after its empty timeout.
    with contextlib.suppress(*_LIVEKIT_ERRORS):
        await livekit.room.delete_room(api.DeleteRoomRequest(room=room))


async def _within(seconds: float, condition: Callable[[], Awaitable[bool]]) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if await condition():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_POLL_SECONDS)


async def check_worker(
    settings: CallwrightSettings, livekit: api.LiveKitAPI, *, wait: float = PROBE_SECONDS
) -> Finding:
    name = "worker"
    agent = settings.livekit_agent_name
    room = worker_probe_room()
    try:
        await livekit.room.create_room(
            api.CreateRoomRequest(
                name=room,
                empty_timeout=int(wait) + 10,
                max_participants=1,
                agents=[api.RoomAgentDispatch(agent_name=agent, metadata=WORKER_PROBE_METADATA)],
            )
        )

        async def taken() -> bool:
            dispatches = await livekit.agent_dispatch.list_dispatch(room)
            return any(d.state.jobs for d in dispatches)

        seen = await _within(wait, taken)
    except _LIVEKIT_ERRORS as exc:
        return _problem(
            name,
            f"could not run the worker probe: {type(exc).__name__} {exc}".strip(),
            "See the livekit check above; LiveKit must accept CreateRoom from callwright.",
        )
    finally:
        await _delete_room(livekit, room)
    if not seen:
        return _problem(
            name,
            f"no worker registered as LIVEKIT_AGENT_NAME={agent} took a job within {wait:.0f} s",
            "Start the worker (`callwright worker start`) with the same LIVEKIT_URL, "
            f"LIVEKIT_API_KEY, LIVEKIT_API_SECRET and LIVEKIT_AGENT_NAME={agent}; its log "
            'says "registered worker" once LiveKit knows it. A running worker may also be '
            "full (CALLWRIGHT_WORKER_MAX_JOBS).",
        )
    return _ok(name, f"a worker registered as {agent} takes jobs")


async def check_webhook(
    settings: CallwrightSettings, livekit: api.LiveKitAPI, *, wait: float = PROBE_SECONDS
) -> Finding:
    name = "livekit webhook"
    room = webhook_probe_room()
    try:
        await livekit.room.create_room(
            api.CreateRoomRequest(name=room, empty_timeout=int(wait) + 10, max_participants=1)
        )

        async def marked() -> bool:
            listed = await livekit.room.list_rooms(api.ListRoomsRequest(names=[room]))
            return any(r.metadata == WEBHOOK_SEEN for r in listed.rooms)

        seen = await _within(wait, marked)
    except _LIVEKIT_ERRORS as exc:
        return _problem(
            name,
            f"could not run the webhook probe: {type(exc).__name__} {exc}".strip(),
            "See the livekit check above; LiveKit must accept CreateRoom from callwright.",
        )
    finally:
        await _delete_room(livekit, room)
    if not seen:
        return _problem(
            name,
            f"LiveKit's webhook for a new room did not reach the issuer within {wait:.0f} s",
            "In the LiveKit server's config, `webhook.urls` must list the issuer's "
            "<issuer URL>/v1/livekit/webhook at an address LiveKit can reach, and "
            "`webhook.api_key` must be LIVEKIT_API_KEY. If it does, look in the issuer's "
            'log for "webhook signature rejected" (the issuer\'s LIVEKIT_API_SECRET differs '
            "from the server's) and in LiveKit's log for failed webhook deliveries.",
        )
    return _ok(name, "LiveKit's webhooks reach the issuer, which verifies them")


# --- providers ---


@dataclass(frozen=True, slots=True)
class ProviderProbe:
    name: str
    key_env: str
    base_url_env: str
    request: httpx.Request


def deepgram_api_root(base_url: str | None) -> str:
    """DEEPGRAM_BASE_URL is the streaming endpoint (`…/v1/listen`, http or ws): its API
    root is the part before `/listen`."""
    if not base_url:
        return "https://api.deepgram.com/v1"
    url = base_url.rstrip("/")
    for scheme, http in (("wss://", "https://"), ("ws://", "http://")):
        if url.startswith(scheme):
            url = http + url.removeprefix(scheme)
    return url.removesuffix("/listen")


def provider_probes(settings: CallwrightSettings) -> list[ProviderProbe | str]:
    """One authenticated read per provider with a key; the name of each without one."""
    probes: list[ProviderProbe | str] = []
    if settings.openai_api_key and settings.openai_api_key.get_secret_value():
        key = settings.openai_api_key.get_secret_value()
        base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
        request = httpx.Request("GET", f"{base}/models", headers={"Authorization": f"Bearer {key}"})
        probes.append(ProviderProbe("OpenAI", "OPENAI_API_KEY", "OPENAI_BASE_URL", request))
    else:
        probes.append("OpenAI")
    if settings.deepgram_api_key and settings.deepgram_api_key.get_secret_value():
        key = settings.deepgram_api_key.get_secret_value()
        root = deepgram_api_root(settings.deepgram_base_url)
        request = httpx.Request(
            "GET", f"{root}/projects", headers={"Authorization": f"Token {key}"}
        )
        probes.append(ProviderProbe("Deepgram", "DEEPGRAM_API_KEY", "DEEPGRAM_BASE_URL", request))
    else:
        probes.append("Deepgram")
    if settings.google_api_key and settings.google_api_key.get_secret_value():
        key = settings.google_api_key.get_secret_value()
        base = (settings.google_base_url or "https://generativelanguage.googleapis.com").rstrip("/")
        request = httpx.Request("GET", f"{base}/v1beta/models", headers={"x-goog-api-key": key})
        probes.append(ProviderProbe("Google", "GOOGLE_API_KEY", "GOOGLE_BASE_URL", request))
    else:
        probes.append("Google")
    return probes


async def check_provider(probe: ProviderProbe, http: httpx.AsyncClient) -> Finding:
    name = f"provider {probe.name}"
    where = f"{probe.request.url.scheme}://{probe.request.url.netloc.decode()}"
    try:
        response = await http.send(probe.request)
    except httpx.HTTPError as exc:
        return _problem(
            name,
            f"cannot reach {probe.name} at {where}: {type(exc).__name__} {exc}".strip(),
            f"Check {probe.base_url_env} (unset means {probe.name}'s own API) and that this "
            "host may reach it (proxy, firewall, DNS).",
        )
    if response.status_code in (401, 403):
        return _problem(
            name,
            f"{probe.name} at {where} refused {probe.key_env} ({response.status_code})",
            f"Set {probe.key_env} to a valid key for {probe.name} (on the worker and the "
            "issuer), or unset it if no agent uses this provider.",
        )
    if response.status_code >= 400:
        return _problem(
            name,
            f"{probe.name} at {where} answered {response.status_code} to "
            f"{probe.request.method} {probe.request.url.path}",
            f"Check {probe.base_url_env}: it must be the provider's API base URL.",
        )
    return _ok(name, f"{probe.name} at {where} accepts {probe.key_env}")


# --- the whole examination ---


async def examine(settings: CallwrightSettings, *, wait: float = PROBE_SECONDS) -> list[Finding]:
    """Every check, in the order printed."""
    findings = [await check_database(settings)]
    livekit = _livekit_client(settings)
    try:
        reached = await check_livekit(settings, livekit)
        findings.append(reached)
        if reached.ok:
            findings += await asyncio.gather(
                check_worker(settings, livekit, wait=wait),
                check_webhook(settings, livekit, wait=wait),
            )
        else:
            why = "LiveKit is not reachable with the configured keys"
            findings += [_skipped("worker", why), _skipped("livekit webhook", why)]
    finally:
        await livekit.aclose()
    probes = provider_probes(settings)
    async with httpx.AsyncClient(timeout=_HTTP_SECONDS, follow_redirects=False) as http:
        for probe in probes:
            if isinstance(probe, str):
                findings.append(_skipped(f"provider {probe}", "no API key configured"))
            else:
                findings.append(await check_provider(probe, http))
    return findings


_MARKS = {"ok": "✓", "problem": "✗", "skipped": "-"}


def render(findings: list[Finding]) -> str:
    lines: list[str] = []
    for finding in findings:
        lines.append(f"{_MARKS[finding.status]} {finding.check}: {finding.detail}")
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
    problems = sum(not f.ok for f in findings)
    lines.append(
        "All is well." if not problems else f"{problems} problem{'s' * (problems > 1)} found."
    )
    return "\n".join(lines)


def run_doctor(settings: CallwrightSettings, *, as_json: bool = False) -> int:
    """Print the findings; the exit status: 0 when all is well, 1 otherwise."""
    findings = asyncio.run(examine(settings))
    if as_json:
        ok = all(f.ok for f in findings)
        print(json.dumps({"ok": ok, "checks": [asdict(f) for f in findings]}))
    else:
        print(render(findings))
    return 0 if all(f.ok for f in findings) else 1
