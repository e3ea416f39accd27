"""PCM16 helpers shared by the emulators: a speech-like tone to send, loudness to judge.

Every emulator that answers with audio sends `speech_like_pcm`; every emulator that
listens classifies what it receives with `rms`.
"""

from __future__ import annotations

import numpy as np

MS_PER_CHARACTER = 60
MIN_SPEECH_S = 0.3
MAX_SPEECH_S = 3.0


def rms(pcm: bytes) -> float:
    """Root mean square of little-endian signed 16-bit samples (0.0 for no samples)."""
    usable = len(pcm) - len(pcm) % 2
    if usable == 0:
        return 0.0
    samples = np.frombuffer(pcm[:usable], dtype=np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples)))


def speech_duration_s(text: str) -> float:
    """How long the emulated voice takes to say `text`: 60 ms a character, 0.3 s to 3 s."""
    return min(max(len(text) * MS_PER_CHARACTER / 1000, MIN_SPEECH_S), MAX_SPEECH_S)


def speech_like_pcm(
    duration_s: float,
    *,
    sample_rate: int,
    frequency_hz: float = 440.0,
    amplitude: float = 0.3,
    syllable_hz: float = 4.0,
) -> bytes:
    """Mono PCM16 of a `frequency_hz` tone whose loudness swells at `syllable_hz`.

    The envelope never drops below 40 % of `amplitude`, so every 10 ms frame of it is
    clearly non-silent.
    """
    n_samples = round(duration_s * sample_rate)
    t = np.arange(n_samples, dtype=np.float64) / sample_rate
    envelope = 0.7 + 0.3 * np.sin(2 * np.pi * syllable_hz * t)
    wave = amplitude * 32767 * envelope * np.sin(2 * np.pi * frequency_hz * t)
    return wave.astype(np.int16).tobytes()


def text_to_speech_pcm(text: str, *, sample_rate: int) -> bytes:
    """The emulated voice saying `text`: a tone lasting `speech_duration_s(text)`."""
    return speech_like_pcm(speech_duration_s(text), sample_rate=sample_rate)


def chunked(data: bytes, size: int) -> list[bytes]:
    """`data` cut into pieces of `size` bytes (the last one may be shorter)."""
    return [data[i : i + size] for i in range(0, len(data), size)]
