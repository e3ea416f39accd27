"""Turn taking through the real stack (livekit-server, the worker, the emulators, espeak
speech): a caller who pauses mid-sentence is not answered until the sentence is over, and
the answer is prepared while the endpointing wait runs; speech over the agent stops it
only when it is an interruption, and what the agent said up to the cut is on record.

What espeak speech can show: the transcript detector judges the words the speech-to-text
emulator returns, and the emulator finalizes on the speech's pauses as Deepgram does, so
these hold for any voice. It cannot tune the audio end-of-turn model (trained on human
prosody, which espeak lacks): no test here relies on that model's verdict.
"""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from livekit import rtc

from callwright_devstack.api import create_voice_session
from callwright_devstack.participant import Caller
from callwright_devstack.speech import make_speech_wav
from callwright_devstack.waiting import eventually
from tests.e2e.support import AGENT_REPLY, USER_TRANSCRIPT, Stack, join, new_tenant, wait_ended

pytestmark = pytest.mark.e2e

FIRST_HALF = "I'd like to book a table for"
SECOND_HALF = "four people"
PAUSE_S = 0.7


def answer_to(messages: list[dict[str, Any]]) -> str:
    said = [m for m in messages if m.get("role") == "user"][-1]["content"]
    return f"You said {said if isinstance(said, str) else said[0]['text']}."


HALF_ANSWER = f"You said {FIRST_HALF}."
WHOLE_ANSWER = f"You said {FIRST_HALF} {SECOND_HALF}."
# Long enough to talk over: the emulated voice takes 60 ms a character, at most 3 s a
# sentence, so this greeting plays for about 12 s.
LONG_GREETING = (
    "Thanks for calling the test line, this greeting runs on for a while. "
    "It has several long sentences, so that there is time to talk over it. "
    "Each one of them takes the emulated voice about three seconds to say. "
    "This is the last sentence, and the caller should never get to hear it."
)
LONG_REPLY = (
    "Sure, let me read you our opening hours for the whole week in detail. "
    "Monday to Friday we open at nine in the morning and close at six. "
    "On Saturdays we open at ten and close a little earlier, at four. "
    "On Sundays and public holidays the whole office stays closed all day."
)
BACKCHANNEL = "uh-huh"
# livekit-agents ignores speech over the first 3 s of the agent's first speech in a call
# (`aec_warmup_duration`, for echo before the caller's echo cancellation settles); speech
# meant to test interruptions comes after it (docs/decisions.md#interruption-evidence).
AFTER_WARMUP_S = 3.5
INTERRUPTION = "hold on I have a question about my booking"
# Said over the greeting from 0.4 s on: long enough to go on past livekit-agents' echo
# warm-up (the agent's first 3 s of speech, which nothing the caller says interrupts).
TALKED_OVER = "hold on, hold on, I have a question about my booking for next week please"


def silence_around(wav: Path) -> tuple[float, float]:
    """Seconds of silence before and after the speech in `wav` (10 ms frames)."""
    with wave.open(str(wav)) as f:
        rate = f.getframerate()
        samples = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16)
    step = rate // 100
    loud = [
        i
        for i in range(0, len(samples) - step + 1, step)
        if np.abs(samples[i : i + step]).max(initial=0) > 500
    ]
    return loud[0] / rate, (len(samples) - loud[-1] - step) / rate


def user_messages(request: dict[str, Any]) -> list[str]:
    return [
        m["content"] if isinstance(m["content"], str) else str(m["content"])
        for m in request["messages"]
        if m["role"] == "user"
    ]


async def listening(
    stack: Stack, client: httpx.AsyncClient, **agent: Any
) -> tuple[Any, Caller, dict[str, Any]]:
    tenant = await new_tenant(stack, greeting=None, **agent)
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await asyncio.wait_for(caller.wait_for_agent_state("listening"), 60)
    await caller.keep_quiet(0.5)
    return tenant, caller, body


async def test_a_pause_inside_a_sentence_gets_one_answer_to_the_whole_sentence(
    stack: Stack, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    first = await asyncio.to_thread(make_speech_wav, FIRST_HALF, tmp_path / "first.wav")
    second = await asyncio.to_thread(make_speech_wav, SECOND_HALF, tmp_path / "second.wav")
    # The pause between the last sound of one and the first of the other.
    pause = PAUSE_S - silence_around(first)[1] - silence_around(second)[0]
    assert pause > 0
    tenant, caller, body = await listening(stack, client)  # the defaults
    stack.deepgram.script(FIRST_HALF, SECOND_HALF)
    requests_before = len(stack.openai.chat_requests)
    speech_before = len(stack.openai.speech_requests)
    # Each answer names what it answers, so the one spoken is known.
    stack.openai.reply = answer_to
    try:
        await caller.speak(first, then_silence_s=pause)
        await caller.speak(second, then_silence_s=0.5)
        await eventually(
            lambda: WHOLE_ANSWER in caller.agent_text(), within=60, what="the agent's answer"
        )
        await caller.keep_quiet(3.0)  # a second answer would be on its way by now
    finally:
        stack.openai.reply = AGENT_REPLY
    heard = caller.agent_text()
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    spoken = [item for item in session["transcript"] if item["role"] in ("user", "assistant")]
    assert [(item["role"], item["content"]) for item in spoken] == [
        ("user", f"{FIRST_HALF} {SECOND_HALF}"),
        ("assistant", WHOLE_ANSWER),
    ], spoken
    requests = stack.openai.chat_requests[requests_before:]
    # The answer spoken was prepared for the whole sentence ...
    assert user_messages(requests[-1])[-1] == f"{FIRST_HALF} {SECOND_HALF}"
    # ... and an answer prepared during the pause, for half of it, was dropped unspoken.
    assert any(user_messages(r)[-1] == FIRST_HALF for r in requests), [
        user_messages(r)[-1:] for r in requests
    ]
    assert HALF_ANSWER in stack.openai.replies_sent
    prepared = [r["input"] for r in stack.openai.speech_requests[speech_before:]]
    assert HALF_ANSWER not in heard, heard
    assert heard.count(WHOLE_ANSWER) == 1, heard
    # Its speech, when it was prepared too, was never played.
    assert prepared.count(WHOLE_ANSWER) >= 1, prepared


async def test_on_silence_alone_the_same_pause_is_answered_as_half_a_question(
    stack: Stack, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # What the test above guards against: waiting on silence alone, shorter than the pause
    # (0.3 s of VAD silence + 0.1 s, well inside the 0.7 s pause even on a loaded machine).
    first = await asyncio.to_thread(make_speech_wav, FIRST_HALF, tmp_path / "first.wav")
    second = await asyncio.to_thread(make_speech_wav, SECOND_HALF, tmp_path / "second.wav")
    pause = PAUSE_S - silence_around(first)[1] - silence_around(second)[0]
    tenant, caller, body = await listening(
        stack, client, turn_taking={"detector": "vad", "min_delay": 0.1}
    )
    stack.deepgram.script(FIRST_HALF, SECOND_HALF)
    await caller.speak(first, then_silence_s=pause)
    await caller.speak(second, then_silence_s=0.5)
    await eventually(
        lambda: AGENT_REPLY in caller.agent_text(), within=60, what="the agent's answer"
    )
    await caller.keep_quiet(3.0)
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])
    users = [item["content"] for item in session["transcript"] if item["role"] == "user"]
    assert users[0] == FIRST_HALF, users


async def test_the_answer_is_prepared_before_the_endpointing_wait_ends(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    # A long fixed wait, so the order of events is unmistakable.
    tenant, caller, body = await listening(
        stack, client, turn_taking={"detector": "vad", "min_delay": 1.5, "max_delay": 2.0}
    )
    stack.deepgram.script("hello can you hear me")
    llm_before = len(stack.openai.chat_requests)
    tts_before = len(stack.openai.speech_requests)
    # What the providers had been asked when the agent ended the caller's turn (it turns
    # "thinking" once the wait is over and its answer is scheduled).
    at_turn_end: list[tuple[int, int]] = []

    def on_attributes(changed: dict[str, str], participant: rtc.Participant) -> None:
        if changed.get("lk.agent.state") == "thinking" and not at_turn_end:
            at_turn_end.append(
                (
                    len(stack.openai.chat_requests) - llm_before,
                    len(stack.openai.speech_requests) - tts_before,
                )
            )

    caller.room.on("participant_attributes_changed", on_attributes)
    await caller.speak(stack.speech_wav, then_silence_s=0.5)
    await eventually(
        lambda: AGENT_REPLY in caller.agent_text(), within=60, what="the agent's answer"
    )
    await caller.leave()
    await wait_ended(client, tenant, body["session_id"])

    assert at_turn_end, "the agent never ended the caller's turn"
    llm_requests, tts_requests = at_turn_end[0]
    # The LLM, and the speech of its answer, were asked while the wait still ran.
    assert llm_requests >= 1
    assert tts_requests >= 1


def assistant_turns(session: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in session["transcript"] if item["role"] == "assistant"]


async def speaking(stack: Stack, client: httpx.AsyncClient, **agent: Any) -> Any:
    """A call whose agent has started its greeting (`greeting` in `agent`)."""
    tenant = await new_tenant(stack, **agent)
    body = await create_voice_session(client, tenant)
    caller = await join(body)
    await asyncio.wait_for(caller.agent_joined.wait(), 60)
    await asyncio.wait_for(caller.wait_for_agent_state("speaking"), 60)
    return tenant, caller, body


async def test_a_backchannel_does_not_stop_the_agent_and_an_interruption_does(
    stack: Stack, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    backchannel = await asyncio.to_thread(make_speech_wav, BACKCHANNEL, tmp_path / "bc.wav")
    interruption = await asyncio.to_thread(make_speech_wav, TALKED_OVER, tmp_path / "int.wav")
    tenant, caller, body = await speaking(stack, client, greeting=LONG_GREETING)  # defaults
    await caller.keep_quiet(AFTER_WARMUP_S)
    # Transcribed, as Deepgram transcribes it, and long enough as voice activity
    # (docs/decisions.md#interruption-evidence) to stop the agent without the filter.
    stack.deepgram.script(BACKCHANNEL, INTERRUPTION)
    states_before = len(caller.agent_states)
    await caller.speak(backchannel, then_silence_s=1.5)
    over_backchannel = caller.agent_states[states_before:]
    # Still in the greeting (12 s of it): now a real interruption.
    await caller.speak(interruption, then_silence_s=0.5)
    await eventually(
        lambda: AGENT_REPLY in caller.agent_text(), within=60, what="the agent's answer"
    )
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    # The agent went on speaking: it never stopped (not even paused) for the backchannel.
    assert over_backchannel in ([], ["speaking"]), (over_backchannel, session["transcript"])
    # The interruption stopped it: the greeting is on record cut off, the backchannel is
    # not on record at all, and the interruption was answered.
    spoken = [item for item in session["transcript"] if item["role"] in ("user", "assistant")]
    assert [item["role"] for item in spoken] == ["assistant", "user", "assistant"], spoken
    greeting, said, answer = spoken
    assert greeting.get("interrupted") is True, greeting
    assert greeting["content"] and LONG_GREETING.startswith(greeting["content"]), greeting
    assert len(greeting["content"]) < len(LONG_GREETING), greeting
    assert said["content"] == INTERRUPTION, said
    assert answer["content"] == AGENT_REPLY, answer


async def test_a_greeting_talked_over_is_in_the_transcript_as_far_as_it_was_spoken(
    stack: Stack, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    interruption = await asyncio.to_thread(make_speech_wav, TALKED_OVER, tmp_path / "int.wav")
    tenant, caller, body = await speaking(stack, client, greeting=LONG_GREETING)
    await eventually(
        lambda: caller.first_loud_agent_audio_at is not None, within=30, what="the greeting"
    )
    await caller.keep_quiet(0.4)
    stack.deepgram.script(INTERRUPTION)
    await caller.speak(interruption, then_silence_s=0.5)
    await eventually(
        lambda: AGENT_REPLY in caller.agent_text(), within=60, what="the agent's answer"
    )
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    turns = assistant_turns(session)
    assert turns and turns[-1]["content"] == AGENT_REPLY, session["transcript"]
    greeting = turns[0]
    assert greeting.get("interrupted") is True, session["transcript"]
    assert greeting["content"] and LONG_GREETING.startswith(greeting["content"]), greeting
    assert len(greeting["content"]) < len(LONG_GREETING), greeting


async def test_a_false_interruption_resumes_the_agent_s_reply(
    stack: Stack, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # A cough: a short burst the VAD takes for speech and the speech-to-text for nothing.
    cough = await asyncio.to_thread(make_speech_wav, "hah", tmp_path / "cough.wav")
    # With the default `min_words: 1` a cough does not even pause the agent; with 0,
    # voice activity alone does, and this is what resumes the reply.
    tenant, caller, body = await listening(
        stack, client, turn_taking={"interruption": {"min_words": 0}}
    )
    stack.deepgram.script(USER_TRANSCRIPT)
    stack.openai.reply = LONG_REPLY
    try:
        await caller.speak(stack.speech_wav, then_silence_s=0.5)
        await asyncio.wait_for(caller.wait_for_agent_state("speaking"), 60)
        await caller.keep_quiet(AFTER_WARMUP_S)
        stack.deepgram.script("")
        states_before = len(caller.agent_states)
        await caller.speak(cough, then_silence_s=0.2)
        await eventually(
            lambda: "Sundays" in caller.agent_text(), within=60, what="the rest of the reply"
        )
        await caller.keep_quiet(1.0)
    finally:
        stack.openai.reply = AGENT_REPLY
    states = caller.agent_states[states_before:]
    await caller.leave()
    session = await wait_ended(client, tenant, body["session_id"])

    # Paused by the cough, then resumed: the reply is on record whole, not cut off.
    assert states[:2] == ["listening", "speaking"], states
    reply = assistant_turns(session)[-1]
    assert reply["content"] == LONG_REPLY, session["transcript"]
    assert not reply.get("interrupted"), reply
    users = [item["content"] for item in session["transcript"] if item["role"] == "user"]
    assert users == [USER_TRANSCRIPT], users
    # The pause is on the timeline: once, resumed, after the turn it interrupted began.
    timeline = [(i["role"], i["content"], i.get("detail")) for i in session["transcript"]]
    paused = [i for i, item in enumerate(timeline) if item[1] == "false_interruption"]
    assert [timeline[i] for i in paused] == [("event", "false_interruption", "resumed")], timeline
    assert timeline.index(("user", USER_TRANSCRIPT, None)) < paused[0], timeline
