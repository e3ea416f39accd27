"""A tool call's arguments, checked against the tool's parameters (a JSON Schema), with
every tenant-written regular expression run on RE2.

A tenant writes the schema and the model (which an end user steers) writes the
arguments. jsonschema's own `pattern` is Python's backtracking `re.search`: a pattern
such as `^(a+)+$` against forty `a` and a `!` runs for hours, on the issuer's event
loop in chat and in the job process in voice. RE2 matches in time linear in the input,
and refuses what would need backtracking (backreferences, lookaround), so:

- `pattern_problem(schema)` at save: every `pattern` must compile on RE2;
- `parse(...)` when the model calls: the arguments' JSON text is bounded first, then
  validated by `Validator`, Draft 2020-12 with `pattern` on RE2. `format` is not
  asserted (no format checker, so `format: regex` never compiles an argument), and the
  saved subset refuses `patternProperties` and `propertyNames`, jsonschema's other
  users of `re`.

See docs/security.md#regex-on-re2.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import re2
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator as ValidatorProtocol

# The model's arguments as JSON text: longer is refused before it is parsed or matched.
MAX_ARGUMENT_CHARS = 16_000
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the tenant's 400, not a log line


class PatternError(ValueError):
    """RE2 cannot compile the pattern (its reason, e.g. `invalid escape sequence: \\1`)."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The pattern on RE2 (cached: a tool's patterns are checked on every call)."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(text) from None


def _pattern(
    validator: ValidatorProtocol, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        # Saved before RE2 was required: fail closed rather than fall back to `re`.
        yield ValidationError(f"{pattern!r} is not a supported pattern")
        return
    if compiled.search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Typed here: jsonschema's `extend` is not annotated.
_extend: Callable[..., type[ValidatorProtocol]] = validators.extend
Validator = _extend(Draft202012Validator, validators={"pattern": _pattern})


def pattern_problem(schema: Any, *, path: str = "") -> str | None:
    """The first `pattern` RE2 cannot compile, said for the tenant (None: all compile).
    Walks what the saved subset nests: `properties` and `items`."""
    if not isinstance(schema, dict):
        return None
    where = path or "the schema"
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            return (
                f"{where}: pattern is not supported ({str(exc)[:100]}); patterns run on "
                "RE2: no backreferences or lookaround"
            )
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, child in properties.items():
            problem = pattern_problem(child, path=f"{path}.{name}" if path else str(name))
            if problem:
                return problem
    items = schema.get("items")
    if isinstance(items, dict):
        return pattern_problem(items, path=f"{path}[]")
    return None


def parse(
    name: str, parameters: Mapping[str, Any] | None, arguments: Mapping[str, Any] | str | None
) -> dict[str, Any] | str:
    """The model's arguments as a dict, or why they do not fit (said to the model).
    `parameters`: the tool's schema (None: any object)."""
    if arguments is None or arguments == "":
        value: Any = {}
    elif isinstance(arguments, str):
        if len(arguments) > MAX_ARGUMENT_CHARS:
            return _too_long(name)
        try:
            value = json.loads(arguments)
        except ValueError:
            return f"{name}: the arguments are not valid JSON; send a JSON object"
    else:
        value = dict(arguments)
        try:
            size = len(json.dumps(value, default=str))
        except (TypeError, ValueError):
            return f"{name}: the arguments must be a JSON object"
        if size > MAX_ARGUMENT_CHARS:
            return _too_long(name)
    if not isinstance(value, dict):
        return f"{name}: the arguments must be a JSON object"
    if parameters is not None:
        errors = sorted(Validator(parameters).iter_errors(value), key=_error_order)
        if errors:
            first = errors[0]
            where = ".".join(str(p) for p in first.absolute_path)
            detail = f"{where}: {first.message}" if where else first.message
            return f"{name}: invalid arguments ({detail[:200]}); fix them and call again"
    return value


def _too_long(name: str) -> str:
    return f"{name}: the arguments are longer than {MAX_ARGUMENT_CHARS} characters"


def _error_order(error: ValidationError) -> tuple[int, str]:
    return (len(error.absolute_path), error.message)
