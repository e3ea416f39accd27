"""CPU of the per-call audio work in a job process, one component at a time.

    uv run python bench/call_components.py [--minutes 1]

Runs the real livekit-agents/rtc components a pipeline call runs on the caller's and
the agent's audio, in this process, over the same recorded speech (espeak-ng, looped with
silences, as a caller would talk), and prints each one's CPU seconds per minute of audio
(`time.process_time`: every thread of the process, the ONNX and FFI ones included). CPU
time, not wall time: the figures hold on a busy machine, unlike bench/turn_latency.py's
latencies. The density settings (docs/benchmarks.md, "Density") are measured here lever by lever.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import numpy as np
from livekit import rtc
from livekit.agents import inference, vad
from livekit.agents.voice.transcription._speaking_rate import SpeakingRateDetector
from livekit.local_inference import EOT, EOT_MAX_SAMPLES
from livekit.plugins import silero

from bench.results import Recording
from callwright_devstack.speech import make_speech_wav
from callwright_shared.settings import CallwrightSettings

VAD_MIN_SILENCE_S: float = CallwrightSettings.model_fields["worker_vad_min_silence_s"].default


def speech(minutes: float, rate: int, workdir: Path) -> np.ndarray:
    """`minutes` of a caller talking at `rate` Hz: speech, then as long a silence."""
    wav = make_speech_wav("Hello, can you help me with my order?", workdir / "speech.wav")
    with wave.open(str(wav)) as reader:
        voiced = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16)
    resampler = rtc.AudioResampler(48_000, rate, quality=rtc.AudioResamplerQuality.HIGH)
    frames = resampler.push(rtc.AudioFrame(voiced.tobytes(), 48_000, 1, len(voiced)))
    frames += resampler.flush()
    one = np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames])
    turn = np.concatenate([one, np.zeros_like(one)])
    return np.resize(turn, int(minutes * 60 * rate))


def frames(audio: np.ndarray, rate: int, frame_ms: int) -> Iterator[rtc.AudioFrame]:
    size = rate * frame_ms // 1000
    for start in range(0, len(audio) - size + 1, size):
        yield rtc.AudioFrame(audio[start : start + size].tobytes(), rate, 1, size)


def cpu_of(run: Callable[[rtc.AudioFrame], object], audio: Iterator[rtc.AudioFrame]) -> float:
    started = time.process_time()
    for frame in audio:
        run(frame)
    return time.process_time() - started


def silero_vad(vad_rate: Literal[8000, 16000] = 16_000) -> vad.VAD:
    return silero.VAD.load(min_silence_duration=VAD_MIN_SILENCE_S, sample_rate=vad_rate)


def native_vad() -> vad.VAD:
    """livekit-local-inference's VAD (Silero's network compiled into the wheel's native
    library, fed int16 windows), as livekit-agents wraps it: no download, no cloud."""
    return inference.VAD(min_silence_duration=VAD_MIN_SILENCE_S)


async def vad_cpu(audio: np.ndarray, rate: int, frame_ms: int, model: vad.VAD) -> float:
    stream = model.stream()

    async def drain() -> None:
        async for _ in stream:
            pass

    started = time.process_time()
    consumer = asyncio.create_task(drain())
    for frame in frames(audio, rate, frame_ms):
        stream.push_frame(frame)
        await asyncio.sleep(0)  # let the VAD task run as frames arrive, as in a call
    stream.end_input()
    await consumer
    cpu = time.process_time() - started
    await stream.aclose()
    return cpu


async def speaking_rate_cpu(audio: np.ndarray, rate: int) -> float:
    stream = SpeakingRateDetector().stream()

    async def drain() -> None:
        async for _ in stream._event_ch:
            pass

    started = time.process_time()
    consumer = asyncio.create_task(drain())
    for frame in frames(audio, rate, 10):
        stream._input_ch.send_nowait(frame)
        await asyncio.sleep(0)
    stream._input_ch.close()
    await consumer
    return time.process_time() - started


def resample_cpu(audio: np.ndarray, rate: int, to: int, frame_ms: int) -> float:
    resampler = rtc.AudioResampler(rate, to, quality=rtc.AudioResamplerQuality.MEDIUM)
    return cpu_of(resampler.push, frames(audio, rate, frame_ms))


def agc_cpu(audio: np.ndarray, rate: int, frame_ms: int) -> float:
    apm = rtc.AudioProcessingModule(auto_gain_control=True)
    return cpu_of(apm.process_stream, frames(audio, rate, frame_ms))


def recording_cpu(caller: np.ndarray, agent: np.ndarray, path: Path) -> tuple[float, int]:
    """A recorded call's encoder (callwright_worker.recording): livekit-agents' recorder
    resamples the agent's 24 kHz audio to 48 kHz, places both sides on one timeline and
    encodes stereo Opus into Ogg (PyAV, libopus, its default bitrate) every 2.5 s.
    CPU seconds and the file's size in bytes."""
    import av

    rate = 48_000
    resampler = rtc.AudioResampler(24_000, rate, quality=rtc.AudioResamplerQuality.MEDIUM)
    started = time.process_time()
    played = [resampler.push(frame) for frame in frames(agent, 24_000, 20)]
    right = np.concatenate(
        [np.frombuffer(f.data, dtype=np.int16) for chunk in played for f in chunk]
    )
    left = caller[: len(right)]
    block = int(2.5 * rate)
    with av.open(str(path), mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=rate, layout="stereo")
        for start in range(0, len(right), block):
            both = np.stack([left[start : start + block], right[start : start + block]])
            frame = av.AudioFrame.from_ndarray(
                both.astype(np.float32) / 32768.0, format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return time.process_time() - started, path.stat().st_size


def _smaps_mb(field: str) -> float:
    """A field of this process's /proc/self/smaps_rollup (kB there), in MB."""
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def end_of_turn_model(audio: np.ndarray) -> dict[str, float]:
    """livekit-local-inference's audio end-of-turn model (`turn-detector-v1-mini`), as
    livekit-agents' local transport runs it: one prediction on the last 1.2 s of 16 kHz
    audio each time the caller stops speaking.

    In a child process, as a job process gets it: the memory the model takes when loaded
    (`rss_load_mb`), and, loaded once and then forked as livekit-agents' forkserver
    preload does, what a forked job process makes its own by predicting
    (`private_after_fork_mb`: its private memory growth, the rest stays shared)."""
    probe = (
        "import json, os, numpy as np\n"
        "from bench.call_components import _smaps_mb\n"
        "from livekit.local_inference import EOT, init_eot\n"
        "before = _smaps_mb('Rss'); init_eot(); loaded = _smaps_mb('Rss')\n"
        "r, w = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    own = _smaps_mb('Private_Clean') + _smaps_mb('Private_Dirty')\n"
        "    EOT().predict(np.zeros(19200, dtype=np.int16))\n"
        "    grew = _smaps_mb('Private_Clean') + _smaps_mb('Private_Dirty') - own\n"
        "    os.write(w, json.dumps(grew).encode()); os._exit(0)\n"
        "os.wait()\n"
        "print(json.dumps({'rss_load_mb': loaded - before,\n"
        "                  'private_after_fork_mb': json.loads(os.read(r, 64))}))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    memory: dict[str, float] = json.loads(found.stdout)

    model = EOT()
    window = EOT_MAX_SAMPLES
    # The end of each utterance: where speech gives way to the silence that follows it.
    voiced = np.flatnonzero(np.abs(audio) > 500)
    ends = voiced[:-1][np.diff(voiced) > 16_000 // 2]  # the last sound before 0.5 s of quiet
    ends = ends[ends >= window]
    started = time.process_time()
    for end in ends:
        model.predict(audio[end - window : end].copy())
    cpu = time.process_time() - started
    model.close()
    return {
        "cpu_ms_per_prediction": 1000 * cpu / max(1, len(ends)),
        "predictions": float(len(ends)),
        **memory,
    }


async def main(minutes: float, write: bool) -> None:
    recording_run = Recording("call_components")
    with tempfile.TemporaryDirectory(prefix="callwright-components-") as tmp:
        at = {rate: speech(minutes, rate, Path(tmp)) for rate in (16_000, 24_000, 48_000)}
        # Both sides voiced half the time, at once: no smaller than a real call's file.
        recording, recorded_bytes = recording_cpu(at[48_000], at[24_000], Path(tmp) / "call.ogg")
    rows = [
        (
            "Silero VAD, 24 kHz input → 16 kHz model",
            await vad_cpu(at[24_000], 24_000, 50, silero_vad()),
        ),
        (
            "Silero VAD, 16 kHz input, 16 kHz model",
            await vad_cpu(at[16_000], 16_000, 50, silero_vad()),
        ),
        (
            "Silero VAD, 16 kHz input → 8 kHz model",
            await vad_cpu(at[16_000], 16_000, 50, silero_vad(8_000)),
        ),
        (
            "Silero VAD, 16 kHz input, 100 ms frames",
            await vad_cpu(at[16_000], 16_000, 100, silero_vad()),
        ),
        (
            "native VAD, 24 kHz input → 16 kHz model",
            await vad_cpu(at[24_000], 24_000, 50, native_vad()),
        ),
        (
            "native VAD, 16 kHz input, 16 kHz model",
            await vad_cpu(at[16_000], 16_000, 50, native_vad()),
        ),
        ("STT input resampling 24 → 16 kHz", resample_cpu(at[24_000], 24_000, 16_000, 50)),
        ("auto gain control, 24 kHz", agc_cpu(at[24_000], 24_000, 50)),
        ("auto gain control, 16 kHz", agc_cpu(at[16_000], 16_000, 50)),
        (
            "transcript sync: speaking rate of 24 kHz agent audio",
            await speaking_rate_cpu(at[24_000], 24_000),
        ),
        ("call recording: stereo Ogg/Opus of both sides", recording),
    ]
    eot = end_of_turn_model(at[16_000])
    rows.append(
        (
            "end-of-turn model: a prediction at the end of each utterance",
            eot["cpu_ms_per_prediction"] / 1000 * eot["predictions"],
        )
    )
    print(f"CPU seconds per minute of audio ({minutes:g} min each, this process, all threads)")
    width = max(len(name) for name, _ in rows)
    for name, cpu in rows:
        print(
            f"  {name:<{width}}  {cpu / minutes:6.2f}  ({100 * cpu / minutes / 60:.1f} % of a core)"
        )
    print(f"A minute of recording: {recorded_bytes / minutes / 1000:.0f} kB")
    print(
        f"End-of-turn model: {eot['cpu_ms_per_prediction']:.1f} CPU ms per prediction, "
        f"{eot['rss_load_mb']:.0f} MB RSS when loaded, {eot['private_after_fork_mb']:.1f} MB "
        "private in a forked job process that predicts"
    )
    if write:
        recording_run.write(
            {
                "minutes": minutes,
                "components": [
                    {"component": name, "cpu_s_per_minute": round(cpu / minutes, 3)}
                    for name, cpu in rows
                ],
                "recording_kb_per_minute": round(recorded_bytes / minutes / 1000),
                "end_of_turn_model": {k: round(v, 1) for k, v in eot.items()},
            }
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument(
        "--write", action="store_true", help="write bench/results/call_components.json"
    )
    args = parser.parse_args()
    asyncio.run(main(args.minutes, args.write))
