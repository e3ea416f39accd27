"""What the LLM sees of a chat session's history (`chat.context_of`)."""

from __future__ import annotations

import pytest

from callwright_shared.db.models import Session
from callwright_shared.sessions import chat
from callwright_shared.sessions.chat import Turn

pytestmark = pytest.mark.unit


def chat_with(*contents: str) -> Session:
    row = chat.new_chat_session(
        session_id="ses_test",
        org_id="org_test",
        user_id="user_1",
        agent_id="5b710eca",
        credits_per_message=1,
        ttl_seconds=3600,
        metadata=None,
    )
    roles = ("user", "assistant")
    row.transcript = [{"role": roles[i % 2], "content": c} for i, c in enumerate(contents)]
    return row


def test_everything_fits_within_the_bounds() -> None:
    row = chat_with("hi", "hello")
    assert chat.context_of(row, "next", max_turns=10, max_chars=100) == [
        Turn("user", "hi"),
        Turn("assistant", "hello"),
        Turn("user", "next"),
    ]


def test_the_oldest_turns_go_first_and_the_context_starts_with_a_user_turn() -> None:
    row = chat_with("u1", "a1", "u2", "a2")
    # Three turns allowed: a1 would lead, so it goes too.
    assert chat.context_of(row, "u3", max_turns=3, max_chars=1000) == [
        Turn("user", "u2"),
        Turn("assistant", "a2"),
        Turn("user", "u3"),
    ]


def test_the_character_budget_counts_the_new_message() -> None:
    row = chat_with("x" * 50, "y" * 50, "short", "reply")
    context = chat.context_of(row, "z" * 40, max_turns=100, max_chars=60)
    assert context == [Turn("user", "short"), Turn("assistant", "reply"), Turn("user", "z" * 40)]
    # A new message larger than the budget is still sent, alone.
    assert chat.context_of(row, "z" * 100, max_turns=100, max_chars=60) == [Turn("user", "z" * 100)]
