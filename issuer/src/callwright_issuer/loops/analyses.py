"""The post-call analysis loop: every CALLWRIGHT_ANALYSIS_INTERVAL_SECONDS (0 turns it
off) each issuer claims due analyses (callwright_shared.sessions.analyses: leased, so
several issuers never run one twice) and runs them at once, each:

1. nothing said in the session (no caller or agent turn): `skipped`, nothing charged;
2. the price held, once (the agent's, else the organization's, else
   CALLWRIGHT_PRICE_ANALYSIS_CREDITS; an organization that cannot pay: `failed`, nothing
   charged);
3. one request to the operator's analysis LLM (sessions.analysis_models) with the
   transcript; its answer parsed and validated against the summary, success and the
   agent's `data_schema` (callwright_shared.analysis.requests);
4. an error or an answer that does not fit: tried again after
   CALLWRIGHT_ANALYSIS_RETRY_DELAY_SECONDS, up to CALLWRIGHT_ANALYSIS_ATTEMPTS, then
   `failed` with the reason and the hold released; a fitting answer: `succeeded` and
   the hold captured. Either end writes the session's `analysis` and queues
   `session.analyzed` (docs/decisions.md#analysis-webhook).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callwright_issuer.loops.background import every
from callwright_issuer.sessions.analysis_models import (
    AnalysisModel,
    AnalysisModelError,
    AnalysisRequest,
    analysis_model_of,
    analysis_settings_of,
)
from callwright_shared.analysis import requests
from callwright_shared.analysis.settings import AnalysisSettings
from callwright_shared.billing import pricing
from callwright_shared.db.engine import org_write
from callwright_shared.db.models import utcnow
from callwright_shared.sessions import analyses
from callwright_shared.sessions.analyses import Claimed, HoldOutcome

logger = logging.getLogger(__name__)

INSUFFICIENT_CREDITS = "the organization did not have enough credits for the analysis"


async def analysis_pass(state: Any, factory: async_sessionmaker[AsyncSession]) -> int:
    """Claim and run what is due; how many analyses were claimed."""
    settings = analysis_settings_of(state)
    model = analysis_model_of(state)
    claimed = await analyses.claim(
        factory,
        token=secrets.token_hex(16),
        now=utcnow(),
        lease_seconds=settings.lease_seconds,
        delay_seconds=settings.delay_seconds,
        limit=settings.batch,
    )
    if claimed:
        await asyncio.gather(*(_run(item, factory, model, settings) for item in claimed))
    return len(claimed)


async def _run(
    item: Claimed,
    factory: async_sessionmaker[AsyncSession],
    model: AnalysisModel,
    settings: AnalysisSettings,
) -> None:
    try:
        await _attempt(item, factory, model, settings)
    except Exception as exc:
        # The lease runs out and the attempt is made again (by any issuer).
        logger.warning(
            "analysis attempt not recorded",
            extra={"session_id": item.session_id, "error": type(exc).__name__},
        )


async def _attempt(
    item: Claimed,
    factory: async_sessionmaker[AsyncSession],
    model: AnalysisModel,
    settings: AnalysisSettings,
) -> None:
    spec = item.spec
    transcript = requests.transcript_text(item.transcript, max_chars=settings.max_transcript_chars)
    if spec is None or not transcript:
        async with factory() as db, org_write(db):
            await analyses.finish(db, item, status="skipped", model=None, attempted=False)
        return
    if item.credits_held is None:
        async with factory() as db, org_write(db):
            price = await pricing.analysis_price(
                db,
                org_id=item.org_id,
                agent_id=item.agent_id,
                default=settings.credits_per_analysis,
            )
            outcome = await analyses.hold(db, item, price=price)
            if outcome is HoldOutcome.INSUFFICIENT:
                await analyses.finish(
                    db,
                    item,
                    status="failed",
                    model=model.model,
                    error=INSUFFICIENT_CREDITS,
                    attempted=False,
                )
        if outcome is not HoldOutcome.HELD:
            return
    system, user = requests.messages(spec, transcript)
    request = AnalysisRequest(
        system=system["content"], user=user["content"], schema=requests.output_schema(spec)
    )
    try:
        text = await asyncio.wait_for(model.complete(request), settings.timeout_seconds)
        answer = requests.parse_answer(text, spec)
    except (AnalysisModelError, requests.InvalidAnswer) as exc:
        error = str(exc)
    except TimeoutError:
        error = f"the analysis model did not answer within {settings.timeout_seconds:g} s"
    else:
        async with factory() as db, org_write(db):
            await analyses.finish(db, item, status="succeeded", model=model.model, answer=answer)
        return
    logger.info(
        "analysis attempt failed",
        extra={"session_id": item.session_id, "attempt": item.attempts + 1, "error": error},
    )
    async with factory() as db, org_write(db):
        if item.attempts + 1 >= settings.attempts:
            await analyses.finish(db, item, status="failed", model=model.model, error=error)
        else:
            retry_at = utcnow() + timedelta(seconds=settings.retry_delay_seconds)
            await analyses.retry_later(db, item, at=retry_at, error=error)


async def run_analyses(
    state: Any, factory: async_sessionmaker[AsyncSession], stop: asyncio.Event
) -> None:
    interval = analysis_settings_of(state).interval_seconds

    async def one_pass() -> None:
        await analysis_pass(state, factory)

    await every(interval, stop, one_pass, name="analyses")
