"""Recorded speech for the tiers that talk: espeak-ng, resampled by sox to 48 kHz mono."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from callwright_devstack.required import service_missing

SAMPLE_RATE = 48_000


def make_speech_wav(text: str, path: Path, *, pad_seconds: float = 0.0) -> Path:
    """Speak `text` into a 48 kHz mono 16-bit WAV, with `pad_seconds` of silence after."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        service_missing("espeak-ng and sox (apt-get install espeak-ng sox)")
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), text], check=True)
    command = ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path)]
    if pad_seconds:
        command += ["pad", "0", str(pad_seconds)]
    subprocess.run(command, check=True)
    raw.unlink()
    return path
