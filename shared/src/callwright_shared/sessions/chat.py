"""Chat sessions: their record, their history, and the credits of each message.

A chat session is `active` from its creation (nobody has to join a room) until End
Session, or until it expires `max_duration_seconds` after creation
(CALLWRIGHT_CHAT_SESSION_TTL_SECONDS; `max_duration_reached`). Both go through
`sessions.settle`, which charges a chat session nothing more.

One message, in short transactions around the LLM call, so that a reply is never
delivered without being paid for, and never paid for without being delivered:

1. `reserve_message`: the session must still be open and below its message limit; the
   message's price is held (ledger `hold`) and counted in the session's `credits_held`
   → 402 / 409.
2. the LLM runs (no transaction open).
3. a streamed reply: `capture_message` charges the hold as its first words go out —
   from then on the price is the session's `credits_charged`, which a settlement
   leaves alone — and `record_reply` appends the turns once the reply stopped.
   A whole reply: `finish_message` captures the hold with the turns, or releases it
   (a failure).
   If the session was settled before the charge, settlement has already released the
   hold: nothing was delivered, nothing is charged, the turn is dropped.

A worker or issuer that dies between 1 and 3 leaves the price in the session's
`credits_held`; the session's settlement releases it. Every transaction touches the
session row before the organization row, the order `sessions.settle` uses, so they
cannot deadlock with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared.billing import credits
from callwright_shared.calls.records import ToolCall, TranscriptEntry, TurnLatency, entries_of
from callwright_shared.db.models import Session, SessionKind, SessionStatus, utcnow
from callwright_shared.errors import (
    InsufficientCreditsError,
    MessageLimitError,
    SessionEndedError,
)
from callwright_shared.sessions import lifecycle as sessions


@dataclass(frozen=True, slots=True)
class Turn:
    role: str
    content: str
    # An assistant turn: how long the LLM took (callwright_shared.calls.records).
    latency: TurnLatency | None = None
    # A `tool` entry: the call the model made while answering (`content`: its name).
    tool: ToolCall | None = None


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
    config: dict[str, Any] | None = None,
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
        config=config,
        usage={"messages": 0, "prompt_tokens": 0, "completion_tokens": 0},
        transcript=[],
        created_at=now,
        started_at=now,
    )


def expires_at(row: Session) -> datetime:
    return sessions.chat_expires_at(row.created_at, row.max_duration_seconds)


def history_of(row: Session) -> list[Turn]:
    return [
        Turn(role=entry.role, content=entry.content)
        for entry in entries_of(row.transcript)
        if entry.role in ("user", "assistant")
    ]


def context_of(row: Session, message: str, *, max_turns: int, max_chars: int) -> list[Turn]:
    """What the LLM sees: the newest earlier turns within `max_turns` and `max_chars`
    (counting the new message), then the new message. The oldest turns are dropped from
    the context only, never from the transcript, and the context starts with a user turn.
    """
    budget = max_chars - len(message)
    kept: list[Turn] = []
    for turn in reversed(history_of(row)):
        if len(kept) == max_turns or len(turn.content) > budget:
            break
        kept.append(turn)
        budget -= len(turn.content)
    kept.reverse()
    while kept and kept[0].role != "user":
        kept.pop(0)
    return [*kept, Turn(role="user", content=message)]


async def reserve_message(db: AsyncSession, row: Session, *, max_messages: int) -> int:
    """Hold the price of one message; the caller commits. Returns the amount held.

    SessionEndedError when the session was settled; MessageLimitError when it already
    has `max_messages` replies; InsufficientCreditsError when the organization cannot pay
    for the message (nothing is then held).
    """
    # Counted from the replies recorded so far: messages in flight at the same moment can
    # pass together, each paid for.
    if int((row.usage or {}).get("messages", 0)) >= max_messages:
        raise MessageLimitError(
            f"This chat session has reached its limit of {max_messages} messages; "
            "start a new session."
        )
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
    org_lock = await credits.lock(db, row.org_id)
    if org_lock.available_to_hold < price:
        raise InsufficientCreditsError(
            "The organization does not have enough credits for this message."
        )
    await credits.hold(db, org_lock, session_id=row.id, amount=price)
    return price


async def finish_message(
    db: AsyncSession,
    row: Session,
    *,
    held: int,
    turns: list[Turn] | None,
    usage: MessageUsage | None,
) -> bool:
    """Capture the held price with the turns of a whole reply, or release it (`turns`
    None). The caller commits.

    False when the session was settled meanwhile: settlement has released the hold,
    nothing is charged and the turns are dropped.
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
        await _append_turns(db, row, current, turns, usage, charge=charge)
    await credits.settle_hold(db, row.org_id, row.id, held=held, charge=charge)
    return True


async def capture_message(db: AsyncSession, row: Session, *, held: int) -> bool:
    """Charge the held price as a streamed reply's first words go out. The caller commits.

    Once charged, the price is the session's `credits_charged`, no longer part of
    `credits_held`, so a settlement that follows cannot release it. False when the
    session was settled first: its settlement released the hold, and the reply must
    not go out.
    """
    charged = (
        await db.execute(
            update(Session)
            .where(Session.id == row.id, Session.settled_at.is_(None))
            .values(
                credits_held=Session.credits_held - held,
                credits_charged=Session.credits_charged + held,
            )
            .returning(Session.id)
        )
    ).one_or_none()
    if charged is None:
        return False
    await credits.settle_hold(db, row.org_id, row.id, held=held, charge=held)
    return True


async def record_reply(
    db: AsyncSession, row: Session, *, turns: list[Turn], usage: MessageUsage | None
) -> None:
    """Append the turns of a reply `capture_message` charged (also once the session ended:
    what was delivered and paid for is on the record). The caller commits."""
    current = (
        await db.execute(
            update(Session)  # a no-op write: it locks the row for the read-modify-write
            .where(Session.id == row.id)
            .values(transcript=Session.transcript)
            .returning(Session.transcript, Session.usage)
        )
    ).one()
    await _append_turns(db, row, current, turns, usage, charge=0)


async def is_settled(db: AsyncSession, row: Session) -> bool:
    settled_at = await db.scalar(select(Session.settled_at).where(Session.id == row.id))
    return settled_at is not None


async def _append_turns(
    db: AsyncSession,
    row: Session,
    current: Row[tuple[list[dict[str, Any]] | None, dict[str, Any] | None]],
    turns: list[Turn],
    usage: MessageUsage | None,
    *,
    charge: int,
) -> None:
    """Write the transcript and usage totals of one more reply, read under the row lock."""
    now = utcnow()
    transcript = [
        *(current.transcript or []),
        *(
            TranscriptEntry(
                role="tool"
                if t.tool is not None
                else "assistant"
                if t.role == "assistant"
                else "user",
                content=t.content,
                at=now,
                latency=t.latency,
                tool=t.tool,
            ).stored()
            for t in turns
        ),
    ]
    totals = dict(current.usage or {})
    totals["messages"] = int(totals.get("messages", 0)) + 1
    tool_calls = sum(t.tool is not None for t in turns)
    if tool_calls:
        totals["tool_calls"] = int(totals.get("tool_calls", 0)) + tool_calls
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
