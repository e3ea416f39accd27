"""Identifiers: hex agent ids, operator-chosen user ids, prefixed other ids."""

from __future__ import annotations

import re
import secrets

AGENT_ID_PATTERN = re.compile(r"[0-9a-f]{8,32}")
USER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
# What `new_session_id` makes: a path parameter of another shape names no session.
SESSION_ID_PATTERN = re.compile(r"ses_[0-9a-f]{20}")


def new_agent_id() -> str:
    return secrets.token_hex(6)


def new_org_id() -> str:
    return f"org_{secrets.token_hex(8)}"


def new_session_id() -> str:
    return f"ses_{secrets.token_hex(10)}"


def new_key_id() -> str:
    return f"key_{secrets.token_hex(8)}"


def is_valid_user_id(user_id: str) -> bool:
    return USER_ID_PATTERN.fullmatch(user_id) is not None


# Outbound webhooks: an endpoint, a message (the `webhook-id` header), a delivery.
WEBHOOK_ENDPOINT_ID_PATTERN = re.compile(r"whe_[0-9a-f]{16}")
WEBHOOK_DELIVERY_ID_PATTERN = re.compile(r"whd_[0-9a-f]{20}")


def new_webhook_endpoint_id() -> str:
    return f"whe_{secrets.token_hex(8)}"


def new_webhook_message_id() -> str:
    return f"msg_{secrets.token_hex(12)}"


def new_webhook_delivery_id() -> str:
    return f"whd_{secrets.token_hex(10)}"
