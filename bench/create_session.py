"""Create Voice Session: the issuer's latency and throughput beside raw LiveKit.

The issuer is measured as users meet it: `callwright issuer` (uvicorn) in its own process,
on a fresh SQLite database in a temporary directory — and, with `--database postgres`, on
a throwaway database of the PostgreSQL server named by CALLWRIGHT_BENCH_POSTGRES_URL —
called with httpx over loopback.

The baseline is what the issuer cannot avoid doing: the same livekit-server's CreateRoom
with the same agent dispatch (over its Twirp HTTP API on loopback, through livekit-api)
plus minting the participant token with livekit-api's AccessToken. A third series,
`GET /healthz` on the same issuer, measures the bare HTTP hop: baseline + that hop is the
floor no issuer reached over HTTP can beat (printed as the floor ratio).

Both are driven from this process's event loop, interleaved (one issuer call, one
baseline call, the order swapped every round; the concurrent blocks alternate the same
way) after a warm-up, so noise on this machine falls on both alike. The script starts its
own livekit-server and issuer and removes them, and the temporary directory, on exit.

    uv run python -m bench.create_session [--requests 200] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
from livekit import api
from sqlalchemy.engine import make_url

from bench._stats import Latency, Throughput
from bench._timing import Target, measure_concurrent, measure_sequential
from bench.results import Recording
from callwright_devstack.services.callwright_process import CallwrightProcess
from callwright_devstack.services.livekit_server import LiveKitServer
from callwright_devstack.tenants import Tenant, make_settings, seed_tenant
from callwright_issuer.livekit.rooms import create_room_request
from callwright_issuer.livekit.tokens import mint_participant_token
from callwright_shared.calls.dispatch import DispatchMetadata
from callwright_shared.calls.room_names import format_room_name
from callwright_shared.db.migrate import upgrade_async
from callwright_shared.ids import new_session_id
from callwright_shared.settings import CallwrightSettings

GOAL = 1.30
POSTGRES_URL_ENV = "CALLWRIGHT_BENCH_POSTGRES_URL"
BASELINE_USER_ID = "bench-baseline"
# Every session holds credits (an agent's default is 100); never let the balance be the limit.
SEED_CREDITS = 10**12
ISSUER_START_TIMEOUT = 30.0


class IssuerTarget:
    """`POST /v1/sessions/voice` on the issuer, over loopback HTTP with httpx."""

    name = "issuer"

    def __init__(self, client: httpx.AsyncClient, tenant: Tenant) -> None:
        self._client = client
        self._headers = tenant.headers
        self._body = {"agent_id": tenant.agent_id}

    async def call(self) -> None:
        response = await self._client.post(
            "/v1/sessions/voice", json=self._body, headers=self._headers
        )
        if response.status_code != 200:
            raise RuntimeError(f"issuer answered {response.status_code}: {response.text[:500]}")


class BaselineTarget:
    """The floor: CreateRoom with the agent dispatched, plus a participant token mint, built
    by the issuer's own pure builders from the issuer's own settings (no copy to drift)."""

    name = "baseline"

    def __init__(self, lkapi: api.LiveKitAPI, settings: CallwrightSettings, tenant: Tenant) -> None:
        self._lkapi = lkapi
        self._settings = settings
        self._tenant = tenant
        self._last_ms = 0

    def _room_name(self) -> str:
        # Unique like the issuer's (CreateRoom returns an existing room of the same name).
        self._last_ms = max(time.time_ns() // 1_000_000, self._last_ms + 1)
        return format_room_name(self._tenant.agent_id, BASELINE_USER_ID, self._last_ms)

    async def call(self) -> None:
        room_name = self._room_name()
        metadata = DispatchMetadata(
            session_id=new_session_id(),
            agent_id=self._tenant.agent_id,
            user_id=BASELINE_USER_ID,
            org_id=self._tenant.org_id,
        )
        await self._lkapi.room.create_room(
            create_room_request(
                self._settings,
                room_name=room_name,
                agent_name=self._settings.livekit_agent_name,
                dispatch_metadata=metadata.to_json(),
            )
        )
        mint_participant_token(self._settings, room_name=room_name, identity=BASELINE_USER_ID)


class HttpFloorTarget:
    """`GET /healthz` on the same issuer: the HTTP hop alone, which no issuer change removes."""

    name = "http_floor"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def call(self) -> None:
        response = await self._client.get("/healthz")
        if response.status_code != 200:
            raise RuntimeError(f"issuer /healthz answered {response.status_code}")


@dataclass(frozen=True)
class BenchConfig:
    requests: int
    concurrent_requests: int
    concurrency: int
    rounds: int
    warmup: int
    databases: tuple[str, ...]
    timeout: float


@dataclass(frozen=True)
class TargetResult:
    sequential: Latency
    concurrent: Throughput

    def as_json(self) -> dict[str, Any]:
        return {
            "sequential": self.sequential.as_ms(),
            "concurrent": {
                **self.concurrent.latency.as_ms(),
                "seconds": round(self.concurrent.seconds, 3),
                "sessions_per_second": round(self.concurrent.per_second, 1),
            },
        }


@dataclass(frozen=True)
class RunResult:
    database: str
    issuer: TargetResult
    baseline: TargetResult
    http_floor: Latency

    def ratios(self) -> dict[str, float]:
        """issuer ÷ baseline: above 1 the issuer is slower (for throughput: below 1).

        `floor_p50` is (baseline + the bare HTTP hop) ÷ baseline: the best p50 ratio an
        issuer reached over HTTP could show, were all of its own work free.
        """
        i, b = self.issuer, self.baseline
        return {
            "p50": i.sequential.p50 / b.sequential.p50,
            "p99": i.sequential.p99 / b.sequential.p99,
            "mean": i.sequential.mean / b.sequential.mean,
            "concurrent_p50": i.concurrent.latency.p50 / b.concurrent.latency.p50,
            "concurrent_p99": i.concurrent.latency.p99 / b.concurrent.latency.p99,
            "throughput": i.concurrent.per_second / b.concurrent.per_second,
            "floor_p50": (b.sequential.p50 + self.http_floor.p50) / b.sequential.p50,
        }

    def as_json(self) -> dict[str, Any]:
        ratios = self.ratios()
        return {
            "database": self.database,
            "issuer": self.issuer.as_json(),
            "baseline": self.baseline.as_json(),
            "http_floor": {"sequential": self.http_floor.as_ms()},
            "ratios": {name: round(value, 3) for name, value in ratios.items()},
            "goal_p50_ratio": GOAL,
            "goal_met": ratios["p50"] <= GOAL,
        }


# --- measurement ---------------------------------------------------------------------


async def run_targets(
    issuer: Target, baseline: Target, http_floor: Target, config: BenchConfig
) -> tuple[TargetResult, TargetResult, Latency]:
    """Latency of all three interleaved, then throughput of the issuer and the baseline."""
    sessions, everything = [issuer, baseline], [issuer, baseline, http_floor]
    # Warm-up: connections, the issuer's database pool, code paths; none of it is kept.
    await measure_sequential(everything, config.warmup)
    await measure_concurrent(sessions, config.concurrency * 2, config.concurrency, 2)

    sequential = await measure_sequential(everything, config.requests)
    concurrent = await measure_concurrent(
        sessions, config.concurrent_requests, config.concurrency, config.rounds
    )
    issuer_result, baseline_result = (
        TargetResult(sequential=Latency.of(sequential[t.name]), concurrent=concurrent[t.name])
        for t in sessions
    )
    return issuer_result, baseline_result, Latency.of(sequential[http_floor.name])


# --- services -------------------------------------------------------------------------


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A throwaway database on the server of CALLWRIGHT_BENCH_POSTGRES_URL, dropped after."""
    url = make_url(os.environ[POSTGRES_URL_ENV])  # checked by parse_args
    name = f"callwright_bench_{secrets.token_hex(4)}"
    admin: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database or "postgres",
    }
    conn = await asyncpg.connect(**admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(**admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def issuer_settings(database_url: str, livekit: LiveKitServer) -> CallwrightSettings:
    """The issuer's settings, the baseline's too. The benchmark's one key creates far
    beyond a tenant's limits: both off."""
    return make_settings(
        database_url, livekit, session_create_burst=0, default_max_concurrent_sessions=0
    )


# --- one run per database -------------------------------------------------------------


async def run_database(
    database: str, config: BenchConfig, livekit: LiveKitServer, workdir: Path
) -> RunResult:
    opened = sqlite_database(workdir) if database == "sqlite" else postgres_database()
    async with opened as database_url:
        await upgrade_async(database_url)
        tenant = await seed_tenant(database_url, credits_amount=SEED_CREDITS)
        settings = issuer_settings(database_url, livekit)
        # `callwright issuer` in its own process, as deployed.
        issuer = CallwrightProcess(
            "issuer", "--no-migrate", env=settings.to_env(), log=workdir / "issuer.log", cwd=workdir
        )
        await asyncio.to_thread(issuer.start, ISSUER_START_TIMEOUT)
        try:
            async with httpx.AsyncClient(base_url=issuer.url, timeout=30.0) as client:
                lkapi = api.LiveKitAPI(
                    livekit.http_url,
                    livekit.api_key,
                    livekit.api_secret,
                    timeout=aiohttp.ClientTimeout(total=30.0),
                    failover=False,
                )
                try:
                    results = await run_targets(
                        IssuerTarget(client, tenant),
                        BaselineTarget(lkapi, settings, tenant),
                        HttpFloorTarget(client),
                        config,
                    )
                finally:
                    await lkapi.aclose()
        finally:
            await asyncio.to_thread(issuer.stop)
    issuer_result, baseline, http_floor = results
    return RunResult(database, issuer=issuer_result, baseline=baseline, http_floor=http_floor)


@asynccontextmanager
async def sqlite_database(workdir: Path) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{workdir / 'callwright.db'}"


async def run(config: BenchConfig) -> list[RunResult]:
    if not LiveKitServer.available():
        raise SystemExit("livekit-server is not installed: run `make tools`.")
    with tempfile.TemporaryDirectory(prefix="callwright-bench-") as tmp:
        workdir = Path(tmp)
        with LiveKitServer(log_path=workdir / "livekit-server.log") as livekit:
            try:
                async with asyncio.timeout(config.timeout):
                    return [
                        await run_database(database, config, livekit, workdir)
                        for database in config.databases
                    ]
            except TimeoutError:
                raise SystemExit(
                    f"the benchmark did not finish within {config.timeout:.0f} s "
                    "(lower --requests, or raise --timeout)"
                ) from None


# --- output ---------------------------------------------------------------------------


def render_table(results: Sequence[RunResult], config: BenchConfig) -> str:
    width = 22
    lines = [
        f"create voice session: {config.requests} sequential and {config.concurrent_requests} "
        f"at {config.concurrency} in flight per side, interleaved (ratio = issuer ÷ baseline)",
        f"{'':<{width}}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}"
        f"{f'p50@{config.concurrency} ms':>12}{f'p99@{config.concurrency} ms':>12}"
        f"{'sessions/s':>12}",
    ]

    def ms(latency: Latency) -> str:
        return f"{latency.p50 * 1000:>9.2f}{latency.p99 * 1000:>9.2f}{latency.mean * 1000:>9.2f}"

    def row(label: str, result: TargetResult) -> str:
        c = result.concurrent
        return (
            f"{label:<{width}}{ms(result.sequential)}"
            f"{c.latency.p50 * 1000:>12.2f}{c.latency.p99 * 1000:>12.2f}{c.per_second:>12.1f}"
        )

    for result in results:
        r = result.ratios()
        lines += [
            row(f"issuer ({result.database})", result.issuer),
            row("baseline", result.baseline),
            f"{'ratio':<{width}}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['mean']:>9.2f}"
            f"{r['concurrent_p50']:>12.2f}{r['concurrent_p99']:>12.2f}{r['throughput']:>12.2f}",
            f"{'http floor (/healthz)':<{width}}{ms(result.http_floor)}{'-':>12}{'-':>12}{'-':>12}",
        ]
    for result in results:
        label = f" [{result.database}]" if len(results) > 1 else ""
        lines.append(
            f"p50 floor ratio{label}: {result.ratios()['floor_p50']:.2f} "
            "(baseline + the bare HTTP hop: the best an issuer over HTTP can show)"
        )
    for result in results:
        label = f" [{result.database}]" if len(results) > 1 else ""
        lines.append(f"p50 ratio{label}: {result.ratios()['p50']:.2f} (goal ≤ {GOAL:.2f})")
    return "\n".join(lines)


def as_document(results: Sequence[RunResult], config: BenchConfig) -> dict[str, Any]:
    return {
        "benchmark": "create_voice_session",
        "config": {
            "requests": config.requests,
            "concurrent_requests": config.concurrent_requests,
            "concurrency": config.concurrency,
            "rounds": config.rounds,
            "warmup": config.warmup,
        },
        "runs": [result.as_json() for result in results],
    }


def render_json(results: Sequence[RunResult], config: BenchConfig) -> str:
    return json.dumps(as_document(results, config), indent=2)


def parse_args(argv: Sequence[str] | None = None) -> tuple[BenchConfig, bool, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.create_session",
        description="Create-session latency and throughput: the issuer beside raw LiveKit.",
    )
    parser.add_argument("--requests", type=int, default=200, help="sequential calls per side")
    parser.add_argument(
        "--concurrent-requests", type=int, default=200, help="calls per side in the throughput run"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight")
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating blocks of the throughput run"
    )
    parser.add_argument("--warmup", type=int, default=20, help="sequential calls per side, unkept")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help=f"the issuer's database (postgres and both need {POSTGRES_URL_ENV})",
    )
    parser.add_argument("--timeout", type=float, default=110.0, help="seconds for the whole run")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--write", action="store_true", help="also write bench/results/create_session*.json"
    )
    args = parser.parse_args(argv)
    for name in ("requests", "concurrent_requests", "concurrency", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    if "postgres" in databases and not os.environ.get(POSTGRES_URL_ENV):
        parser.error(
            f"--database {args.database} needs {POSTGRES_URL_ENV} (a postgresql+asyncpg URL)"
        )
    config = BenchConfig(
        requests=args.requests,
        concurrent_requests=args.concurrent_requests,
        concurrency=args.concurrency,
        rounds=args.rounds,
        warmup=args.warmup,
        databases=databases,
        timeout=args.timeout,
    )
    return config, args.json, args.write


def main(argv: Sequence[str] | None = None) -> None:
    config, as_json, write = parse_args(argv)
    recording = Recording("create_session")
    try:
        results = asyncio.run(run(config))
    except RuntimeError as exc:  # a service failed to start or answered an error
        raise SystemExit(f"benchmark failed: {exc}") from None
    print(render_json(results, config) if as_json else render_table(results, config))
    if write:
        variant = "" if config.databases == ("sqlite",) else "-".join(config.databases)
        recording.write(as_document(results, config), variant)


if __name__ == "__main__":
    main()
