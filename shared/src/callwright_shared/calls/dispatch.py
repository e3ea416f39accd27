"""The dispatch metadata wire format.

Writer: the issuer, as `RoomAgentDispatch.metadata` in the CreateRoom call.
Reader: the worker, from `ctx.job.metadata`, before it connects to the room.
It is a hint that saves the worker a lookup; the worker still checks it against the
session recorded for the room, which is the authority.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DispatchMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    session_id: str
    agent_id: str
    user_id: str
    org_id: str

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str) -> DispatchMetadata:
        return cls.model_validate_json(raw)
