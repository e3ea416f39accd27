"""An agent's `turn_taking`: its validation (400 with `param`) and the transcript's
end-of-sentence signal that picks a short or a long endpointing wait."""

from __future__ import annotations

from typing import Any

import pytest
from livekit.agents import llm
from livekit.agents.language import LanguageCode
from pydantic import ValidationError

from callwright_shared.agents.definitions import AgentConfig, AgentSpec, check_choices
from callwright_shared.agents.turn_taking import TurnTaking
from callwright_shared.errors import InvalidRequestError
from callwright_shared.settings import CallwrightSettings
from callwright_worker.turn_handling import (
    END_LIKELY,
    END_UNLIKELY,
    UNLIKELY_THRESHOLD,
    TranscriptTurnDetector,
    end_of_turn_probability,
)

pytestmark = pytest.mark.unit


def refusal(body: dict[str, Any]) -> InvalidRequestError:
    with pytest.raises(ValidationError) as caught:
        AgentSpec.model_validate({"name": "a", "architecture": "pipeline", **body})
    return InvalidRequestError.from_validation(caught.value.errors())


@pytest.mark.parametrize(
    ("turn_taking", "param"),
    [
        ({"mode": "eager"}, "turn_taking.mode"),
        ({"detector": "cloud"}, "turn_taking.detector"),
        ({"min_delay": -0.1}, "turn_taking.min_delay"),
        ({"max_delay": "1"}, "turn_taking.max_delay"),
        ({"preemptive_generation": "yes"}, "turn_taking.preemptive_generation"),
        ({"interruption": {"min_duration": 6}}, "turn_taking.interruption.min_duration"),
        ({"interruption": {"min_words": -1}}, "turn_taking.interruption.min_words"),
        (
            {"interruption": {"false_interruption_timeout": 0}},
            "turn_taking.interruption.false_interruption_timeout",
        ),
        ({"interruption": {"cough": True}}, "turn_taking.interruption.cough"),
        (
            {"interruption": {"ignore_backchannels": "yes"}},
            "turn_taking.interruption.ignore_backchannels",
        ),
        ({"endpointing": "fixed"}, "turn_taking.endpointing"),
    ],
)
def test_bad_values_are_refused_naming_the_field(turn_taking: dict[str, Any], param: str) -> None:
    error = refusal({"turn_taking": turn_taking})
    assert (error.http_status, error.param) == (400, param)


def test_defaults_are_the_documented_ones() -> None:
    assert AgentConfig().turn_taking.model_dump() == {
        "mode": "fixed",
        "min_delay": 0.5,
        "max_delay": 2.0,
        "detector": "transcript",
        "preemptive_generation": True,
        "interruption": {
            "min_duration": 0.5,
            "min_words": 1,
            "ignore_backchannels": True,
            "resume_false_interruption": True,
            "false_interruption_timeout": 2.0,
        },
    }


def _settings(**values: Any) -> CallwrightSettings:
    return CallwrightSettings.model_validate(values)


@pytest.mark.parametrize(
    ("turn_taking", "param"),
    [
        (TurnTaking(max_delay=3.5), "turn_taking.max_delay"),
        (TurnTaking(min_delay=3.2, max_delay=3.4), "turn_taking.min_delay"),
        (TurnTaking(min_delay=1.0, max_delay=0.8), "turn_taking.max_delay"),
    ],
)
def test_delays_are_bounded_by_the_operator_and_ordered(
    turn_taking: TurnTaking, param: str
) -> None:
    config = AgentConfig(turn_taking=turn_taking)
    with pytest.raises(InvalidRequestError) as caught:
        check_choices(config, "pipeline", _settings())
    assert caught.value.param == param


def test_the_operator_may_allow_longer_waits_and_a_patch_elsewhere_is_not_rechecked() -> None:
    config = AgentConfig(turn_taking=TurnTaking(max_delay=5.0))
    check_choices(config, "pipeline", _settings(turn_max_delay_limit_s=6.0))
    check_choices(config, "pipeline", _settings(), fields=["greeting"])
    for changed in (["turn_taking"], ["architecture"]):
        with pytest.raises(InvalidRequestError):
            check_choices(config, "pipeline", _settings(), fields=changed)


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to book a table for",
        "I'd like to book a table for four people and",
        "Can you send it to the",
        "I want a",
        "My name is",
        "I'm calling about, um",
        "so I was thinking,",
        "",
    ],
)
def test_a_sentence_ending_on_a_joining_word_is_not_over(text: str) -> None:
    assert end_of_turn_probability(text) == END_UNLIKELY < UNLIKELY_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to book a table for four people",
        "I'd like to book a table for four people.",
        "What time do you open?",
        "Yes",
        "thank you",
        "Tell me what it's for",  # a preposition ending a question is a known miss
    ],
)
def test_a_sentence_ending_on_a_content_word_looks_complete(text: str) -> None:
    expected = END_UNLIKELY if text.endswith(" for") else END_LIKELY
    assert end_of_turn_probability(text) == expected


def chat(*messages: tuple[str, str]) -> llm.ChatContext:
    ctx = llm.ChatContext.empty()
    for role, text in messages:
        ctx.add_message(role=role, content=text)  # type: ignore[arg-type]
    return ctx


async def test_the_detector_reads_the_caller_s_last_message() -> None:
    detector = TranscriptTurnDetector()
    assert await detector.supports_language(LanguageCode("en-US"))
    assert await detector.supports_language(None)
    assert await detector.unlikely_threshold(LanguageCode("en")) == UNLIKELY_THRESHOLD
    incomplete = chat(("assistant", "How can I help?"), ("user", "A table for"))
    complete = chat(("assistant", "How many of you?"), ("user", "Four people"))
    assert await detector.predict_end_of_turn(incomplete) < UNLIKELY_THRESHOLD
    assert await detector.predict_end_of_turn(complete) >= UNLIKELY_THRESHOLD
    # Nothing from the caller since the agent spoke: nothing to wait for.
    assert await detector.predict_end_of_turn(chat(("assistant", "Hi"))) == END_LIKELY


async def test_other_languages_wait_the_minimum() -> None:
    detector = TranscriptTurnDetector()
    assert not await detector.supports_language(LanguageCode("fr"))
    assert await detector.unlikely_threshold(LanguageCode("fr")) is None
