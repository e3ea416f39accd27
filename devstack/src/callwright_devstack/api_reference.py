"""docs/api.md, rendered from the issuer's OpenAPI schema, so that the reference in the
repository is the API the issuer serves (a unit test compares the two).

    python -m callwright_devstack.api_reference --write    # regenerate docs/api.md
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from callwright_devstack.checkout import REPO_ROOT
from callwright_issuer.app import create_app
from callwright_shared.settings import CallwrightSettings

API_MD = REPO_ROOT / "docs" / "api.md"
METHODS = ("get", "post", "patch", "put", "delete")
# FastAPI lists a 422 for every operation with parameters; callwright answers invalid
# input with 400 invalid_request instead, so the reference leaves 422 out.
UNUSED_STATUSES = {"422"}
HIDDEN_SCHEMAS = {"HTTPValidationError", "ValidationError"}
HIDDEN_PARAMETERS = {"x-api-key"}

HEADER = """\
# callwright HTTP API reference

<!-- Generated from the issuer's OpenAPI schema by `python -m callwright_devstack.api_reference
--write`; tests/unit/test_api_reference.py fails when this file and the schema differ. -->

{description}

A running issuer serves the same schema interactively at `/docs` (Swagger UI) and as JSON
at `/openapi.json`; in production both are off unless `CALLWRIGHT_API_DOCS=true`.

## Conventions

- **Base URL**: the issuer, e.g. `http://127.0.0.1:8000` under `make run`.
- **Authentication**: every `/v1` call except the LiveKit webhook carries `X-API-Key:
  <key>`. A missing, unknown, malformed or revoked key is `401 invalid_api_key`. Keys are
  secrets of your backend: a browser calls your backend (see `examples/`), never callwright.
  A key's scope is `full` or `sessions` (create and end sessions, refresh tokens, send chat
  messages: anything else is `403 insufficient_scope`); a suspended organization's keys
  are `403 organization_suspended`. `/v1/admin/…` takes the operator's token instead
  (`Authorization: Bearer`, [the operator API](operator.md)).
- **Errors**: every 4xx and 5xx has the body `{{"error": {{"type", "code", "message",
  "param"}}}}` ([ErrorBody](#errorbody)); `message` is for people, `param` names the field
  at fault. Invalid input is `400 invalid_request`, never 422.
- **Lists** are `{{"data": [...], "has_more"}}`, newest first, paged with `limit` and
  `starting_after` (the last id of the previous page).
- `Retry-After` comes with `429` and `503`.

## Endpoints

| method | path | what |
|---|---|---|
"""


# What each operation does, in the words of the product (the schema's summaries are
# FastAPI's function names). An operation missing here reads "(undocumented)".
WHAT = {
    ("post", "/v1/sessions/voice"): "creates a LiveKit room with the agent dispatched, holds "
    "credits, and answers a participant token for the browser (one session per call: "
    "create it when the user presses Start).",
    ("post", "/v1/sessions/chat"): "opens a text chat with an agent that has an LLM.",
    ("post", "/v1/sessions/{session_id}/messages"): "sends a user message to a chat session "
    "and answers the agent's reply; server-sent events with `Accept: text/event-stream`.",
    ("get", "/v1/sessions"): "the organization's sessions, newest first.",
    ("get", "/v1/sessions/{session_id}"): "one session: status, end reason, timestamps, "
    "duration, credits held and charged, usage, transcript.",
    ("post", "/v1/sessions/{session_id}/token"): "a fresh participant token for the same room "
    "and user while a voice session is `created` or `active` (rejoin after a reload or a "
    "dropped network); 409 `session_ended` after.",
    ("post", "/v1/sessions/{session_id}/end"): "ends a session (a voice session's room is "
    "deleted); idempotent.",
    ("post", "/v1/agents"): "creates an agent.",
    ("get", "/v1/agents"): "the organization's agents, newest first.",
    ("get", "/v1/agents/{agent_id}"): "one agent.",
    ("patch", "/v1/agents/{agent_id}"): "changes some of an agent's fields.",
    ("delete", "/v1/agents/{agent_id}"): "deletes an agent.",
    ("get", "/v1/credits"): "the organization's balance, held and available credits.",
    ("post", "/v1/livekit/webhook"): "LiveKit's webhooks (signed by LiveKit, not for API clients).",
    ("post", "/v1/webhook-endpoints"): "adds an endpoint for the organization's lifecycle "
    "webhooks; answers its signing secret, shown only this once.",
    ("get", "/v1/webhook-endpoints"): "the organization's webhook endpoints.",
    ("get", "/v1/webhook-endpoints/{endpoint_id}"): "one webhook endpoint.",
    ("patch", "/v1/webhook-endpoints/{endpoint_id}"): "changes an endpoint's URL, events, "
    "agent filter or enabled flag.",
    ("delete", "/v1/webhook-endpoints/{endpoint_id}"): "deletes an endpoint (its delivery log "
    "is kept).",
    ("get", "/healthz"): "liveness.",
    ("get", "/readyz"): "readiness: the database and LiveKit reachable.",
    ("get", "/metrics"): "Prometheus metrics (behind `CALLWRIGHT_METRICS_TOKEN` when set).",
    ("get", "/v1/api-keys"): "the organization's keys (never their secrets), revoked ones too.",
    ("post", "/v1/api-keys"): "a new key, scope `full` or `sessions` (no wider than the "
    "calling key's); its secret is in this answer only.",
    ("delete", "/v1/api-keys/{key_id}"): "revokes one of the organization's keys at once.",
    ("get", "/v1/usage"): "usage by day or by agent: credits captured, voice seconds, chat "
    "messages, analyses; equal to the ledger.",
    ("get", "/v1/credits/ledger"): "the credit ledger, newest first: grants, holds, captures, "
    "releases.",
    ("post", "/v1/admin/organizations"): "operator: creates an organization.",
    ("get", "/v1/admin/organizations"): "operator: every organization, newest first.",
    ("get", "/v1/admin/organizations/{org_id}"): "operator: an organization, its credits, "
    "prices, limit and standing.",
    ("post", "/v1/admin/organizations/{org_id}/suspend"): "operator: suspends it (its keys "
    "get 403) and ends its live sessions.",
    ("post", "/v1/admin/organizations/{org_id}/reinstate"): "operator: lifts a suspension.",
    ("post", "/v1/admin/organizations/{org_id}/users"): "operator: adds a user.",
    ("post", "/v1/admin/organizations/{org_id}/api-keys"): "operator: a key for a user, of "
    "any scope; shown once.",
    ("get", "/v1/admin/organizations/{org_id}/api-keys"): "operator: the organization's keys.",
    ("delete", "/v1/admin/api-keys/{key_id}"): "operator: revokes any organization's key.",
    ("post", "/v1/admin/organizations/{org_id}/credit-grants"): "operator: grants credits; "
    "the same `reference` again is the same grant.",
    ("post", "/v1/admin/organizations/{org_id}/prices"): "operator: the organization's (or "
    "an agent's) prices.",
    ("post", "/v1/admin/organizations/{org_id}/concurrency"): "operator: the organization's "
    "limit of open sessions.",
    ("post", "/v1/admin/organizations/{org_id}/agents"): "operator: creates an agent, with its "
    "prices.",
    ("get", "/v1/admin/organizations/{org_id}/tool-secret"): "operator: the organization's "
    "tool signing secret.",
    ("post", "/v1/admin/organizations/{org_id}/tool-secret/rotate"): "operator: rotates it.",
    ("get", "/v1/admin/audit"): "operator: the audit log of operator actions (API and CLI).",
}


UNDOCUMENTED = "(undocumented)"


def _what(method: str, path: str, op: dict[str, Any]) -> str:
    description = str(op.get("description", UNDOCUMENTED)).strip()
    return WHAT.get((method, path), description)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _anchor(name: str) -> str:
    return name.lower()


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in schema:
        kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
        text = " or ".join(_type_of(s) for s in kinds)
        return f"{text} or null" if len(kinds) < len(schema["anyOf"]) else text
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _constraints(schema: dict[str, Any]) -> str:
    inner = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    parts: list[str] = []
    for s in inner:
        if "maxLength" in s:
            low = f"{s['minLength']}.." if s.get("minLength") else "at most "
            parts.append(f"{low}{s['maxLength']} characters")
        elif "minLength" in s:
            parts.append(f"at least {s['minLength']} characters")
        for key, word in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        ):
            if key in s:
                parts.append(f"{word} {_number(s[key])}")
        if "pattern" in s:
            parts.append(f"pattern `{s['pattern']}`")
    if "default" in schema:
        parts.append(f"default `{_default(schema['default'])}`")
    return "; ".join(parts)


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _default(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def _fields(schema: dict[str, Any]) -> list[str]:
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    if not properties:
        return []
    required = set(schema.get("required", []))
    lines = ["| field | type | required | notes |", "|---|---|---|---|"]
    for name, prop in properties.items():
        notes = "; ".join(p for p in (_cell(prop.get("description", "")), _constraints(prop)) if p)
        lines.append(
            f"| `{name}` | {_type_of(prop)} | {'yes' if name in required else 'no'} | {notes} |"
        )
    return lines


def _json_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    for media, content in body.get("content", {}).items():
        if "json" in media:
            schema: dict[str, Any] = content.get("schema", {})
            return schema
    return None


def _operation(method: str, path: str, op: dict[str, Any]) -> list[str]:
    out = [f"### {method.upper()} `{path}`", ""]
    out += [f"**{op.get('summary', '')}**: {_what(method, path, op)}", ""]
    if op.get("description"):
        out += [op["description"].strip(), ""]
    params = [p for p in op.get("parameters", []) if p["name"].lower() not in HIDDEN_PARAMETERS]
    if params:
        out += ["| parameter | in | type | required | notes |", "|---|---|---|---|---|"]
        for p in params:
            schema = p.get("schema", {})
            notes = "; ".join(
                x for x in (_cell(p.get("description", "")), _constraints(schema)) if x
            )
            out.append(
                f"| `{p['name']}` | {p['in']} | {_type_of(schema)} | "
                f"{'yes' if p.get('required') else 'no'} | {notes} |"
            )
        out.append("")
    if "requestBody" in op:
        schema = _json_schema(op["requestBody"])
        if schema is not None:
            strict = (
                " Unknown fields are 400." if schema.get("additionalProperties") is False else ""
            )
            out += [f"Request body (JSON).{strict}", ""]
            if "$ref" in schema:
                out += [f"See {_type_of(schema)}.", ""]
            elif schema.get("properties"):
                out += [*_fields(schema), ""]
            else:
                out += [f"{_type_of(schema)}.", ""]
    responses: dict[str, dict[str, Any]] = op.get("responses", {})
    for status, answer in sorted(responses.items()):
        if not status.startswith("2"):
            continue
        schema = _json_schema(answer)
        shape = f": {_type_of(schema)}" if schema else ""
        out.append(f"Answer `{status}`{shape}.")
    errors = sorted(s for s in responses if not s.startswith("2") and s not in UNUSED_STATUSES)
    if errors:
        out.append(f"Errors: {', '.join(f'`{s}`' for s in errors)}.")
    out.append("")
    return out


def render(schema: dict[str, Any]) -> str:
    out = [HEADER.format(description=schema["info"].get("description", "")).rstrip("\n")]
    operations = [
        (method, path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]
    for method, path, op in operations:
        # GitHub's anchor of the heading "### POST `/v1/sessions/voice`".
        anchor = f"{method}-{path}".lower().translate(str.maketrans("", "", "/{}`"))
        out.append(f"| {method.upper()} | [`{path}`](#{anchor}) | {_what(method, path, op)} |")
    out.append("")
    for method, path, op in operations:
        out.extend(_operation(method, path, op))
    out += ["## Schemas", ""]
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name in HIDDEN_SCHEMAS:
            continue
        out += [f"### {name}", ""]
        if component.get("description"):
            out += [component["description"].strip(), ""]
        if "enum" in component:
            out += [f"One of {_type_of(component)}.", ""]
        elif fields := _fields(component):
            out += [*fields, ""]
        else:
            out += [f"{_type_of(component)}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def schema_settings() -> CallwrightSettings:
    # The schema does not depend on the deployment: any valid settings give the same paths.
    return CallwrightSettings.model_validate(
        {
            "environment": "test",
            "database_url": "sqlite+aiosqlite:///:memory:",
            "livekit_url": "ws://127.0.0.1:7880",
            "livekit_api_key": "devkey",
            "livekit_api_secret": "x" * 40,
        }
    )


def current_schema() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(schema_settings()).openapi()
    return schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {API_MD}")
    args = parser.parse_args(argv)
    text = render(current_schema())
    if args.write:
        API_MD.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
