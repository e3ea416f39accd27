"""Recording files as livekit-agents' recorder leaves them, for tests that need one
without a call: stereo Opus in Ogg at 48 kHz."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_ogg(path: Path, seconds: float) -> None:
    """`seconds` of a 440 Hz tone on both channels."""
    rate = 48_000
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=rate, layout="stereo")
        t = np.arange(int(rate * seconds)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
