"""An agent's `turn_taking` as livekit-agents' turn handling, and the transcript detector.

livekit-agents waits `min_delay` after the end of speech when its turn detector's
probability that the turn is over reaches the detector's `unlikely_threshold`, and
`max_delay` when it does not. `TranscriptTurnDetector` gives that probability from the
transcript's last word: "a table for" is not an ending. Nothing here calls LiveKit Cloud:
the end-of-turn model is the local `turn-detector-v1-mini` (docs/decisions.md#turn-taking-defaults).
"""

from __future__ import annotations

import re

from livekit.agents import inference, llm
from livekit.agents.language import LanguageCode
from livekit.agents.voice.turn import TurnDetectionMode, TurnHandlingOptions

from callwright_shared.agents.turn_taking import TurnTaking

# Words a sentence does not end on: articles, determiners, conjunctions, prepositions,
# the speaker before a verb, and hesitations.
UNFINISHED_WORDS = frozenset(
    " ".join(
        (
            "a an the my your our their his her its this these those some any every no",
            "and or but nor so because since although though if unless when while whereas",
            "that than whether which who whose where",
            "for to of in on at by with from into onto about above below under over after",
            "before between through during without within toward towards against among via",
            "per like as",
            "i i'm i'd i'll i've we we're we'd we'll you're it's there's",
            "is are was were am be been being will would can could shall should may might",
            "must",
            "um uh er erm hmm",
        )
    ).split()
)
END_LIKELY = 0.9
END_UNLIKELY = 0.05
UNLIKELY_THRESHOLD = 0.5
# Each final transcript of a turn starts a new preemptive generation; Deepgram sends
# several finals for one sentence (a pause of 25 ms ends one), and livekit's default of
# three is spent before the sentence is.
PREEMPTIVE_ATTEMPTS = 8
_WORD = re.compile(r"[\w']+")


def last_word(text: str) -> str | None:
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return words[-1] if words else None


def end_of_turn_probability(text: str) -> float:
    """How likely `text` is a whole turn, judged by its last word (English)."""
    stripped = text.rstrip()
    if not stripped or stripped.endswith((",", "-", "\u2014", "...", "\u2026")):
        return END_UNLIKELY
    word = last_word(stripped)
    if word is None or word in UNFINISHED_WORDS:
        return END_UNLIKELY
    return END_LIKELY


def _english(language: LanguageCode | str | None) -> bool:
    return language is None or str(language).lower().replace("_", "-").split("-")[0] in (
        "en",
        "eng",
    )


class TranscriptTurnDetector:
    """livekit-agents' turn detector interface (`voice.turn._TurnDetector`) on the
    transcript's last words: cheap, local, and deaf to prosody (so espeak speech tests it
    honestly). English only: elsewhere livekit waits `min_delay`."""

    @property
    def model(self) -> str:
        return "callwright-transcript"

    @property
    def provider(self) -> str:
        return "callwright"

    async def unlikely_threshold(self, language: LanguageCode | None) -> float | None:
        return UNLIKELY_THRESHOLD if _english(language) else None

    async def supports_language(self, language: LanguageCode | None) -> bool:
        return _english(language)

    async def predict_end_of_turn(
        self,
        chat_ctx: llm.ChatContext,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the protocol's signature; instant)
    ) -> float:
        for item in reversed(chat_ctx.items):
            if isinstance(item, llm.ChatMessage) and item.role == "user":
                return end_of_turn_probability(item.text_content or "")
            if isinstance(item, llm.ChatMessage) and item.role == "assistant":
                break
        return END_LIKELY


def turn_detection(turn_taking: TurnTaking) -> TurnDetectionMode:
    match turn_taking.detector:
        case "transcript":
            return TranscriptTurnDetector()
        case "end_of_turn_model":
            # v1-mini runs in-process (livekit-local-inference); an unpinned version is
            # the Cloud model in dev mode.
            return inference.TurnDetector(version="v1-mini")
        case _:
            return "vad"


def turn_handling_options(
    turn_taking: TurnTaking, *, max_delay_limit: float
) -> TurnHandlingOptions:
    """What `AgentSession(turn_handling=...)` gets for a pipeline agent. The delays stay
    within the operator's limit even when it was lowered after the agent was saved."""
    interruption = turn_taking.interruption
    max_delay = min(turn_taking.max_delay, max_delay_limit)
    return {
        "turn_detection": turn_detection(turn_taking),
        "endpointing": {
            "mode": turn_taking.mode,
            "min_delay": min(turn_taking.min_delay, max_delay),
            "max_delay": max_delay,
        },
        "interruption": {
            # livekit's adaptive interruption detector calls LiveKit Cloud.
            "mode": "vad",
            "min_duration": interruption.min_duration,
            "min_words": interruption.min_words,
            "resume_false_interruption": interruption.resume_false_interruption,
            "false_interruption_timeout": interruption.false_interruption_timeout,
        },
        "preemptive_generation": {
            "enabled": turn_taking.preemptive_generation,
            # The speech too: its first byte is ready when the wait ends.
            "preemptive_tts": turn_taking.preemptive_generation,
            "max_retries": PREEMPTIVE_ATTEMPTS,
        },
    }
