"""The variable renderer (callwright_shared.agents.variables) and session resolution
(callwright_shared.sessions.config): single pass, escaping, missing, types, system values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callwright_shared.agents import variables
from callwright_shared.agents.definitions import AgentConfig, AgentSpec, check_templates
from callwright_shared.errors import (
    InvalidRequestError,
    InvalidVariableError,
    MissingVariableError,
    OverrideNotAllowedError,
    UnknownVariableError,
)
from callwright_shared.sessions import config as session_config

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
names = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True)
# Text that may hold braces, backslashes and placeholder-looking pieces.
texts = st.text(alphabet=st.sampled_from(list("ab {}\\._x\n")), max_size=40)


def test_placeholders_are_replaced_with_spaces_optional() -> None:
    out = variables.render("Hi {{name}}, order {{ order }}.", {"name": "Ada", "order": "42"})
    assert out == "Hi Ada, order 42."


def test_an_escaped_brace_pair_is_a_literal() -> None:
    assert variables.render(r"write \{{ name }} to greet", {"name": "Ada"}) == (
        "write {{ name }} to greet"
    )
    assert variables.placeholders(r"\{{ name }} {{ other }}") == ["other"]


@given(value=texts, name=names)
def test_a_value_is_never_expanded_again(value: str, name: str) -> None:
    values = {name: value, "other": "EXPANDED"}
    assert variables.render(f"<{{{{ {name} }}}}>", values) == f"<{value}>"


@given(prefix=texts, suffix=texts)
def test_rendering_without_placeholders_only_unescapes(prefix: str, suffix: str) -> None:
    text = prefix + suffix
    if variables.placeholders(text):
        return
    # Only `\{{` changes (to `{{`); everything else is kept as written.
    assert variables.render(text, {}) == text.replace("\\{{", "{{")


@given(literal=st.text(alphabet=st.sampled_from(list("ab {}_")), max_size=30))
def test_escaping_every_brace_pair_renders_the_literal(literal: str) -> None:
    escaped = literal.replace("{{", "\\{{")
    # An escape is consumed left to right: `{{{` escapes as `\{{{`, rendering `{{{`.
    assert variables.render(escaped, {"a": "X"}) == literal


def test_save_refuses_unknown_secret_and_stray_placeholders() -> None:
    def agent(**fields: Any) -> AgentSpec:
        return AgentSpec.model_validate({"name": "A", "architecture": "pipeline", **fields})

    secret = {"token": {"required": True, "secret": True}}
    cases = [
        (agent(instructions="Hi {{ who }}"), "instructions", "not a declared variable"),
        (agent(greeting="Hi {{ token }}", variables=secret), "greeting", "secret"),
        (agent(instructions="Use {{ 1x }}"), "instructions", "literal"),
        (agent(instructions="At {{ system.nope }}"), "instructions", "system variable"),
        (agent(variables={"bad-name": {"default": "x"}}), "variables.bad-name", "valid name"),
    ]
    for spec, param, words in cases:
        with pytest.raises(InvalidRequestError) as caught:
            check_templates(spec)
        assert caught.value.param == param
        assert words in caught.value.message
    check_templates(agent(instructions=r"Fine: \{{ literal }} {{ system.date }}"))


@pytest.mark.parametrize(
    "declaration",
    [
        {"type": "number", "default": "7"},
        {"required": True, "default": "x"},
        {"secret": True, "default": "x"},
        {},
    ],
)
def test_a_declaration_needs_a_fitting_default_or_required(declaration: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        variables.VariableSpec.model_validate(declaration)


def _config() -> AgentConfig:
    return AgentConfig.model_validate(
        {
            "instructions": "Caller {{ name }}, VIP {{ vip }}, {{ n }} items, {{ system.date }}.",
            "greeting": "Hello {{ name }} ({{ system.agent_name }})",
            "variables": {
                "name": {"required": True},
                "vip": {"type": "boolean", "default": False},
                "n": {"type": "number", "default": 1},
                "key": {"required": True, "secret": True},
            },
            "overridable": ["greeting", "max_duration_seconds"],
            "timezone": "Pacific/Auckland",
            "max_duration_seconds": 600,
        }
    )


def _resolve(given: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    return session_config.resolve(
        _config(),
        given=given,
        overrides=overrides,
        session_id="ses_1",
        agent_id="agt_1",
        agent_name="Support",
        user_id="u1",
        channel="voice",
        now=NOW,
    )


def test_resolution_renders_types_defaults_and_system_values_in_the_agents_zone() -> None:
    resolved = _resolve({"name": "{{ key }}", "n": 2.0, "key": "s3cret"})
    # Auckland is UTC+13 in December: already the next day there.
    assert resolved.config.instructions == "Caller {{ key }}, VIP false, 2 items, 2026-12-02."
    assert resolved.config.greeting == "Hello {{ key }} (Support)"
    assert "s3cret" not in resolved.config.model_dump_json()
    assert resolved.shown_variables()["key"] == variables.REDACTED
    public = session_config.public(resolved.snapshot())
    assert public is not None and "s3cret" not in str(public)
    assert session_config.stored_config(resolved.snapshot()) == resolved.config


@pytest.mark.parametrize(
    ("given", "overrides", "error", "param"),
    [
        ({"name": "A", "key": "k", "zzz": 1}, None, UnknownVariableError, "variables.zzz"),
        ({"key": "k"}, None, MissingVariableError, "variables.name"),
        ({"name": 5, "key": "k"}, None, InvalidVariableError, "variables.name"),
        ({"name": "A", "key": "k", "vip": "yes"}, None, InvalidVariableError, "variables.vip"),
        ({"name": "A", "key": "k", "n": True}, None, InvalidVariableError, "variables.n"),
        ({"name": "A" * 3000, "key": "k"}, None, InvalidVariableError, "variables.name"),
        ({"name": "A\x00", "key": "k"}, None, InvalidVariableError, "variables.name"),
        ({"name": "A", "key": "k"}, {"language": "fr"}, OverrideNotAllowedError, None),
        (
            {"name": "A", "key": "k"},
            {"max_duration_seconds": 601},
            OverrideNotAllowedError,
            "overrides.max_duration_seconds",
        ),
        (
            {"name": "A", "key": "k"},
            {"max_duration_seconds": "60"},
            InvalidRequestError,
            "overrides.max_duration_seconds",
        ),
        ({"name": "A", "key": "k"}, {"greeting": "{{ key }}"}, InvalidRequestError, None),
    ],
)
def test_resolution_refuses_with_code_and_param(
    given: dict[str, Any],
    overrides: dict[str, Any] | None,
    error: type[Exception],
    param: str | None,
) -> None:
    with pytest.raises(error) as caught:
        _resolve(given, overrides)
    assert isinstance(caught.value, InvalidRequestError)
    assert caught.value.param == (param or caught.value.param)
    assert (caught.value.param or "").startswith(("variables", "overrides"))


def test_an_allowed_override_applies_and_is_rendered() -> None:
    resolved = _resolve(
        {"name": "Ada", "key": "k"},
        {"greeting": "Bonjour {{ name }}", "max_duration_seconds": 60},
    )
    assert resolved.config.greeting == "Bonjour Ada"
    assert resolved.config.max_duration_seconds == 60
    assert resolved.overrides == ["greeting", "max_duration_seconds"]


def _transfer_target(token: dict[str, Any]) -> AgentConfig:
    return AgentConfig.model_validate(
        {
            "instructions": "Your key is {{ token }}." if not token.get("secret") else "Help.",
            "variables": {"token": token, "name": {"default": "there"}},
        }
    )


def _transfer(target: AgentConfig, values: dict[str, Any], secrets: list[str]) -> AgentConfig:
    return session_config.resolve(
        target,
        given=session_config.carried_values(values, secrets=secrets, target=target),
        overrides=None,
        session_id="ses_1",
        agent_id="agt_b",
        agent_name="B",
        user_id="u",
        channel="voice",
        now=NOW,
    ).config


def test_a_secret_is_never_rendered_into_a_transfer_target_that_shows_it() -> None:
    """Agent A holds `token` secret; agent B declares `token` plain and uses it in its
    instructions: the value stays out of B's prompt (its default, or the transfer is
    refused for the missing variable)."""
    session = {"token": "sk_live_X", "name": "Ada"}
    with_default = _transfer(_transfer_target({"default": "none"}), session, ["token"])
    assert with_default.instructions == "Your key is none."
    with pytest.raises(MissingVariableError) as refused:
        _transfer(_transfer_target({"required": True}), session, ["token"])
    assert refused.value.param == "variables.token"
    # A name the target also keeps secret, or a value that was never secret, goes along.
    carried = session_config.carried_values(
        session, secrets=["token"], target=_transfer_target({"required": True, "secret": True})
    )
    assert carried == session
    plain = _transfer(_transfer_target({"required": True}), session, [])
    assert plain.instructions == "Your key is sk_live_X."


def test_the_secret_names_are_read_from_the_snapshot() -> None:
    resolved = _resolve({"name": "Ada", "key": "s3cret"})
    assert session_config.secrets_of(resolved.snapshot()) == ["key"]
    assert session_config.secrets_of(None) == []
