"""The issuer's boundary with LiveKit's RoomService.

`Rooms` is the Protocol the routes use; `LiveKitRooms` is the one implementation, over
livekit-api's Twirp client. Every failure to reach or use LiveKit becomes
`LiveKitUnavailableError` here, so callers never see aiohttp or Twirp errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import aiohttp
from livekit import api

from callwright_shared.errors import LiveKitUnavailableError
from callwright_shared.settings import IssuerSettings

logger = logging.getLogger(__name__)

# Not a callwright room name, so no room ever has it.
READINESS_PROBE_ROOM = "callwright-readiness-probe"


@dataclass(frozen=True, slots=True)
class RoomParticipant:
    identity: str
    is_agent: bool


@dataclass(frozen=True, slots=True)
class RoomDispatches:
    agent_name: str | None  # the agent name of the room's first dispatch
    live_job: bool  # a worker accepted one of them and its job has not ended


class Rooms(Protocol):
    async def create_room_with_agent(
        self, *, room_name: str, agent_name: str, dispatch_metadata: str
    ) -> None: ...

    async def delete_room(self, room_name: str) -> None: ...

    async def dispatch_agent(self, *, room_name: str, agent_name: str, metadata: str) -> None:
        """Dispatch the agent again into an existing room (AgentDispatchService)."""
        ...

    async def dispatches(self, room_name: str) -> RoomDispatches | None:
        """The room's agent dispatches; None when the room does not exist."""
        ...

    async def room_exists(self, room_name: str) -> bool: ...

    async def existing_rooms(self, room_names: Sequence[str]) -> set[str]:
        """Which of these rooms exist now."""
        ...

    async def participants(self, room_name: str) -> list[RoomParticipant] | None:
        """Who is in the room; None when the room does not exist."""
        ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


def create_room_request(
    settings: IssuerSettings, *, room_name: str, agent_name: str, dispatch_metadata: str
) -> api.CreateRoomRequest:
    """The room a voice session gets: its user and the agent, dispatched with the room (a
    pure builder: the benchmark's baseline sends the same request)."""
    return api.CreateRoomRequest(
        name=room_name,
        empty_timeout=settings.room_empty_timeout_seconds,
        departure_timeout=settings.room_departure_timeout,
        max_participants=2,
        agents=[api.RoomAgentDispatch(agent_name=agent_name, metadata=dispatch_metadata)],
    )


class LiveKitRooms:
    def __init__(self, settings: IssuerSettings) -> None:
        self._settings = settings
        self._api = api.LiveKitAPI(
            url=settings.livekit_http_url,
            api_key=settings.livekit_api_key,
            api_secret=settings.livekit_api_secret.get_secret_value(),
            timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds),
            failover=False,
        )

    async def create_room_with_agent(
        self, *, room_name: str, agent_name: str, dispatch_metadata: str
    ) -> None:
        """Create the room and dispatch the agent in one call (fails closed, no double dispatch)."""
        request = create_room_request(
            self._settings,
            room_name=room_name,
            agent_name=agent_name,
            dispatch_metadata=dispatch_metadata,
        )
        try:
            await self._api.room.create_room(request)
        except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            logger.warning(
                "livekit create_room failed",
                extra={"room_name": room_name, "error": type(exc).__name__},
            )
            raise LiveKitUnavailableError(
                "LiveKit is unavailable; the session could not be created. Try again shortly."
            ) from exc

    async def delete_room(self, room_name: str) -> None:
        """Delete a room; a room that is already gone is not an error."""
        try:
            await self._api.room.delete_room(api.DeleteRoomRequest(room=room_name))
        except api.TwirpError as exc:
            if exc.code == api.TwirpErrorCode.NOT_FOUND:
                return
            raise LiveKitUnavailableError("LiveKit could not delete the room.") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc

    async def dispatch_agent(self, *, room_name: str, agent_name: str, metadata: str) -> None:
        request = api.CreateAgentDispatchRequest(
            room=room_name, agent_name=agent_name, metadata=metadata
        )
        try:
            await self._api.agent_dispatch.create_dispatch(request)
        except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit could not dispatch the agent.") from exc

    async def dispatches(self, room_name: str) -> RoomDispatches | None:
        try:
            listed = await self._api.agent_dispatch.list_dispatch(room_name)
        except api.TwirpError as exc:
            if exc.code == api.TwirpErrorCode.NOT_FOUND:
                return None
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
        live = (api.JobStatus.JS_PENDING, api.JobStatus.JS_RUNNING)
        return RoomDispatches(
            agent_name=listed[0].agent_name if listed else None,
            live_job=any(job.state.status in live for d in listed for job in d.state.jobs),
        )

    async def room_exists(self, room_name: str) -> bool:
        try:
            response = await self._api.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
        except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
        return any(room.name == room_name for room in response.rooms)

    async def existing_rooms(self, room_names: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(room_names), 100):
            batch = list(room_names[start : start + 100])
            try:
                response = await self._api.room.list_rooms(api.ListRoomsRequest(names=batch))
            except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
            found.update(room.name for room in response.rooms if room.name in batch)
        return found

    async def participants(self, room_name: str) -> list[RoomParticipant] | None:
        try:
            response = await self._api.room.list_participants(
                api.ListParticipantsRequest(room=room_name)
            )
        except api.TwirpError as exc:
            if exc.code == api.TwirpErrorCode.NOT_FOUND:
                return None
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc
        return [
            RoomParticipant(identity=p.identity, is_agent=p.kind == api.ParticipantInfo.Kind.AGENT)
            for p in response.participants
        ]

    async def ping(self) -> None:
        """One bounded request: ListRooms for a single name no room has (an unfiltered
        ListRooms would return every room, for any anonymous caller of /readyz)."""
        probe = api.ListRoomsRequest(names=[READINESS_PROBE_ROOM])
        try:
            await asyncio.wait_for(self._api.room.list_rooms(probe), 2.0)
        except (api.TwirpError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise LiveKitUnavailableError("LiveKit is unavailable.") from exc

    async def aclose(self) -> None:
        await self._api.aclose()
