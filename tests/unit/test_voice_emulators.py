"""The ElevenLabs, Cartesia and Deepgram Aura voice emulators, driven in-process by the real
livekit plugins through their base URLs: streaming (WebSocket) and one-shot (HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import numpy as np
import pytest
from livekit import rtc
from livekit.agents import APIConnectOptions, APIStatusError, tts
from livekit.plugins import cartesia, deepgram, elevenlabs

from callwright_devstack.emulators import (
    CartesiaEmulator,
    DeepgramAuraEmulator,
    ElevenLabsEmulator,
    SpeechRequest,
)

pytestmark = pytest.mark.unit

KEY = "vendor-key"
NO_RETRY = APIConnectOptions(max_retry=0, timeout=5.0)
FIRST_BYTE_S = 0.05
SENTENCES = ["Hello there, this is the emulated voice.", "How can I help you today?"]


@dataclass
class Vendor:
    """One emulator and how the worker builds the plugin against it."""

    emulator: Callable[[], ElevenLabsEmulator | CartesiaEmulator | DeepgramAuraEmulator]
    plugin: Callable[[Any, str, aiohttp.ClientSession], tts.TTS[Any]]
    voice: str
    model: str


VENDORS = {
    "elevenlabs": Vendor(
        lambda: ElevenLabsEmulator(require_key=KEY, first_byte_delay_s=FIRST_BYTE_S),
        lambda emu, key, session: elevenlabs.TTS(
            voice_id="voice-1", model="eleven_flash_v2_5", api_key=key,
            base_url=emu.base_url, encoding="pcm_24000", http_session=session,
        ),
        "voice-1",
        "eleven_flash_v2_5",
    ),
    "cartesia": Vendor(
        lambda: CartesiaEmulator(require_key=KEY, first_byte_delay_s=FIRST_BYTE_S),
        lambda emu, key, session: cartesia.TTS(
            voice="voice-2", model="sonic-2", api_key=key, base_url=emu.base_url,
            http_session=session,
        ),
        "voice-2",
        "sonic-2",
    ),
    "aura": Vendor(
        lambda: DeepgramAuraEmulator(require_key=KEY, first_byte_delay_s=FIRST_BYTE_S),
        lambda emu, key, session: deepgram.TTS(
            model="aura-2-thalia-en", api_key=key, base_url=emu.speak_url,
            http_session=session,
        ),
        "aura-2-thalia-en",
        "aura-2-thalia-en",
    ),
}  # fmt: skip


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def loudness(frame: rtc.AudioFrame) -> float:
    samples = np.frombuffer(frame.data, dtype=np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0


async def streamed(voice: tts.TTS[Any], sentences: list[str]) -> list[tts.SynthesizedAudio]:
    """What the agent session does with an LLM's reply: text in pieces, then the end."""
    stream = voice.stream(conn_options=NO_RETRY)
    async with stream:
        for sentence in sentences:
            for word in sentence.split(" "):
                stream.push_text(word + " ")
        stream.flush()
        stream.end_input()
        return [audio async for audio in stream]


def said(request: SpeechRequest) -> str:
    return " ".join(request.text.split())


@pytest.mark.parametrize("name", VENDORS)
async def test_streams_the_words_it_was_sent(
    name: str, http_session: aiohttp.ClientSession
) -> None:
    vendor = VENDORS[name]
    async with vendor.emulator() as emu:
        voice = vendor.plugin(emu, KEY, http_session)
        first = await streamed(voice, SENTENCES)
        second = await streamed(voice, ["Goodbye."])
        await voice.aclose()
    for audios in (first, second):
        audio = rtc.combine_audio_frames([a.frame for a in audios])
        assert audio.sample_rate == 24000
        assert loudness(audio) > 1000
    # Both sentences of the first reply, then the second reply, each with the voice, model
    # and key the plugin was given.
    spoken = [said(r) for r in emu.requests]
    assert " ".join(spoken[:-1]) == " ".join(SENTENCES) and spoken[-1] == "Goodbye."
    assert {(r.transport, r.voice, r.model, r.key) for r in emu.requests} == {
        ("websocket", vendor.voice, vendor.model, KEY)
    }


@pytest.mark.parametrize("name", VENDORS)
async def test_synthesizes_over_http(name: str, http_session: aiohttp.ClientSession) -> None:
    vendor = VENDORS[name]
    async with vendor.emulator() as emu:
        voice = vendor.plugin(emu, KEY, http_session)
        async with voice.synthesize("hello there", conn_options=NO_RETRY) as stream:
            frames = [audio.frame async for audio in stream]
        await voice.aclose()
    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 24000
    assert audio.duration == pytest.approx(0.66, abs=0.05)  # 11 characters at 60 ms
    assert loudness(audio) > 1000
    [request] = emu.requests
    assert (request.transport, request.text, request.model, request.key) == (
        "http", "hello there", vendor.model, KEY,
    )  # fmt: skip


@pytest.mark.parametrize("name", VENDORS)
@pytest.mark.parametrize("streaming", [True, False], ids=["websocket", "http"])
async def test_a_wrong_key_is_refused(
    name: str, streaming: bool, http_session: aiohttp.ClientSession
) -> None:
    vendor = VENDORS[name]
    async with vendor.emulator() as emu:
        voice = vendor.plugin(emu, "not-the-key", http_session)
        with pytest.raises(APIStatusError) as caught:
            if streaming:
                await streamed(voice, ["Hello."])
            else:
                async with voice.synthesize("hello", conn_options=NO_RETRY) as stream:
                    _ = [audio async for audio in stream]
        await voice.aclose()
    assert caught.value.status_code == 401
    assert not emu.requests


async def test_the_first_audio_waits_for_the_first_byte_delay(
    http_session: aiohttp.ClientSession,
) -> None:
    # The plugin's own measure of time to first byte is at least the emulated delay.
    async with ElevenLabsEmulator(require_key=KEY, first_byte_delay_s=0.2) as emu:
        voice = VENDORS["elevenlabs"].plugin(emu, KEY, http_session)
        measured: list[float] = []
        voice.on("metrics_collected", lambda m: measured.append(m.ttfb))
        await streamed(voice, ["Hello there."])
        await voice.aclose()
    assert measured and measured[0] >= 0.2


async def test_elevenlabs_aligns_each_character(http_session: aiohttp.ClientSession) -> None:
    # The plugin turns the alignment into the timed words the transcript follows.
    async with ElevenLabsEmulator(require_key=KEY, first_byte_delay_s=FIRST_BYTE_S) as emu:
        voice = VENDORS["elevenlabs"].plugin(emu, KEY, http_session)
        audios = await streamed(voice, ["Hello there friend."])
        await voice.aclose()
    words = [w for a in audios for w in (a.frame.userdata.get("lk.timed_transcripts") or [])]
    assert "".join(str(w) for w in words).split() == ["Hello", "there", "friend."]
    assert [w.start_time for w in words] == sorted(w.start_time for w in words)
