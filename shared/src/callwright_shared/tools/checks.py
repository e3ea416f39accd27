"""Checks of an agent's tools at save that the models' validators cannot make (unique
names, Gemini's schema subset, the operator's address policy, transfer targets), and the
secret headers kept across a PATCH or redacted where shown."""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callwright_shared import outbound
from callwright_shared.db.models import Agent
from callwright_shared.errors import InvalidRequestError, OutboundAddressError
from callwright_shared.tools.models import (
    REDACTED,
    EndCallTool,
    HttpTool,
    TransferTool,
    check_unique_names,
)
from callwright_shared.tools.schema import schema_problem

# Self-hosters are often their own operator: say which setting opens local tool servers.
_PRIVATE_HINT = (
    "plain http and private or loopback addresses need the operator's "
    "CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS=true (`callwright dev` sets it)"
)


# -- checks at save -----------------------------------------------------------------------


def check_tools(
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
    *,
    gemini: bool,
    allow_private: outbound.AllowPrivate,
    check_urls: bool = True,
) -> None:
    """Refuse (400, `param` `tools.N.…`) what the model's validators cannot know: unique
    names, a schema Gemini would reject (`gemini`: a realtime agent on provider gemini),
    and a URL the operator's policy refuses (https only, unless private networks are
    allowed; `check_urls=False` for a PATCH that leaves the tools as they are)."""
    check_unique_names(tools)
    for index, tool in enumerate(tools):
        if not isinstance(tool, HttpTool):
            continue
        if gemini:
            problem = schema_problem(tool.parameters, gemini=True)
            if problem:
                raise InvalidRequestError(
                    f"tools.{index}.parameters: {problem}", param=f"tools.{index}.parameters"
                )
        if check_urls:
            param = f"tools.{index}.url"
            try:
                outbound.check_url(tool.url, allow_private=allow_private)
            except OutboundAddressError as exc:
                raise InvalidRequestError(
                    f"tools.{index}.{exc.message}; {_PRIVATE_HINT}", param=param
                ) from None
            if not allow_private and not tool.url.lower().startswith("https://"):
                raise InvalidRequestError(
                    f"{param}: must be an https URL; {_PRIVATE_HINT}", param=param
                )


async def check_transfer_targets(
    db: AsyncSession,
    *,
    org_id: str,
    agent_id: str | None,
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
) -> None:
    """A transfer goes to another live agent of the same organization (`agent_id`: the
    agent being saved, None while it is created)."""
    for index, tool in enumerate(tools):
        if not isinstance(tool, TransferTool):
            continue
        param = f"tools.{index}.agent_id"
        if tool.agent_id == agent_id:
            raise InvalidRequestError(f"{param}: an agent cannot transfer to itself", param=param)
        found = (
            await db.execute(
                select(Agent.id).where(
                    Agent.id == tool.agent_id, Agent.org_id == org_id, Agent.deleted_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        if found is None:
            raise InvalidRequestError(
                f"{param}: no agent '{tool.agent_id}' in this organization", param=param
            )


def origin_of(url: str) -> tuple[str, str, int | None] | str:
    """(scheme, host, port) of a tool's URL, the port spelled out for http and https and
    the host lowercased; the URL itself when it cannot be split (it is refused at save)."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
        return (scheme, (parts.hostname or "").lower(), port)
    except ValueError:
        return url


def keep_secrets(
    tools: Sequence[HttpTool | EndCallTool | TransferTool],
    *,
    stored: Sequence[HttpTool | EndCallTool | TransferTool] = (),
) -> None:
    """Fill the secret header values a tenant did not resend, from the stored tool of the
    same name: no `secret_headers` at all keeps every stored one; a value `"[redacted]"`
    (what GET shows) keeps that header's; `{}` removes them. A `"[redacted]"` with nothing
    stored to keep is 400.

    Secrets are bound to the origin (scheme, host, port) they were saved for: a tool whose
    URL now names another origin keeps none, and each stored secret header must be given
    again (400 naming the first one missing), so a key's holder cannot send the stored
    values to a server of their choosing (docs/security.md#secrets-bound-to-their-origin).
    """
    previous = {t.name: t for t in stored if isinstance(t, HttpTool)}
    for index, tool in enumerate(tools):
        if not isinstance(tool, HttpTool):
            continue
        old = previous.get(tool.name)
        if old is not None and old.secret_headers and origin_of(old.url) != origin_of(tool.url):
            given = tool.secret_headers if "secret_headers" in tool.model_fields_set else {}
            for header in old.secret_headers:
                value = given.get(header)
                if value is None or value.get_secret_value() == REDACTED:
                    param = f"tools.{index}.secret_headers.{header}"
                    raise InvalidRequestError(
                        f"{param}: the URL's origin changed; give the secret header values "
                        "again (stored ones are kept for the origin they were saved for only)",
                        param=param,
                    )
            old = None
        if "secret_headers" not in tool.model_fields_set:
            if old is not None:
                tool.secret_headers = dict(old.secret_headers)
            continue
        for header, value in tool.secret_headers.items():
            if value.get_secret_value() != REDACTED:
                continue
            kept = old.secret_headers.get(header) if old is not None else None
            if kept is None:
                param = f"tools.{index}.secret_headers.{header}"
                raise InvalidRequestError(
                    f"{param}: give the value ('{REDACTED}' keeps a stored value only)",
                    param=param,
                )
            tool.secret_headers[header] = kept


def redact_stored(agent_config: Mapping[str, Any]) -> dict[str, Any]:
    """A stored agent config (a session's snapshot) as it may be shown: secret header
    values replaced by `"[redacted]"`."""
    shown = dict(agent_config)
    tools = shown.get("tools")
    if isinstance(tools, list):
        shown["tools"] = [
            {**t, "secret_headers": {name: REDACTED for name in t["secret_headers"]}}
            if isinstance(t, dict) and isinstance(t.get("secret_headers"), dict)
            else t
            for t in tools
        ]
    return shown
