"""The Deepgram emulator's finals, on the clock of the audio it receives (no wall clock):
shortly after each pause as Deepgram sends them with the plugin's `endpointing=25`, a
sentence with pauses as several finals, `speech_final` on each endpoint."""

from __future__ import annotations

import pytest

from callwright_devstack.emulators.deepgram_emulator import (
    Event,
    SpeechStarted,
    Transcriber,
    Transcript,
    UtteranceEnd,
    _endpointing_ms,
)

pytestmark = pytest.mark.unit

CHUNK_S = 0.01


class Script:
    def __init__(self, *transcripts: str) -> None:
        self.transcripts = list(transcripts)
        self.taken: list[str] = []

    def __call__(self) -> str:
        text = self.transcripts[min(len(self.taken), len(self.transcripts) - 1)]
        self.taken.append(text)
        return text


def feed(transcriber: Transcriber, *parts: tuple[str, float]) -> list[tuple[float, Event]]:
    """("voice" | "silence", seconds) in 10 ms chunks; each event with the audio clock
    at which it was answered."""
    answered: list[tuple[float, Event]] = []
    for kind, seconds in parts:
        for _ in range(round(seconds / CHUNK_S)):
            for event in transcriber.audio(CHUNK_S, voiced=kind == "voice"):
                answered.append((transcriber.clock_s, event))
    return answered


def finals(answered: list[tuple[float, Event]]) -> list[tuple[float, Transcript]]:
    return [(at, e) for at, e in answered if isinstance(e, Transcript)]


def test_a_sentence_is_final_one_endpointing_silence_after_it_ends() -> None:
    script = Script("can you help me")
    transcriber = Transcriber(script, endpointing_ms=25)
    answered = feed(transcriber, ("voice", 1.2), ("silence", 0.5))
    [(at, final)] = finals(answered)
    assert final.text == "can you help me"
    assert final.speech_final
    assert (final.start_s, final.end_s) == pytest.approx((0.0, 1.2))
    # Answered on the first chunk with 25 ms of silence behind the speech.
    assert at - final.end_s == pytest.approx(0.03)
    assert [type(e) for _, e in answered] == [SpeechStarted, Transcript, UtteranceEnd]
    assert script.taken == ["can you help me"]


def test_a_sentence_with_short_pauses_is_several_finals() -> None:
    script = Script("i'd like to book a table for four people")
    transcriber = Transcriber(script, endpointing_ms=25, seconds_per_word=0.15)
    answered = feed(
        transcriber,
        ("voice", 0.45),
        ("silence", 0.1),
        ("voice", 0.45),
        ("silence", 0.1),
        ("voice", 0.45),
        ("silence", 0.5),
    )
    timed = finals(answered)
    assert [f.text for _, f in timed] == ["i'd like to", "book a table", "for four people"]
    assert all(f.speech_final for _, f in timed)
    # Each one endpointing silence after its part of the speech, in order.
    assert [round(at - f.end_s, 3) for at, f in timed] == [0.03, 0.03, 0.03]
    assert [round(f.start_s, 2) for _, f in timed] == [0.0, 0.55, 1.1]
    # One utterance, one scripted transcript; speech restarting after a final is told.
    assert script.taken == ["i'd like to book a table for four people"]
    assert sum(isinstance(e, SpeechStarted) for _, e in answered) == 3


def test_a_long_pause_ends_the_utterance_and_the_next_takes_the_next_transcript() -> None:
    script = Script("i'd like to book a table for", "four people")
    transcriber = Transcriber(script, endpointing_ms=25, utterance_gap_ms=300)
    answered = feed(transcriber, ("voice", 1.5), ("silence", 0.7), ("voice", 0.6), ("silence", 0.4))
    assert [f.text for _, f in finals(answered)] == ["i'd like to book a table for", "four people"]
    ends = [at for at, e in answered if isinstance(e, UtteranceEnd)]
    assert ends == pytest.approx([1.8, 2.8 + 0.3])


def test_words_not_yet_due_come_when_the_utterance_ends() -> None:
    # Slower than `seconds_per_word`: the endpoint's final has the words heard so far,
    # the rest follows when the utterance ends (later than Deepgram would: never kinder).
    transcriber = Transcriber(Script("one two three four five six"), seconds_per_word=0.15)
    answered = feed(transcriber, ("voice", 0.45), ("silence", 0.5))
    timed = finals(answered)
    assert [f.text for _, f in timed] == ["one two three", "four five six"]
    assert timed[1][0] == pytest.approx(0.45 + 0.3)


def test_without_endpointing_the_final_comes_at_the_utterance_s_end() -> None:
    transcriber = Transcriber(Script("hello"), endpointing_ms=None, utterance_gap_ms=300)
    [(at, final)] = finals(
        feed(transcriber, ("voice", 0.6), ("silence", 0.1), ("voice", 0.3), ("silence", 0.4))
    )
    assert (final.text, final.speech_final) == ("hello", False)
    assert at == pytest.approx(1.0 + 0.3)


def test_long_speech_without_a_pause_is_finalized_without_speech_final() -> None:
    transcriber = Transcriber(
        Script(" ".join(["word"] * 60)), max_segment_s=5.0, seconds_per_word=0.15
    )
    timed = finals(feed(transcriber, ("voice", 6.0), ("silence", 0.1)))
    assert [f.speech_final for _, f in timed] == [False, True]
    assert [at for at, _ in timed] == pytest.approx([5.0, 6.03], abs=0.011)


def test_a_blip_is_not_speech_and_takes_no_transcript() -> None:
    script = Script("hello")
    transcriber = Transcriber(script, min_voiced_ms=300)
    assert feed(transcriber, ("voice", 0.2), ("silence", 1.0)) == []
    assert script.taken == []


def test_finalize_makes_what_was_heard_final() -> None:
    transcriber = Transcriber(Script("one two three"), seconds_per_word=1.0)
    feed(transcriber, ("voice", 0.5))
    [final] = transcriber.finalize()
    assert isinstance(final, Transcript)
    assert (final.text, final.from_finalize, final.speech_final) == ("one two three", True, True)
    # Nothing heard: an empty final, as Deepgram answers a Finalize on silence.
    [empty] = transcriber.finalize()
    assert isinstance(empty, Transcript)
    assert (empty.text, empty.from_finalize) == ("", True)


def test_idle_ends_a_heard_utterance() -> None:
    transcriber = Transcriber(Script("hello there"), seconds_per_word=1.0)
    feed(transcriber, ("voice", 0.5))
    events = transcriber.idle()
    assert [type(e) for e in events] == [Transcript, UtteranceEnd]
    assert transcriber.idle() == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"endpointing": "25"}, 25.0), ({"endpointing": "false"}, None), ({}, 10.0)],
)
def test_endpointing_comes_from_the_query(query: dict[str, str], expected: float | None) -> None:
    assert _endpointing_ms(query) == expected
