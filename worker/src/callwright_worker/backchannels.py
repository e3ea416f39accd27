"""Backchannels: what a caller says over the agent only to show they are listening.

"mm-hmm", "uh-huh", "yeah", "okay", "right" said while the agent speaks are not a turn:
the agent goes on. livekit-agents 1.8.9 stops the agent on any final transcript over it,
and its own backchannel detection is the LiveKit Cloud "adaptive" interruption mode, so
the worker drops such transcripts from the speech-to-text stream (the agent's `stt_node`)
before livekit sees them, while the agent is speaking; with `interruption.min_words: 1`
voice activity alone does not stop it either (docs/decisions.md#backchannels).

When the agent is not speaking nothing is dropped: "yes" answers its question.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from functools import cache

from livekit.agents import stt

# English; a transcript is a backchannel when it is only these, in any number and order
# ("oh okay", "yeah yeah", "mm-hmm right"). Hyphens count as spaces ("mm-hmm" is
# "mm hmm"). Not here on purpose: "no", "wait", "stop", "sorry" (they mean to stop the
# agent) and hesitations ("um", "uh": the start of a turn).
BACKCHANNEL_PHRASES = (
    "mm",
    "mmm",
    "hm",
    "hmm",
    "mhm",
    "mm hmm",
    "mm hm",
    "uh huh",
    "uh hum",
    "yeah",
    "yea",
    "yes",
    "yep",
    "yup",
    "ok",
    "okay",
    "right",
    "alright",
    "all right",
    "sure",
    "i see",
    "got it",
    "oh",
    "ah",
    "aha",
    "cool",
    "great",
    "exactly",
)
_WORD = re.compile(r"[a-z']+")
# Transcripts the agent's speech cannot be stopped by while it plays.
_FILTERED = frozenset(
    {
        stt.SpeechEventType.INTERIM_TRANSCRIPT,
        stt.SpeechEventType.PREFLIGHT_TRANSCRIPT,
        stt.SpeechEventType.FINAL_TRANSCRIPT,
    }
)


@cache
def _phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(phrase.split()) for phrase in BACKCHANNEL_PHRASES)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("-", " "))


def is_backchannel(text: str) -> bool:
    """Whether `text` is made only of backchannel phrases (case and punctuation aside);
    an empty transcript is not one."""
    words = _words(text)
    if not words:
        return False
    phrases = _phrases()
    longest = max(len(phrase) for phrase in phrases)
    # reachable[i]: words[:i] splits into phrases.
    reachable = [True] + [False] * len(words)
    for end in range(1, len(words) + 1):
        reachable[end] = any(
            reachable[end - size] and tuple(words[end - size : end]) in phrases
            for size in range(1, min(longest, end) + 1)
        )
    return reachable[-1]


def is_backchannel_event(event: stt.SpeechEvent | str) -> bool:
    if isinstance(event, str):
        return is_backchannel(event)
    return (
        event.type in _FILTERED
        and bool(event.alternatives)
        and is_backchannel(event.alternatives[0].text)
    )


async def without_backchannels(
    events: AsyncIterable[stt.SpeechEvent | str],
    *,
    agent_speaking: Callable[[], bool],
) -> AsyncGenerator[stt.SpeechEvent | str, None]:
    """`events` less the transcripts that are only a backchannel, while `agent_speaking()`
    (asked as each event arrives). Everything else, speech start and end and usage
    included, passes unchanged."""
    async for event in events:
        if agent_speaking() and is_backchannel_event(event):
            continue
        yield event
