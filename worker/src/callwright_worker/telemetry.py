"""Optional OpenTelemetry export of the worker's traces, over OTLP/HTTP.

On when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; the
exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself (headers, timeout),
and OTEL_SERVICE_NAME names the service (`callwright-worker` by default). The spans are
livekit-agents' own (`agent_session`, `user_turn`, `agent_turn`, `llm_node`, `tts_node`,
…, with the room's sid as `gen_ai.conversation.id`), each also carrying the call's
`callwright.session_id`, `callwright.agent_id` and `callwright.org_id`.

Conversation text (instructions, what was said, tool arguments and results) is stripped
from the spans before export unless the operator opts in with
LIVEKIT_TELEMETRY_ALLOW_PII=true: one collector receives every organization's calls
(docs/security.md#telemetry-without-conversation-text). livekit-agents' own default
is the reverse.

`bind_call()` runs once per job, after its claim (job.entrypoint): it sets the job
process's exporter up the first time, and flushes the job's spans when it shuts down.
"""

from __future__ import annotations

import asyncio
import logging
import os

from livekit.agents import get_job_context
from livekit.agents import telemetry as agents_telemetry
from livekit.agents.telemetry import utils as telemetry_settings
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

logger = logging.getLogger(__name__)

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Every variable of the export an operator sets (docker-compose.yml passes each to the worker).
VARIABLES = (
    *ENDPOINT_VARIABLES,
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_SERVICE_NAME",
    "LIVEKIT_TELEMETRY_ALLOW_PII",
)
SESSION_ATTRIBUTE = "callwright.session_id"
FLUSH_TIMEOUT_MS = 5000

_provider: TracerProvider | None = None
# The attributes of the call each job serves, by job id (a process may run several jobs).
_calls: dict[str, dict[str, str]] = {}


def enabled() -> bool:
    return any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def allow_pii() -> bool:
    """Conversation text on exported spans: only when LIVEKIT_TELEMETRY_ALLOW_PII is true."""
    return telemetry_settings.allow_pii_from_env() is True


class _CallAttributes(SpanProcessor):
    """Stamps the call's ids on every span started inside its job."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        ctx = get_job_context(required=False)
        if ctx is not None and (attributes := _calls.get(ctx.job.id)) is not None:
            span.set_attributes(attributes)


def configure() -> None:
    """Export livekit-agents' traces from this process, when an endpoint is set."""
    global _provider
    if _provider is not None or not enabled():
        return
    service = os.environ.get("OTEL_SERVICE_NAME") or "callwright-worker"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(_CallAttributes())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    agents_telemetry.set_tracer_provider(provider, allow_pii=allow_pii())
    _provider = provider
    logger.info(
        "exporting traces over OTLP/HTTP",
        extra={"service": service, "conversation_text": allow_pii()},
    )


def bind_call(*, session_id: str, agent_id: str, org_id: str) -> None:
    """Stamp this job's spans with its call and flush them when the job shuts down."""
    configure()
    ctx = get_job_context(required=False)
    if _provider is None or ctx is None:
        return
    job_id = ctx.job.id
    _calls[job_id] = {
        SESSION_ATTRIBUTE: session_id,
        "callwright.agent_id": agent_id,
        "callwright.org_id": org_id,
    }

    async def flush() -> None:
        provider = _provider
        if provider is not None:
            # The exporter posts synchronously: off the job's event loop.
            await asyncio.to_thread(provider.force_flush, FLUSH_TIMEOUT_MS)
        _calls.pop(job_id, None)

    ctx.add_shutdown_callback(flush)
