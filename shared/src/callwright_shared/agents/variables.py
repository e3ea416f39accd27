"""Per-session variables: their declaration on an agent and the one renderer.

Syntax, in an agent's `instructions` and `greeting`:

- `{{ name }}` is replaced by the session's value of `name` (spaces inside the braces
  are optional). `name` is a declared variable (letters, digits, `_`, not starting with
  a digit) or a system variable, `system.<name>` (filled by the platform).
- `\\{{` writes a literal `{{` (the backslash is dropped).
- Rendering is a single pass: a value that itself contains `{{ x }}` or `\\{{` is put in
  verbatim, never expanded again.
- Any other `{{` (unescaped and not a placeholder) is refused when the agent is saved, so
  what the model sees never holds a half-written placeholder.

Writers: the agent routes and `admin create-agent` (`check_template` at save); the
issuer renders once at session creation (callwright_shared.sessions.config). The worker
never renders: it runs the stored snapshot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from callwright_shared.errors import InvalidRequestError
from callwright_shared.text import SingleLine, has_control_characters

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
SYSTEM_PREFIX = "system."
SYSTEM_VARIABLES = (
    "session_id",
    "agent_id",
    "agent_name",
    "user_id",
    "channel",
    "now",
    "date",
    "time",
    "timezone",
)
# One alternation, scanned left to right once: an escape, a placeholder, or a stray `{{`.
_TOKEN = re.compile(
    r"\\\{\{"
    r"|\{\{\s*(?P<name>(?:system\.)?[A-Za-z_][A-Za-z0-9_]*)\s*\}\}"
    r"|(?P<stray>\{\{)"
)
MAX_VARIABLES = 64
MAX_STRING_CHARS = 2048
MAX_TOTAL_CHARS = 16 * 1024
REDACTED = "[redacted]"

Value = str | int | float | bool
VariableType = Literal["string", "number", "boolean"]


class VariableSpec(BaseModel):
    """One declared variable of an agent: `variables: {name: VariableSpec}`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: VariableType = "string"
    required: bool = False
    default: Value | None = None
    # A secret is never shown to the model (refused in instructions and greeting) and
    # redacted in every answer; it is meant for tool URLs and headers.
    secret: bool = False
    description: SingleLine | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _default_fits(self) -> Self:
        if self.required and self.default is not None:
            raise ValueError("a required variable has no default")
        if self.secret and self.default is not None:
            raise ValueError("a secret variable has no default: the session supplies it")
        if not self.required and self.default is None:
            raise ValueError("give a default, or make the variable required")
        if self.default is not None:
            problem = type_problem(self.type, self.default)
            if problem:
                raise ValueError(f"default: {problem}")
        return self


def check_names(names: Collection[str]) -> None:
    """Refuse (400) a declaration whose names are not plain placeholder names."""
    if len(names) > MAX_VARIABLES:
        raise InvalidRequestError(
            f"variables: at most {MAX_VARIABLES} may be declared", param="variables"
        )
    for name in names:
        if not NAME.fullmatch(name):
            raise InvalidRequestError(
                f"variables: '{name[:70]}' is not a valid name (letters, digits and _, "
                "not starting with a digit, at most 64 characters)",
                param=f"variables.{name[:70]}",
            )


def placeholders(text: str) -> list[str]:
    """The names of the placeholders in `text`, in order (escapes are not placeholders)."""
    return [m["name"] for m in _TOKEN.finditer(text) if m["name"]]


def check_template(
    text: str, *, field: str, variables: Mapping[str, VariableSpec], model_visible: bool = True
) -> None:
    """Refuse (400, param `field`) a template the renderer could not fill safely."""
    for match in _TOKEN.finditer(text):
        if match["stray"]:
            raise InvalidRequestError(
                f"{field}: '{{{{' that is not a placeholder; write \\{{{{ for a literal one",
                param=field,
            )
        name = match["name"]
        if name is None:
            continue
        if name.startswith(SYSTEM_PREFIX):
            if name.removeprefix(SYSTEM_PREFIX) not in SYSTEM_VARIABLES:
                raise InvalidRequestError(
                    f"{field}: unknown system variable '{name}'; there are "
                    f"{', '.join(SYSTEM_PREFIX + s for s in SYSTEM_VARIABLES)}",
                    param=field,
                )
            continue
        spec = variables.get(name)
        if spec is None:
            raise InvalidRequestError(
                f"{field}: '{{{{ {name} }}}}' is not a declared variable", param=field
            )
        if spec.secret and model_visible:
            raise InvalidRequestError(
                f"{field}: '{name}' is a secret variable; secrets may not appear in what "
                "the model sees",
                param=field,
            )


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced, in one pass; `\\{{` becomes `{{`.

    A name without a value, or a stray `{{`, is left as written (`check_template` has
    refused both at save).
    """

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name is None:  # an escape, or a stray `{{` kept as written
            return "{{"
        return values.get(name, match[0])

    return _TOKEN.sub(replace, text)


def type_problem(kind: VariableType, value: Any) -> str | None:
    """Why `value` is not a JSON value of `kind`, or None."""
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be a boolean"
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        return None
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_STRING_CHARS:
        return f"must be at most {MAX_STRING_CHARS} characters"
    if has_control_characters(value, multiline=True):
        return "must not contain control characters other than tabs and line breaks"
    return None


def as_text(value: Value) -> str:
    """How a value reads in the prompt: JSON's spelling of booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def system_values(
    *,
    session_id: str,
    agent_id: str,
    agent_name: str,
    user_id: str,
    channel: str,
    timezone: str,
    now: datetime,
) -> dict[str, str]:
    """The system variables, fixed when the session is created."""
    local = now.astimezone(ZoneInfo(timezone))
    values = {
        "session_id": session_id,
        "agent_id": agent_id,
        "agent_name": agent_name,
        "user_id": user_id,
        "channel": channel,
        "now": local.isoformat(timespec="seconds"),
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "timezone": timezone,
    }
    return {SYSTEM_PREFIX + name: value for name, value in values.items()}
