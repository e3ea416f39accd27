"""The parameters' JSON Schema: a portable subset of Draft 2020-12, stricter where the
agent may run on Gemini Live, whose `types.Schema` accepts less."""

import json
import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from callwright_shared.text import has_control_characters
from callwright_shared.tools import arguments as tool_arguments

# -- the parameters' schema ---------------------------------------------------------------

_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
# Keywords every model callwright runs honours or safely ignores. Not: $ref/$defs (not
# resolved by every provider), $schema (crashed Gemini, livekit/agents#4334), combinators
# (anyOf/oneOf/allOf/not/if), const and default (Gemini drops or rewrites them, so the
# model would see a different contract than the executor checks).
_KEYWORDS = frozenset(
    {
        "type",
        "description",
        "title",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "format",
    }
)
# Gemini's `types.Schema.format`: what the Gemini API documents per type.
_GEMINI_FORMATS = frozenset({"enum", "date-time", "float", "double", "int32", "int64"})
_PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
_MAX_DEPTH = 6
_MAX_SCHEMA_CHARS = 16_000


def schema_problem(schema: Any, *, gemini: bool) -> str | None:
    """Why `schema` cannot be a tool's parameters (None: it can). `gemini`: the agent may
    run on Gemini Live, which accepts only string enums and a few formats."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return 'must be a JSON Schema object with "type": "object"'
    try:
        size = len(json.dumps(schema))
    except (TypeError, ValueError):
        return "must be JSON"
    if size > _MAX_SCHEMA_CHARS:
        return f"at most {_MAX_SCHEMA_CHARS} characters of JSON"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message[:200]}"
    problem = _node_problem(schema, path="", depth=0, gemini=gemini)
    return problem or tool_arguments.pattern_problem(schema)


def _node_problem(node: Any, *, path: str, depth: int, gemini: bool) -> str | None:
    where = path or "the schema"
    if not isinstance(node, dict):
        return f"{where}: must be a schema object"
    if depth > _MAX_DEPTH:
        return f"{where}: nested deeper than {_MAX_DEPTH} levels"
    unknown = sorted(set(node) - _KEYWORDS)
    if unknown:
        return (
            f"{where}: {unknown[0]} is not supported (portable keywords: type, "
            "properties, required, items, enum, description, minimum/maximum, "
            "minLength/maxLength, minItems/maxItems, pattern, format)"
        )
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        return f"{where}: needs one type of {', '.join(sorted(_TYPES))}"
    for text_key in ("description", "title"):
        text = node.get(text_key)
        if isinstance(text, str) and has_control_characters(text, multiline=True):
            return f"{where}: {text_key} must not contain control characters"
    if "enum" in node:
        values = node["enum"]
        if not values:
            return f"{where}: enum must not be empty"
        if gemini and (kind != "string" or not all(isinstance(v, str) for v in values)):
            return f"{where}: on Gemini an enum must be of strings (type string)"
    if "format" in node and gemini and node["format"] not in _GEMINI_FORMATS:
        return f"{where}: format {node['format']} is not supported by Gemini"
    if "additionalProperties" in node and not isinstance(node["additionalProperties"], bool):
        return f"{where}: additionalProperties must be true or false"
    if kind == "object":
        properties = node.get("properties", {})
        for name, child in properties.items():
            if not _PROPERTY_NAME.fullmatch(name):
                return f"{where}: property names are 1-64 letters, digits and _.-"
            problem = _node_problem(
                child, path=f"{path}.{name}" if path else name, depth=depth + 1, gemini=gemini
            )
            if problem:
                return problem
        missing = [name for name in node.get("required", []) if name not in properties]
        if missing:
            return f"{where}: required names {missing[0]}, which is not in properties"
    elif kind == "array":
        items = node.get("items")
        if not isinstance(items, dict):
            return f"{where}: an array needs items (one schema)"
        return _node_problem(items, path=f"{path}[]", depth=depth + 1, gemini=gemini)
    elif "properties" in node or "required" in node or "items" in node:
        return f"{where}: properties/required/items need type object or array"
    return None
