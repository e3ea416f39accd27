"""Chat sessions: their record, their history, and the credits of each message.

A chat session is `active` from its creation (nobody has to join a room) until End
Session, or until it expires `max_duration_seconds` after creation
(CALLWRIGHT_CHAT_SESSION_TTL_SECONDS; `max_duration_reached`). Both go through
`sessions.settle`, which charges a chat session nothing more.

One message, in two short transactions around the LLM call, so that a message is never
charged without a reply and never answered without being paid for:

1. `reserve_message`: the session must still be open; the message's price is held
   (ledger `hold`) and counted in the session's `credits_held` → 402 / 409.
2. the LLM runs (no transaction open).
3. `finish_message`: the hold is captured (a reply) or released (a failure), and the
   turn is appended to the session's `transcript`. If the session was settled in the
   meantime, settlement has already released the hold and the turn is dropped.

A worker or issuer that dies between 1 and 3 leaves the price in the session's
`credits_held`; the session's settlement releases it. Both transactions touch the
session row before the organization row, the order `sessions.settle` uses, so they
cannot deadlock with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared import credits
from callwright_shared.db.models import Session, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import InsufficientCreditsError, SessionEndedError


@dataclass(frozen=True, slots=True)
class Turn:
    role: str
    content: str


@dataclass(frozen=True, slots=True)
class MessageUsage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def new_chat_session(
    *,
    session_id: str,
    org_id: str,
    user_id: str,
    agent_id: str,
    credits_per_message: int,
    ttl_seconds: int,
    metadata: dict[str, Any] | None,
) -> Session:
    now = utcnow()
    return Session(
        id=session_id,
        org_id=org_id,
        user_id=user_id,
        agent_id=agent_id,
        kind=SessionKind.CHAT,
        room_name=None,
        status=SessionStatus.ACTIVE,
        credits_per_minute=0,
        credits_per_message=credits_per_message,
        credits_held=0,
        credits_charged=0,
        max_duration_seconds=ttl_seconds,
        limited_by_credits=False,
        agent_seconds=0.0,
        request_metadata=metadata,
        usage={"messages": 0, "prompt_tokens": 0, "completion_tokens": 0},
        transcript=[],
        created_at=now,
        started_at=now,
    )


def expires_at(row: Session) -> datetime:
    return row.created_at + timedelta(seconds=row.max_duration_seconds)


def history_of(row: Session) -> list[Turn]:
    return [
        Turn(role=str(entry["role"]), content=str(entry["content"]))
        for entry in row.transcript or []
        if entry.get("role") in ("user", "assistant")
    ]


async def reserve_message(db: AsyncSession, row: Session) -> int:
    """Hold the price of one message; the caller commits. Returns the amount held.

    SessionEndedError when the session was settled; InsufficientCreditsError when the
    organization cannot pay for the message (nothing is then held).
    """
    price = row.credits_per_message
    claimed = (
        await db.execute(
            update(Session)
            .where(Session.id == row.id, Session.settled_at.is_(None))
            .values(credits_held=Session.credits_held + price)
            .returning(Session.id)
        )
    ).one_or_none()
    if claimed is None:
        raise SessionEndedError(f"Session '{row.id}' has ended.")
    balance = await credits.lock_organization(db, row.org_id)
    if balance.available < price:
        raise InsufficientCreditsError(
            "The organization does not have enough credits for this message."
        )
    await credits.place_hold(db, row.org_id, row.id, price)
    return price


async def finish_message(
    db: AsyncSession,
    row: Session,
    *,
    held: int,
    turns: list[Turn] | None,
    usage: MessageUsage | None,
) -> bool:
    """Capture the held price with the turns of a reply, or release it (`turns` None).

    The caller commits. False when the session was settled meanwhile: settlement has
    released the hold, nothing is charged and the turns are dropped.
    """
    current = (
        await db.execute(
            update(Session)
            .where(Session.id == row.id, Session.settled_at.is_(None))
            .values(credits_held=Session.credits_held - held)
            .returning(Session.transcript, Session.usage)
        )
    ).one_or_none()
    if current is None:
        return False
    charge = held if turns is not None else 0
    if turns is not None:
        now = utcnow().isoformat()
        transcript = [
            *(current.transcript or []),
            *({"role": t.role, "content": t.content, "created_at": now} for t in turns),
        ]
        totals = dict(current.usage or {})
        totals["messages"] = int(totals.get("messages", 0)) + 1
        if usage is not None:
            totals["prompt_tokens"] = int(totals.get("prompt_tokens", 0)) + usage.prompt_tokens
            totals["completion_tokens"] = (
                int(totals.get("completion_tokens", 0)) + usage.completion_tokens
            )
        await db.execute(
            update(Session)
            .where(Session.id == row.id)
            .values(
                transcript=transcript,
                usage=totals,
                credits_charged=Session.credits_charged + charge,
            )
        )
    await credits.settle_hold(db, row.org_id, row.id, held=held, charge=charge)
    return True
