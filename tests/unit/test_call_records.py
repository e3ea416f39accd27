"""The call record formats (callwright_shared.calls.records): rows stored before them
stay readable, and the latency summary is exact nearest-rank percentiles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callwright_shared.calls.records import (
    ChatUsage,
    TranscriptEntry,
    TurnLatency,
    VoiceUsage,
    entries_of,
    in_time_order,
    percentiles,
    summarize,
    usage_of,
)

pytestmark = pytest.mark.unit

AT = "2026-12-01T10:00:00+00:00"


def test_old_rows_read_as_typed_entries() -> None:
    stored = [
        {"role": "user", "content": "hi", "created_at": AT},  # the chat path, before
        {"role": "assistant", "content": "hello", "at": AT},  # the worker, before
        {"role": "event", "content": "user_away", "at": AT},  # rejoin
        {"role": "narrator", "content": "?"},  # nothing ever wrote this: left out
        {"content": "no role"},
    ]
    entries = entries_of(stored)
    assert [(e.role, e.content) for e in entries] == [
        ("user", "hi"),
        ("assistant", "hello"),
        ("event", "user_away"),
    ]
    assert {e.at for e in entries} == {datetime(2026, 12, 1, 10, tzinfo=UTC)}
    assert entries_of(None) == []


def test_an_entry_is_stored_without_empty_fields_and_reads_back() -> None:
    entry = TranscriptEntry(
        role="assistant",
        content="hello",
        at=datetime(2026, 12, 1, 10, tzinfo=UTC),
        latency=TurnLatency(llm_ttft_ms=420.0, e2e_ms=900.5),
    )
    stored = entry.stored()
    assert stored == {
        "role": "assistant",
        "content": "hello",
        "at": "2026-12-01T10:00:00Z",
        "latency": {"llm_ttft_ms": 420.0, "e2e_ms": 900.5},
    }
    assert entries_of([stored]) == [entry]


def test_nearest_rank_percentiles() -> None:
    assert percentiles([]) is None
    one = percentiles([7.0])
    assert one is not None and (one.n, one.p50, one.p99, one.max) == (1, 7.0, 7.0, 7.0)
    hundred = percentiles(float(v) for v in range(100, 0, -1))
    assert hundred is not None
    assert (hundred.n, hundred.p50, hundred.p90, hundred.p99, hundred.max) == (
        100,
        50.0,
        90.0,
        99.0,
        100.0,
    )


def test_summary_counts_turns_and_interruptions_and_parts() -> None:
    entries = [
        TranscriptEntry(role="user", content="a", latency=TurnLatency(end_of_turn_ms=500)),
        TranscriptEntry(role="assistant", content="b", latency=TurnLatency(e2e_ms=1000)),
        TranscriptEntry(role="user", content="c", latency=TurnLatency(end_of_turn_ms=700)),
        TranscriptEntry(
            role="assistant", content="d", interrupted=True, latency=TurnLatency(e2e_ms=1400)
        ),
        TranscriptEntry(role="event", content="ended", detail="user_left"),
    ]
    summary = summarize(entries)
    assert summary.turns.model_dump() == {"user": 2, "agent": 2, "interrupted": 1}
    assert summary.e2e_ms is not None and (summary.e2e_ms.n, summary.e2e_ms.max) == (2, 1400.0)
    assert summary.end_of_turn_ms is not None and summary.end_of_turn_ms.p50 == 500.0
    assert summary.llm_ttft_ms is None


def test_timeline_order_follows_speaking_times_not_arrival() -> None:
    def at(second: int) -> datetime:
        return datetime(2026, 12, 1, 10, 0, second, tzinfo=UTC)

    answer = TranscriptEntry(role="assistant", content="noon", at=at(5), started_speaking_at=at(4))
    late_user = TranscriptEntry(role="user", content="time?", at=at(6), started_speaking_at=at(1))
    event = TranscriptEntry(role="event", content="ended")  # no time: stays after the answer
    assert in_time_order([answer, event, late_user]) == [late_user, answer, event]


def test_usage_shapes() -> None:
    voice = usage_of(
        {"models": [{"type": "llm_usage", "provider": "openai", "model": "m", "input_tokens": 3}]},
        chat=False,
    )
    assert isinstance(voice, VoiceUsage)
    assert voice.models[0].model_dump()["input_tokens"] == 3
    chat = usage_of({"messages": 2, "prompt_tokens": 5, "completion_tokens": 7}, chat=True)
    assert chat == ChatUsage(messages=2, prompt_tokens=5, completion_tokens=7)
    assert usage_of(None, chat=True) is None
