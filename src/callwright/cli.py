"""The `callwright` command. Each admin subcommand prints one JSON object.

    callwright issuer [--host H] [--port P] [--workers N] [--no-migrate]
    callwright worker {dev,start,console} [livekit-agents options]
    callwright db upgrade
    callwright dev                      what `make run` starts
    callwright web [--host H] [--port P]  the browser page and its backend proxy
    callwright doctor [--json]          what is wrong with this deployment, and how to fix it
    callwright admin create-org --name N
    callwright admin create-user --org ORG --user-id U
    callwright admin create-key --org ORG --user U [--scope full|sessions]
    callwright admin revoke-key --key-id K
    callwright admin add-credits --org ORG --amount N [--reference R]
    callwright admin create-agent --org ORG --name N --architecture A [--config-file F]
    callwright admin set-price --org ORG [--agent ID] [--credits-per-minute N]
                               [--credits-per-message N] [--credits-per-analysis N]
                               [--clear]
    callwright admin set-concurrency --org ORG --max N
    callwright admin tool-secret --org ORG [--rotate]

Errors print `{"error": {...}}` (the API's error body) on stderr and exit 1.

The command itself needs only callwright-shared; each service is an extra of the
`callwright` package (pyproject.toml): `issuer` for `issuer`, `worker` for `worker`,
`web` for `web`, all three for `dev`. Each image installs one, so a command whose extra is
missing says which one to install instead of failing with an ImportError. (The web image
installs callwright-web alone and runs its own `callwright-web`.) `dev` runs only from a
checkout: it needs callwright-devstack, which the dev dependency group installs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence

from callwright_shared.db.models import Architecture
from callwright_shared.errors import CallwrightError, InvalidRequestError

# The extras of the `callwright` package, by the member module each one installs.
EXTRA_MODULES = {
    "issuer": "callwright_issuer",
    "worker": "callwright_worker",
    "web": "callwright_web",
}
# The extras each command needs; the others (db, admin) run on callwright-shared alone.
COMMAND_EXTRAS = {
    "issuer": ("issuer",),
    "web": ("web",),
    "worker": ("worker",),
    "dev": ("issuer", "worker", "web"),
}


def require_extras(command: str) -> None:
    missing = [
        extra
        for extra in COMMAND_EXTRAS.get(command, ())
        if importlib.util.find_spec(EXTRA_MODULES[extra]) is None
    ]
    if missing:
        flags = " ".join(f"--extra {extra}" for extra in missing)
        raise InvalidRequestError(
            f"`callwright {command}` needs callwright[{','.join(missing)}], which is not "
            f"installed (uv sync --package callwright {flags}).",
            param="command",
        )


def require_checkout() -> None:
    """`callwright dev` starts the checkout's LiveKit build and page bundle: it lives in
    callwright-devstack, a member of the dev group, never in an image."""
    if importlib.util.find_spec("callwright_devstack") is None:
        raise InvalidRequestError(
            "`callwright dev` runs from a checkout of the repository, with its dev "
            "dependencies (uv sync): callwright-devstack is not installed.",
            param="command",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callwright", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    issuer = sub.add_parser("issuer", help="run the HTTP API")
    issuer.add_argument("--host")
    issuer.add_argument("--port", type=int)
    issuer.add_argument("--workers", type=int, default=1)
    issuer.add_argument("--no-migrate", action="store_true", help="skip `db upgrade` at start")

    worker = sub.add_parser("worker", help="run the agent worker (livekit-agents CLI)")
    worker.add_argument("mode", choices=["dev", "start", "console"])
    worker.add_argument("rest", nargs=argparse.REMAINDER)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply the Alembic migrations")

    sub.add_parser("dev", help="start LiveKit, the issuer, the worker and the page locally")

    web = sub.add_parser("web", help="serve the browser page and its backend proxy")
    web.add_argument("--host")
    web.add_argument("--port", type=int)

    doctor = sub.add_parser(
        "doctor", help="check the database, LiveKit, the worker, webhooks and providers"
    )
    doctor.add_argument("--json", action="store_true", help="one JSON object instead of lines")

    admin = sub.add_parser("admin", help="operator commands")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    p = admin_sub.add_parser("create-org")
    p.add_argument("--name", required=True)
    p = admin_sub.add_parser("create-user")
    p.add_argument("--org", required=True)
    p.add_argument("--user-id", required=True)
    p = admin_sub.add_parser("create-key")
    p.add_argument("--org", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--scope", choices=["full", "sessions"], default="full")
    p = admin_sub.add_parser("revoke-key")
    p.add_argument("--key-id", required=True)
    p = admin_sub.add_parser("add-credits")
    p.add_argument("--org", required=True)
    p.add_argument("--amount", type=int, required=True)
    p.add_argument(
        "--reference", help="the invoice or payment it is for: the same reference grants once"
    )
    p = admin_sub.add_parser("create-agent")
    p.add_argument("--org", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--architecture", required=True, choices=[a.value for a in Architecture])
    p.add_argument("--config-file")
    p = admin_sub.add_parser(
        "set-price", help="the organization's (or, with --agent, one agent's) prices"
    )
    p.add_argument("--org", required=True)
    p.add_argument("--agent", help="an agent id: a per-agent override")
    p.add_argument("--credits-per-minute", type=int, help="price of a voice minute (0 = free)")
    p.add_argument("--credits-per-message", type=int, help="price of a chat message (0 = free)")
    p.add_argument(
        "--credits-per-analysis", type=int, help="price of a post-call analysis (0 = free)"
    )
    p.add_argument(
        "--clear", action="store_true", help="remove this scope's prices first (inherit again)"
    )
    p = admin_sub.add_parser("set-concurrency")
    p.add_argument("--org", required=True)
    p.add_argument(
        "--max",
        type=int,
        required=True,
        help="0 returns the organization to CALLWRIGHT_DEFAULT_MAX_CONCURRENT_SESSIONS",
    )
    p = admin_sub.add_parser(
        "tool-secret", help="the organization's secret that signs its agents' tool calls"
    )
    p.add_argument("--org", required=True)
    p.add_argument("--rotate", action="store_true", help="replace it by a new one, at once")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        require_extras(args.command)
        if args.command == "issuer":
            from callwright.issuer_server import serve

            serve(host=args.host, port=args.port, workers=args.workers, migrate=not args.no_migrate)
        elif args.command == "worker":
            from callwright_worker.server import run

            run([args.mode, *args.rest])
        elif args.command == "db":
            from callwright_shared.db.migrate import upgrade
            from callwright_shared.settings import CallwrightSettings

            upgrade(CallwrightSettings().database_url)
            print(json.dumps({"upgraded": True}))
        elif args.command == "dev":
            require_checkout()
            from callwright_devstack.dev import run_dev

            run_dev()
        elif args.command == "web":
            from callwright_web.app import serve as serve_web

            serve_web(host=args.host, port=args.port)
        elif args.command == "doctor":
            from callwright.doctor import run_doctor
            from callwright_shared.settings import CallwrightSettings

            sys.exit(run_doctor(CallwrightSettings(), as_json=args.json))
        elif args.command == "admin":
            from callwright.admin import run_admin

            print(json.dumps(run_admin(args)))
    except CallwrightError as exc:
        print(json.dumps(exc.body()), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
