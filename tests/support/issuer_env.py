"""The environment of an issuer process started on its own by a test: its database, a
LiveKit URL nothing listens on (these tests create no room), and its background loops
off unless a test turns one on."""

from __future__ import annotations


def issuer_env(database_url: str, **overrides: str) -> dict[str, str]:
    return {
        "CALLWRIGHT_ENV": "test",
        "DATABASE_URL": database_url,
        "LIVEKIT_URL": "ws://127.0.0.1:9",
        "LIVEKIT_API_KEY": "devkey",
        "LIVEKIT_API_SECRET": "x" * 40,
        "CALLWRIGHT_RECONCILE_INTERVAL_SECONDS": "0",
        "CALLWRIGHT_REDISPATCH_INTERVAL_SECONDS": "0",
        "CALLWRIGHT_WEBHOOK_DISPATCH_INTERVAL_SECONDS": "0",
        **overrides,
    }
