"""A session's resolved configuration: the agent, its overrides and rendered variables.

Written once by the issuer at creation (Create Voice / Chat Session), before anything is
held, and stored on the session (`sessions.config`, migration 0006). Read by the worker
(callwright_worker.call_store) and by Send Message, which run it instead of the agent's
current config: editing the agent during a call changes nothing in that call. Shown
(secrets redacted) by `GET /v1/sessions/{id}`.

Stored shape: `{"agent": <AgentConfig, rendered>, "variables": {name: value},
"secrets": [name], "overrides": [field]}`; the agent's tools with their secret header
values (`callwright_shared.tools`), redacted where shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from callwright_shared.agents import stages, variables
from callwright_shared.agents.definitions import TEMPLATE_FIELDS, AgentConfig
from callwright_shared.errors import (
    InvalidRequestError,
    InvalidVariableError,
    MissingVariableError,
    OverrideNotAllowedError,
    UnknownVariableError,
)
from callwright_shared.tools.checks import redact_stored
from callwright_shared.tools.models import STORE


@dataclass(frozen=True, slots=True)
class Resolved:
    config: AgentConfig
    values: dict[str, variables.Value]
    secrets: list[str]
    overrides: list[str]

    def snapshot(self) -> dict[str, Any]:
        return {
            # Secret header values too: the worker sends them (shown redacted, `public`).
            "agent": self.config.model_dump(mode="json", context=STORE),
            "variables": self.values,
            "secrets": self.secrets,
            "overrides": self.overrides,
        }

    def shown_variables(self) -> dict[str, Any]:
        return _redacted(self.values, self.secrets)


def resolve(
    config: AgentConfig,
    *,
    given: dict[str, Any] | None,
    overrides: dict[str, Any] | None,
    session_id: str,
    agent_id: str,
    agent_name: str,
    user_id: str,
    channel: str,
    now: datetime,
) -> Resolved:
    """The configuration the session runs, or a 400 naming the field at fault.

    Overrides name the agent's `overridable` fields, a stage's as an object
    (`{"tts": {"voice": "nova"}}`) or, deprecated, flat (`tts_voice`)."""
    paths = stages.override_paths(overrides or {}, config.overridable)
    merged = _apply_overrides(config, paths)
    values = _values(merged, given or {})
    rendered: dict[str, str] = {name: variables.as_text(v) for name, v in values.items()}
    rendered.update(
        variables.system_values(
            session_id=session_id,
            agent_id=agent_id,
            agent_name=agent_name,
            user_id=user_id,
            channel=channel,
            timezone=merged.timezone,
            now=now,
        )
    )
    texts = {
        field: variables.render(text, rendered)
        for field in TEMPLATE_FIELDS
        if (text := getattr(merged, field))
    }
    try:
        # Rendered text obeys the same limits as the agent's (the worker validates it).
        final = AgentConfig.model_validate({**merged.model_dump(), **texts}, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidVariableError(
            f"variables: the rendered {first['loc'][0]} {first['msg']}", param="variables"
        ) from None
    return Resolved(
        config=final,
        values=values,
        secrets=sorted(n for n, spec in merged.variables.items() if spec.secret),
        overrides=sorted(paths),
    )


def _apply_overrides(config: AgentConfig, overrides: dict[str, Any]) -> AgentConfig:
    refused = sorted(set(overrides) - set(config.overridable))
    if refused:
        allowed = ", ".join(config.overridable) or "none"
        raise OverrideNotAllowedError(
            f"overrides: this agent does not allow overriding {', '.join(refused)} "
            f"(it allows: {allowed})",
            param=f"overrides.{refused[0]}",
        )
    if not overrides:
        return config
    data = config.model_dump()
    for path, value in overrides.items():
        stage, _, key = path.partition(".")
        if key:
            data[stage] = {**data[stage], key: value}
        else:
            data[path] = value
    try:
        merged = AgentConfig.model_validate(data, strict=True)
    except ValidationError as exc:
        raise InvalidRequestError.from_validation(exc.errors(), prefix="overrides") from None
    if merged.max_duration_seconds > config.max_duration_seconds:
        raise OverrideNotAllowedError(
            f"overrides.max_duration_seconds: may only be lowered (the agent's is "
            f"{config.max_duration_seconds})",
            param="overrides.max_duration_seconds",
        )
    for field in TEMPLATE_FIELDS:
        if field in overrides and (text := getattr(merged, field)):
            variables.check_template(text, field=f"overrides.{field}", variables=merged.variables)
    return merged


def _values(config: AgentConfig, given: dict[str, Any]) -> dict[str, variables.Value]:
    declared = config.variables
    if len(given) > variables.MAX_VARIABLES:
        raise InvalidVariableError(
            f"variables: at most {variables.MAX_VARIABLES} may be given", param="variables"
        )
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UnknownVariableError(
            f"variables: this agent declares no variable {', '.join(unknown)[:200]}",
            param=f"variables.{unknown[0][:64]}",
        )
    missing = sorted(n for n, spec in declared.items() if spec.required and n not in given)
    if missing:
        raise MissingVariableError(
            f"variables: required variables missing: {', '.join(missing)}",
            param=f"variables.{missing[0]}",
        )
    values: dict[str, variables.Value] = {}
    total = 0
    for name, spec in declared.items():
        value = given.get(name, spec.default)
        assert value is not None  # a variable is required, or has a default
        problem = variables.type_problem(spec.type, value)
        if problem:
            raise InvalidVariableError(
                f"variables.{name}: {problem} ({spec.type})", param=f"variables.{name}"
            )
        total += len(variables.as_text(value))
        values[name] = value
    if total > variables.MAX_TOTAL_CHARS:
        raise InvalidVariableError(
            f"variables: at most {variables.MAX_TOTAL_CHARS} characters in all",
            param="variables",
        )
    return values


def _redacted(values: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    return {n: variables.REDACTED if n in secrets else v for n, v in values.items()}


def stored_config(snapshot: dict[str, Any] | None) -> AgentConfig | None:
    """The configuration a session runs, from its stored snapshot (None: an older
    session, which runs its agent's current config)."""
    if not snapshot:
        return None
    return AgentConfig.model_validate(snapshot["agent"], strict=False)


def public(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """The snapshot as the API shows it: secret values redacted."""
    if not snapshot:
        return None
    secrets = list(snapshot.get("secrets", []))
    return {
        "agent": redact_stored(snapshot["agent"]),
        "variables": _redacted(dict(snapshot.get("variables", {})), secrets),
        "overrides": list(snapshot.get("overrides", [])),
    }


def carried_values(
    values: dict[str, Any], *, secrets: Collection[str], target: AgentConfig
) -> dict[str, Any]:
    """The session's variable values a transfer hands its target agent (to `resolve`):
    those the target declares, but never a value the session holds secret where the
    target declares the name non-secret, since the target may show that to the model
    (docs/security.md#secrets-across-transfers). Left out, the target's default applies,
    or a required one is missing and the transfer is refused."""
    declared = target.variables
    return {
        name: value
        for name, value in values.items()
        if name in declared and (name not in secrets or declared[name].secret)
    }


def secrets_of(snapshot: dict[str, Any] | None) -> list[str]:
    """The names of the secret variables in a stored snapshot."""
    return list((snapshot or {}).get("secrets") or [])
