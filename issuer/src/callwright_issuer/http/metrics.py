"""Prometheus metrics of the issuer."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("callwright_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "callwright_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class MetricsMiddleware:
    """Counts and times requests by route template. Pure ASGI: Starlette's
    BaseHTTPMiddleware would add a task and a stream copy to every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            LATENCY.labels(scope["method"], path).observe(time.perf_counter() - started)
            REQUESTS.labels(scope["method"], path, str(status)).inc()


# Outbound webhooks (callwright_issuer.outbound_webhooks.dispatcher).
WEBHOOK_DELIVERIES = Counter(
    "callwright_webhook_deliveries_total",
    "Webhook deliveries that finished, by outcome (succeeded, failed)",
    ["outcome"],
)
WEBHOOK_ATTEMPTS = Counter(
    "callwright_webhook_attempts_total",
    "Webhook HTTP attempts, by outcome (succeeded; rejected: a non-2xx answer; error: no "
    "answer; skipped: the endpoint was disabled or deleted)",
    ["outcome"],
)
WEBHOOK_BACKLOG = Gauge(
    "callwright_webhook_outbox_backlog",
    "Webhook deliveries pending (due or waiting for a retry), as of this issuer's last pass",
)

# Calls, from the records of settled sessions (callwright_issuer.loops.call_metrics).
TURN_LATENCY = Histogram(
    "callwright_turn_latency_seconds",
    "Per-turn latency of settled sessions by part (end_of_turn, transcription, llm_ttft, "
    "tts_ttfb, e2e), as livekit-agents measured it at the agent",
    ["part"],
    buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10),
)
CALLS_ENDED = Counter(
    "callwright_calls_ended_total",
    "Sessions settled, by kind (voice, chat) and end reason",
    ["kind", "end_reason"],
)
