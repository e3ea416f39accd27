"""Backchannels over the agent: which transcripts are one, and the agent's speech-to-text
stream that drops them while the agent speaks and only then."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from types import SimpleNamespace
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import Agent, ModelSettings, stt
from livekit.agents.language import LanguageCode

from callwright_worker.backchannels import is_backchannel, without_backchannels
from callwright_worker.tools import CallAgent

pytestmark = pytest.mark.unit

FINAL = stt.SpeechEventType.FINAL_TRANSCRIPT
INTERIM = stt.SpeechEventType.INTERIM_TRANSCRIPT
PREFLIGHT = stt.SpeechEventType.PREFLIGHT_TRANSCRIPT
START = stt.SpeechEventType.START_OF_SPEECH
END = stt.SpeechEventType.END_OF_SPEECH


@pytest.mark.parametrize(
    "text",
    [
        "mm-hmm",
        "Mm-hmm.",
        "uh-huh",
        "Uh huh!",
        "mhm",
        "yeah",
        "Yeah, yeah.",
        "okay",
        "OK.",
        "Right.",
        "yes",
        "sure",
        "I see.",
        "Oh, okay.",
        "all right",
        "got it",
        "Mm-hmm, right",
        "  yep  ",
    ],
)
def test_backchannels_are_recognized_whatever_their_case_and_punctuation(text: str) -> None:
    assert is_backchannel(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "...",
        "stop",
        "no",
        "wait",
        "um",
        "yeah but what about Sunday",
        "okay hold on",
        "hold on I have a question",
        "I",
        "see",
        "right now please",
        "yes I'd like to book a table",
    ],
)
def test_anything_more_is_not_a_backchannel(text: str) -> None:
    assert not is_backchannel(text)


def event(kind: stt.SpeechEventType, text: str | None = None) -> stt.SpeechEvent:
    alternatives = [] if text is None else [stt.SpeechData(language=LanguageCode("en"), text=text)]
    return stt.SpeechEvent(type=kind, alternatives=alternatives)


def described(events: list[stt.SpeechEvent | str]) -> list[tuple[str, str | None]]:
    return [
        ("str", e)
        if isinstance(e, str)
        else (e.type.value, e.alternatives[0].text if e.alternatives else None)
        for e in events
    ]


# What the speech-to-text says of an "uh-huh" over the agent, then of an interruption.
SPOKEN_OVER: list[stt.SpeechEvent | str] = [
    event(START),
    event(INTERIM, "uh-huh"),
    event(PREFLIGHT, "uh-huh"),
    event(FINAL, "Uh-huh."),
    event(END),
    event(START),
    event(INTERIM, "hold on"),
    event(FINAL, "Hold on, I have a question."),
    event(END),
]


async def stream(
    events: list[stt.SpeechEvent | str],
) -> AsyncGenerator[stt.SpeechEvent | str, None]:
    for e in events:
        yield e


async def collected(events: AsyncIterable[stt.SpeechEvent | str]) -> list[stt.SpeechEvent | str]:
    return [e async for e in events]


async def test_while_the_agent_speaks_only_the_backchannel_transcripts_are_dropped() -> None:
    kept = await collected(without_backchannels(stream(SPOKEN_OVER), agent_speaking=lambda: True))
    assert described(kept) == [
        ("start_of_speech", None),
        ("end_of_speech", None),
        ("start_of_speech", None),
        ("interim_transcript", "hold on"),
        ("final_transcript", "Hold on, I have a question."),
        ("end_of_speech", None),
    ]
    # The events themselves pass, not copies.
    assert kept[3] is SPOKEN_OVER[6]


async def test_when_the_agent_is_not_speaking_nothing_is_dropped() -> None:
    answers: list[stt.SpeechEvent | str] = [event(INTERIM, "yes"), event(FINAL, "Yes."), "okay"]
    kept = await collected(without_backchannels(stream(answers), agent_speaking=lambda: False))
    assert kept == answers


async def test_the_agent_s_state_is_asked_as_each_event_arrives() -> None:
    states = iter([True, False])
    kept = await collected(
        without_backchannels(
            stream([event(FINAL, "yeah"), event(FINAL, "yeah")]),
            agent_speaking=lambda: next(states),
        )
    )
    assert described(kept) == [("final_transcript", "yeah")]


class FakeActivity:
    """What `Agent.session` reads while the agent runs: its session's state."""

    def __init__(self, state: str) -> None:
        self.session = SimpleNamespace(agent_state=state)


def running(agent: CallAgent, state: str) -> None:
    agent._activity = FakeActivity(state)  # type: ignore[assignment]


@pytest.fixture
def transcribed(monkeypatch: pytest.MonkeyPatch) -> list[stt.SpeechEvent | str]:
    """Stands in for livekit's own speech-to-text node, which needs a running session:
    it yields these events."""
    events: list[stt.SpeechEvent | str] = []

    async def default_stt_node(
        agent: Agent, audio: AsyncIterable[rtc.AudioFrame], model_settings: ModelSettings
    ) -> AsyncGenerator[Any, None]:
        for e in events:
            yield e

    monkeypatch.setattr(Agent.default, "stt_node", staticmethod(default_stt_node))
    return events


async def no_audio() -> AsyncGenerator[rtc.AudioFrame, None]:
    return
    yield


async def node_output(agent: CallAgent) -> list[stt.SpeechEvent | str]:
    return await collected(agent.stt_node(no_audio(), ModelSettings()))


async def test_the_call_agent_drops_backchannels_only_while_it_speaks(
    transcribed: list[stt.SpeechEvent | str],
) -> None:
    transcribed.extend(SPOKEN_OVER)
    agent = CallAgent(instructions="Be brief.", tools=[], ignore_backchannels=True)
    running(agent, "speaking")
    assert [text for _, text in described(await node_output(agent)) if text] == [
        "hold on",
        "Hold on, I have a question.",
    ]
    for state in ("listening", "thinking", "idle"):
        running(agent, state)
        assert await node_output(agent) == SPOKEN_OVER, state


async def test_the_call_agent_keeps_every_transcript_when_told_to(
    transcribed: list[stt.SpeechEvent | str],
) -> None:
    transcribed.extend(SPOKEN_OVER)
    agent = CallAgent(instructions="Be brief.", tools=[], ignore_backchannels=False)
    running(agent, "speaking")
    assert await node_output(agent) == SPOKEN_OVER


async def test_an_agent_no_longer_running_drops_nothing(
    transcribed: list[stt.SpeechEvent | str],
) -> None:
    transcribed.extend(SPOKEN_OVER)
    agent = CallAgent(instructions="Be brief.", tools=[], ignore_backchannels=True)
    assert await node_output(agent) == SPOKEN_OVER
