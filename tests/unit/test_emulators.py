"""The provider emulators, driven by the real livekit plugins through their base URLs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import numpy as np
import pytest
from google.genai.types import ContextWindowCompressionConfig, HttpOptions, SlidingWindow
from livekit import rtc
from livekit.agents import NOT_GIVEN, APIConnectOptions, APIStatusError, function_tool, llm, stt
from livekit.agents.metrics import RealtimeModelMetrics
from livekit.plugins import deepgram, google, openai

from callwright_devstack.emulators import (
    DeepgramEmulator,
    FunctionCall,
    GeminiLiveEmulator,
    OpenAIEmulator,
    OpenAIRealtimeEmulator,
)

pytestmark = pytest.mark.unit

NO_RETRY = APIConnectOptions(max_retry=0, timeout=5.0)
# What a wait for something that must happen allows: generous, as it returns as soon as
# the thing happens, and a loaded machine may take many times the usual fraction of a second.
WAIT_S = 30.0


async def received(emu: DeepgramEmulator | OpenAIRealtimeEmulator, seconds: float) -> None:
    """Until the emulator has received more than `seconds` of audio: what a check that
    nothing came of that audio must wait for, rather than a fixed sleep."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while emu.audio_seconds_received <= seconds:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the emulator received {emu.audio_seconds_received:.2f} s")
        await asyncio.sleep(0.05)


def voiced_frames(duration_s: float, *, sample_rate: int = 48000) -> list[rtc.AudioFrame]:
    """10 ms frames of a 200 Hz sine at amplitude 8000: what the emulators call speech."""
    samples_per_frame = sample_rate // 100
    t = np.arange(round(duration_s * sample_rate)) / sample_rate
    pcm = (8000 * np.sin(2 * np.pi * 200 * t)).astype(np.int16)
    return [
        rtc.AudioFrame(pcm[i : i + samples_per_frame].tobytes(), sample_rate, 1, samples_per_frame)
        for i in range(0, len(pcm) - samples_per_frame + 1, samples_per_frame)
    ]


def silent_frames(duration_s: float, *, sample_rate: int = 48000) -> list[rtc.AudioFrame]:
    samples_per_frame = sample_rate // 100
    return [
        rtc.AudioFrame(bytes(samples_per_frame * 2), sample_rate, 1, samples_per_frame)
        for _ in range(round(duration_s * 100))
    ]


def frame_rms(frame: rtc.AudioFrame) -> float:
    samples = np.frombuffer(frame.data, dtype=np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def read_events(
    stream: stt.SpeechStream,
    *,
    until: Callable[[stt.SpeechEvent], bool],
    within_s: float,
) -> list[stt.SpeechEvent]:
    """The stream's events until one satisfies `until` or `within_s` seconds pass."""
    events: list[stt.SpeechEvent] = []

    async def read() -> None:
        async for event in stream:
            events.append(event)
            if until(event):
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(read(), within_s)
    return events


def is_final(event: stt.SpeechEvent) -> bool:
    return event.type == stt.SpeechEventType.FINAL_TRANSCRIPT


# -- OpenAI chat completions --------------------------------------------------------------


async def test_llm_streams_the_reply_and_the_request_is_recorded() -> None:
    async with OpenAIEmulator(reply="Hi there, caller. How can I help?") as emu:
        model = openai.LLM(
            model="gpt-4o-mini", base_url=emu.base_url, api_key="test", temperature=0.2
        )
        chat_ctx = llm.ChatContext.empty()
        chat_ctx.add_message(role="system", content="You are the callwright test agent.")
        chat_ctx.add_message(role="user", content="hello")
        async with model.chat(chat_ctx=chat_ctx) as stream:
            chunks = [chunk async for chunk in stream]
        await model.aclose()

    text = "".join(c.delta.content for c in chunks if c.delta is not None and c.delta.content)
    usages = [c.usage for c in chunks if c.usage is not None]
    assert text == "Hi there, caller. How can I help?"
    assert len(usages) == 1 and usages[0].completion_tokens > 0
    [request] = emu.chat_requests
    assert request["model"] == "gpt-4o-mini"
    assert request["temperature"] == 0.2
    assert request["stream"] is True
    assert request["messages"][0] == {
        "role": "system",
        "content": "You are the callwright test agent.",
    }
    assert request["messages"][-1] == {"role": "user", "content": "hello"}


async def test_llm_reply_can_depend_on_the_messages() -> None:
    def echo(messages: list[dict[str, object]]) -> str:
        return f"You said: {messages[-1]['content']}"

    async with OpenAIEmulator(reply=echo, first_token_delay_s=0.05) as emu:
        model = openai.LLM(model="gpt-4o-mini", base_url=emu.base_url, api_key="test")
        chat_ctx = llm.ChatContext.empty()
        chat_ctx.add_message(role="user", content="ping")
        async with model.chat(chat_ctx=chat_ctx) as stream:
            response = await stream.collect()
        await model.aclose()
    assert response.text == "You said: ping"


async def test_llm_with_a_wrong_key_gets_openais_401() -> None:
    async with OpenAIEmulator(require_key="sk-right") as emu:
        model = openai.LLM(model="gpt-4o-mini", base_url=emu.base_url, api_key="sk-wrong")
        chat_ctx = llm.ChatContext.empty()
        chat_ctx.add_message(role="user", content="hello")
        with pytest.raises(APIStatusError) as caught:
            async with model.chat(chat_ctx=chat_ctx, conn_options=NO_RETRY) as stream:
                async for _ in stream:
                    pass
        await model.aclose()
    assert caught.value.status_code == 401
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["code"] == "invalid_api_key"


# -- OpenAI text-to-speech ----------------------------------------------------------------


@pytest.mark.parametrize("response_format", [None, "pcm"], ids=["default-mp3", "pcm-sse"])
async def test_tts_yields_non_silent_audio(response_format: str | None) -> None:
    async with OpenAIEmulator(tts_first_byte_delay_s=0.05) as emu:
        tts = openai.TTS(
            model="gpt-4o-mini-tts",
            voice="alloy",
            base_url=emu.base_url,
            api_key="test",
            response_format=response_format or NOT_GIVEN,
        )
        async with tts.synthesize("hello there") as stream:
            frames = [audio.frame async for audio in stream]
        await tts.aclose()

    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 24000
    assert audio.duration == pytest.approx(0.66, abs=0.05)  # 11 characters at 60 ms
    assert frame_rms(audio) > 1000
    [request] = emu.speech_requests
    assert request["input"] == "hello there"
    assert request["voice"] == "alloy"
    assert request["model"] == "gpt-4o-mini-tts"


# -- Deepgram streaming speech-to-text ----------------------------------------------------


async def test_deepgram_never_transcribes_silence(http_session: aiohttp.ClientSession) -> None:
    async with DeepgramEmulator() as emu:
        model = deepgram.STT(base_url=emu.base_url, api_key="test", http_session=http_session)
        stream = model.stream()
        for frame in silent_frames(2.0):
            stream.push_frame(frame)
        reading = asyncio.create_task(read_events(stream, until=is_final, within_s=WAIT_S))
        await received(emu, 1.5)
        await asyncio.sleep(0.5)  # a transcript would be on its way back by now
        await stream.aclose()
        events = await reading

    assert not [e for e in events if e.type != stt.SpeechEventType.RECOGNITION_USAGE]
    assert emu.transcripts_sent == []
    assert emu.audio_seconds_received > 1.5
    assert emu.voiced_seconds_received == 0.0


async def test_deepgram_transcribes_each_spoken_turn(http_session: aiohttp.ClientSession) -> None:
    async with DeepgramEmulator(transcript=["hello can you hear me", "goodbye"]) as emu:
        model = deepgram.STT(base_url=emu.base_url, api_key="test", http_session=http_session)
        stream = model.stream()
        finals: list[str] = []
        kinds: list[stt.SpeechEventType] = []
        for _ in range(2):
            for frame in voiced_frames(1.0) + silent_frames(0.6):
                stream.push_frame(frame)
            events = await read_events(stream, until=is_final, within_s=WAIT_S)
            kinds.extend(e.type for e in events)
            finals.extend(e.alternatives[0].text for e in events if is_final(e))
        await stream.aclose()

    assert finals == ["hello can you hear me", "goodbye"]
    assert stt.SpeechEventType.START_OF_SPEECH in kinds
    assert stt.SpeechEventType.INTERIM_TRANSCRIPT in kinds
    assert emu.transcripts_sent == ["hello can you hear me", "goodbye"]
    assert emu.voiced_seconds_received == pytest.approx(2.0, abs=0.1)
    [query] = emu.stream_queries
    assert query["encoding"] == "linear16"
    assert query["sample_rate"] == "16000"


async def test_deepgram_finalize_ends_a_turn(http_session: aiohttp.ClientSession) -> None:
    async with DeepgramEmulator(transcript="one two three") as emu:
        model = deepgram.STT(base_url=emu.base_url, api_key="test", http_session=http_session)
        stream = model.stream()
        for frame in voiced_frames(0.5):
            stream.push_frame(frame)
        stream.flush()  # the plugin sends {"type": "Finalize"}
        events = await read_events(stream, until=is_final, within_s=WAIT_S)
        await stream.aclose()

    [final] = [e for e in events if is_final(e)]
    assert final.alternatives[0].text == "one two three"
    assert {"type": "Finalize"} in emu.control_messages


async def test_deepgram_prerecorded_recognize(http_session: aiohttp.ClientSession) -> None:
    async with DeepgramEmulator() as emu:
        model = deepgram.STT(base_url=emu.base_url, api_key="test", http_session=http_session)
        spoken = await model.recognize(voiced_frames(0.8) + silent_frames(0.2))
        silent = await model.recognize(silent_frames(1.0))

    assert spoken.alternatives[0].text == "hello can you hear me"
    assert silent.alternatives[0].text == ""


# -- OpenAI Realtime ----------------------------------------------------------------------


async def collect_generation(
    generation: llm.GenerationCreatedEvent,
) -> tuple[str, list[rtc.AudioFrame]]:
    message = await anext(aiter(generation.message_stream))
    frames = [frame async for frame in message.audio_stream]
    text = "".join([piece async for piece in message.text_stream])
    return text, frames


async def test_realtime_generate_reply_streams_audio(http_session: aiohttp.ClientSession) -> None:
    async with OpenAIRealtimeEmulator(reply="Welcome to callwright.") as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        try:
            generation = await asyncio.wait_for(session.generate_reply(), WAIT_S)
            text, frames = await asyncio.wait_for(collect_generation(generation), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert generation.user_initiated
    assert text == "Welcome to callwright."
    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 24000
    assert audio.duration > 1.0
    assert frame_rms(audio) > 1000
    kinds = [event["type"] for event in emu.client_events]
    assert kinds[0] == "session.update"
    assert "response.create" in kinds
    assert emu.connection_queries[0]["model"] == "gpt-realtime"


async def test_realtime_answers_speech_not_silence(http_session: aiohttp.ClientSession) -> None:
    async with OpenAIRealtimeEmulator(user_transcript="what time is it", reply="Noon.") as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        transcripts: asyncio.Queue[llm.InputTranscriptionCompleted] = asyncio.Queue()
        generations: asyncio.Queue[llm.GenerationCreatedEvent] = asyncio.Queue()
        session.on("input_audio_transcription_completed", transcripts.put_nowait)
        session.on("generation_created", generations.put_nowait)
        try:
            for frame in silent_frames(1.5):
                session.push_audio(frame)
            await received(emu, 1.0)
            await asyncio.sleep(0.5)  # a reply would be on its way back by now
            assert generations.empty() and transcripts.empty()
            assert emu.audio_seconds_received > 1.0

            for frame in voiced_frames(1.0) + silent_frames(1.0):
                session.push_audio(frame)
            generation = await asyncio.wait_for(generations.get(), WAIT_S)
            text, frames = await asyncio.wait_for(collect_generation(generation), WAIT_S)
            final = await asyncio.wait_for(transcripts.get(), WAIT_S)
            while not final.is_final:
                final = await asyncio.wait_for(transcripts.get(), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert final.transcript == "what time is it"
    assert not generation.user_initiated
    assert text == "Noon."
    assert frame_rms(rtc.combine_audio_frames(frames)) > 1000
    assert emu.user_transcripts_sent == ["what time is it"]
    assert emu.replies_sent == ["Noon."]
    assert emu.voiced_seconds_received == pytest.approx(1.0, abs=0.15)


async def test_realtime_reply_sees_the_chat_context(http_session: aiohttp.ClientSession) -> None:
    seen: list[list[dict[str, object]]] = []

    def reply(items: list[dict[str, object]]) -> str:
        seen.append(items)
        return "Sure thing."

    async with OpenAIRealtimeEmulator(reply=reply) as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        try:
            await session.update_instructions("Be brief.")
            chat_ctx = llm.ChatContext.empty()
            chat_ctx.add_message(role="user", content="hi there")
            await asyncio.wait_for(session.update_chat_ctx(chat_ctx), WAIT_S)
            generation = await asyncio.wait_for(session.generate_reply(), WAIT_S)
            text, _ = await asyncio.wait_for(collect_generation(generation), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert text == "Sure thing."
    [items] = seen
    assert items[0]["content"] == [{"type": "input_text", "text": "hi there"}]
    updates = [e["session"] for e in emu.client_events if e["type"] == "session.update"]
    assert updates[-1]["instructions"] == "Be brief."


async def test_realtime_speech_interrupts_the_reply(http_session: aiohttp.ClientSession) -> None:
    # The reply's audio would start only after an hour: an empty generation means the
    # user's speech cut it off, however slowly the machine ran.
    async with OpenAIRealtimeEmulator(first_audio_delay_s=3600.0) as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        try:
            generation = await asyncio.wait_for(session.generate_reply(), WAIT_S)
            for frame in voiced_frames(0.5):
                session.push_audio(frame)
            text, frames = await asyncio.wait_for(collect_generation(generation), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert (text, frames) == ("", [])
    assert emu.replies_sent == []


async def test_realtime_tool_call_and_output(http_session: aiohttp.ClientSession) -> None:
    def reply(items: list[dict[str, Any]]) -> str | FunctionCall:
        outputs = [i for i in items if i.get("type") == "function_call_output"]
        if outputs:
            return f"It is {outputs[-1]['output']} there."
        return FunctionCall("get_time", {"city": "Paris"})

    @function_tool
    async def get_time(city: str) -> str:
        """Get the time in a city."""
        return "noon"

    async with OpenAIRealtimeEmulator(reply=reply) as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        try:
            await session.update_tools([get_time])
            first = await asyncio.wait_for(session.generate_reply(), WAIT_S)
            [call] = [c async for c in first.function_stream]
            assert (call.name, json.loads(call.arguments)) == ("get_time", {"city": "Paris"})
            chat_ctx = session.chat_ctx.copy()
            chat_ctx.items.append(
                llm.FunctionCallOutput(
                    call_id=call.call_id, name=call.name, output="noon", is_error=False
                )
            )
            await asyncio.wait_for(session.update_chat_ctx(chat_ctx), WAIT_S)
            follow_up = await asyncio.wait_for(session.generate_reply(), WAIT_S)
            text, frames = await asyncio.wait_for(collect_generation(follow_up), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert text == "It is noon there."
    assert frame_rms(rtc.combine_audio_frames(frames)) > 1000
    updates = [e["session"] for e in emu.client_events if e["type"] == "session.update"]
    [tool] = [t for u in updates for t in u.get("tools") or []]
    assert (tool["type"], tool["name"]) == ("function", "get_time")
    [sent] = emu.function_calls_sent
    assert sent["call_id"] == call.call_id
    [output] = emu.tool_outputs
    assert (output["call_id"], output["output"]) == (call.call_id, "noon")


async def test_realtime_says_exact_words_when_told(http_session: aiohttp.ClientSession) -> None:
    async with OpenAIRealtimeEmulator(reply="Something else.") as emu:
        model = openai.realtime.RealtimeModel(
            base_url=emu.base_url, api_key="test", http_session=http_session
        )
        session = model.session()
        try:
            generation = await asyncio.wait_for(
                session.generate_reply(
                    instructions="Say exactly this to the user, and nothing else: One moment."
                ),
                WAIT_S,
            )
            text, _ = await asyncio.wait_for(collect_generation(generation), WAIT_S)
        finally:
            await session.aclose()
            await model.aclose()

    assert text == "One moment."
    assert emu.replies_sent == ["One moment."]


# -- Gemini Live --------------------------------------------------------------------------


async def eventually_true(check: Callable[[], bool], *, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s")
        await asyncio.sleep(0.05)


def gemini_model(emu: GeminiLiveEmulator, **options: object) -> google.realtime.RealtimeModel:
    """The plugin on the emulator, trusting its certificate (the SDK dials only wss://)."""
    http_options = HttpOptions(
        base_url=emu.base_url, async_client_args={"ssl": emu.client_ssl_context()}
    )
    return google.realtime.RealtimeModel(
        api_key="g-test",
        http_options=http_options,
        conn_options=APIConnectOptions(max_retry=0, timeout=5.0),
        **options,  # type: ignore[arg-type]
    )


async def say(session: llm.RealtimeSession[Any], frames: list[rtc.AudioFrame]) -> None:
    for frame in frames:
        session.push_audio(frame)
        await asyncio.sleep(0)


async def test_gemini_greets_with_audio_transcript_and_usage() -> None:
    async with GeminiLiveEmulator(require_key="g-test") as emu:
        model = gemini_model(emu, instructions="Be brief.", voice="Kore")
        session = model.session()
        metrics: list[RealtimeModelMetrics] = []
        session.on("metrics_collected", metrics.append)
        try:
            generation = await asyncio.wait_for(
                session.generate_reply(
                    instructions="Say exactly this to the user, and nothing else: Welcome!"
                ),
                5.0,
            )
            text, frames = await asyncio.wait_for(collect_generation(generation), 5.0)
            await eventually_true(lambda: any(m.output_tokens for m in metrics))
        finally:
            await session.aclose()
            await model.aclose()

    assert generation.user_initiated
    assert text == "Welcome!"
    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 24000 and frame_rms(audio) > 1000
    [setup] = emu.setups
    assert setup["model"] == "models/gemini-2.5-flash-native-audio-preview-12-2025"
    assert setup["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert emu.api_keys == ["g-test"]
    used = next(m for m in metrics if m.output_tokens)
    assert used.input_tokens > 0 and used.total_tokens == used.input_tokens + used.output_tokens


async def test_gemini_a_wrong_key_fails_the_connect() -> None:
    async with GeminiLiveEmulator(require_key="right") as emu:
        model = gemini_model(emu)
        session = model.session()
        errors: list[llm.RealtimeModelError] = []
        session.on("error", errors.append)
        try:
            await eventually_true(lambda: bool(errors))
        finally:
            await session.aclose()
            await model.aclose()
    assert emu.replies_sent == []
    assert "API key not valid" in str(errors[0].error.__cause__ or errors[0].error)


async def test_gemini_answers_speech_not_silence() -> None:
    async with GeminiLiveEmulator(user_transcript="what time is it", reply="Noon.") as emu:
        model = gemini_model(emu)
        session = model.session()
        transcripts: asyncio.Queue[llm.InputTranscriptionCompleted] = asyncio.Queue()
        generations: asyncio.Queue[llm.GenerationCreatedEvent] = asyncio.Queue()
        session.on("input_audio_transcription_completed", transcripts.put_nowait)
        session.on("generation_created", generations.put_nowait)
        try:
            await eventually_true(lambda: bool(emu.setups))
            await say(session, silent_frames(1.5))
            await eventually_true(lambda: emu.audio_seconds_received > 1.0)
            assert generations.empty() and transcripts.empty()

            await say(session, voiced_frames(1.0) + silent_frames(1.0))
            generation = await asyncio.wait_for(generations.get(), 5.0)
            text, frames = await asyncio.wait_for(collect_generation(generation), 5.0)
            final = await asyncio.wait_for(transcripts.get(), 5.0)
            while not final.is_final:
                final = await asyncio.wait_for(transcripts.get(), 5.0)
        finally:
            await session.aclose()
            await model.aclose()

    assert final.transcript == "what time is it"
    assert not generation.user_initiated
    assert text == "Noon."
    assert frame_rms(rtc.combine_audio_frames(frames)) > 1000
    assert emu.user_transcripts_sent == ["what time is it"]
    assert emu.voiced_seconds_received == pytest.approx(1.0, abs=0.15)


async def test_gemini_tool_call_and_response() -> None:
    def reply(turns: list[dict[str, Any]]) -> str | FunctionCall:
        answered = [p for t in turns for p in t["parts"] if "functionResponse" in p]
        if answered:
            return f"It is {answered[-1]['functionResponse']['response']['output']} there."
        return FunctionCall("get_time", {"city": "Paris"})

    @function_tool
    async def get_time(city: str) -> str:
        """Get the time in a city."""
        return "noon"

    async with GeminiLiveEmulator(reply=reply) as emu:
        model = gemini_model(emu)
        session = model.session()
        generations: asyncio.Queue[llm.GenerationCreatedEvent] = asyncio.Queue()
        session.on("generation_created", generations.put_nowait)
        try:
            await session.update_tools([get_time])
            first = await asyncio.wait_for(session.generate_reply(), 5.0)
            [call] = [c async for c in first.function_stream]
            assert (call.name, json.loads(call.arguments)) == ("get_time", {"city": "Paris"})
            chat_ctx = session.chat_ctx.copy()
            chat_ctx.items.append(call)
            chat_ctx.items.append(
                llm.FunctionCallOutput(
                    call_id=call.call_id, name=call.name, output="noon", is_error=False
                )
            )
            await session.update_chat_ctx(chat_ctx)
            follow_up = await asyncio.wait_for(generations.get(), 5.0)
            while follow_up is first:
                follow_up = await asyncio.wait_for(generations.get(), 5.0)
            text, _ = await asyncio.wait_for(collect_generation(follow_up), 5.0)
        finally:
            await session.aclose()
            await model.aclose()

    assert text == "It is noon there."
    [setup] = emu.setups
    [declaration] = setup["tools"][0]["functionDeclarations"]
    assert declaration["name"] == "get_time"
    [response] = emu.tool_responses
    [answer] = response["functionResponses"]
    assert answer["id"] == call.call_id and answer["response"] == {"output": "noon"}


async def test_gemini_go_away_resumes_the_session_with_its_handle() -> None:
    seen: list[list[dict[str, Any]]] = []

    def reply(turns: list[dict[str, Any]]) -> str:
        seen.append(turns)
        return f"Answer {len(seen)}."

    async with GeminiLiveEmulator(
        reply=reply, user_transcript=["first question", "second question"], go_away_after_s=1.0
    ) as emu:
        model = gemini_model(emu)
        session = model.session()
        generations: asyncio.Queue[llm.GenerationCreatedEvent] = asyncio.Queue()
        session.on("generation_created", generations.put_nowait)
        try:
            await eventually_true(lambda: bool(emu.setups))
            await say(session, voiced_frames(0.5) + silent_frames(0.8))
            first, _ = await asyncio.wait_for(
                collect_generation(await asyncio.wait_for(generations.get(), 5.0)), 5.0
            )
            await eventually_true(lambda: emu.resumed_setups >= 1, within=10.0)
            await say(session, voiced_frames(0.5) + silent_frames(0.8))
            second, _ = await asyncio.wait_for(
                collect_generation(await asyncio.wait_for(generations.get(), 5.0)), 5.0
            )
        finally:
            await session.aclose()
            await model.aclose()

    assert (first, second) == ("Answer 1.", "Answer 2.")
    assert emu.go_aways_sent >= 1
    assert "handle" not in emu.setups[0]["sessionResumption"]
    assert emu.setups[1]["sessionResumption"]["handle"]
    # The resumed session still holds the first exchange: nothing was replayed or lost.
    texts = [p.get("text") for t in seen[-1] for p in t["parts"]]
    assert texts[-3:] == ["first question", "Answer 1.", "second question"]


@pytest.mark.parametrize("compressed", [False, True])
async def test_gemini_session_audio_limit_needs_context_compression(compressed: bool) -> None:
    options: dict[str, object] = {}
    if compressed:
        options["context_window_compression"] = ContextWindowCompressionConfig(
            sliding_window=SlidingWindow()
        )
    async with GeminiLiveEmulator(session_audio_limit_s=1.0) as emu:
        model = gemini_model(emu, **options)
        session = model.session()
        errors: list[llm.RealtimeModelError] = []
        session.on("error", errors.append)
        try:
            await eventually_true(lambda: bool(emu.setups))
            await say(session, silent_frames(2.0))
            if compressed:
                await eventually_true(lambda: emu.audio_seconds_received >= 1.5)
            else:
                await eventually_true(lambda: bool(errors))
        finally:
            await session.aclose()
            await model.aclose()
    assert bool(errors) is not compressed
    assert ("contextWindowCompression" in emu.setups[0]) is compressed
