"""The room-name wire format: `agent_{agent_id}_{user_id}_{timestamp}`.

Writer: the issuer (`format_room_name`) when it creates a voice session's room.
Reader: the worker (`parse_room_name`) when it is dispatched into a room. Nothing else in
callwright splits or joins room names.

The agent id is lowercase hex (never `_`) and the timestamp is exactly 13 digits, so the
name parses unambiguously from both ends even when the user id contains `_`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callwright_shared.ids import AGENT_ID_PATTERN, USER_ID_PATTERN

_ROOM_NAME = re.compile(r"^agent_([0-9a-f]{8,32})_(.+)_([0-9]{13})$")


class RoomNameError(ValueError):
    """A string that is not a callwright room name."""


@dataclass(frozen=True, slots=True)
class RoomName:
    agent_id: str
    user_id: str
    timestamp_ms: int

    def __str__(self) -> str:
        return format_room_name(self.agent_id, self.user_id, self.timestamp_ms)


def format_room_name(agent_id: str, user_id: str, timestamp_ms: int) -> str:
    if not AGENT_ID_PATTERN.fullmatch(agent_id):
        raise RoomNameError("agent id must be 8 to 32 lowercase hex characters")
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise RoomNameError("user id is not valid")
    if not 10**12 <= timestamp_ms < 10**13:
        raise RoomNameError("timestamp must be 13 digits of Unix milliseconds")
    return f"agent_{agent_id}_{user_id}_{timestamp_ms}"


def parse_room_name(name: str) -> RoomName:
    match = _ROOM_NAME.fullmatch(name)
    if match is None:
        raise RoomNameError("not a callwright room name")
    agent_id, user_id, timestamp = match.groups()
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise RoomNameError("room name holds an invalid user id")
    return RoomName(agent_id=agent_id, user_id=user_id, timestamp_ms=int(timestamp))
