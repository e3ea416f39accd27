"""The worker's call recipe (callwright_worker.call.Call) in-process, in milliseconds:
joining, rejoin and a second connection, the time limit and its goodbye, a provider
failure told to the user with the room kept for it, end_call and transfer, End Session,
and the one ending (one settlement, one `ended` event, whatever races). The real Call,
CallStore and settlement run on SQLite; LiveKit is faked at its boundary."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import AgentSession, inference, llm
from livekit.agents.llm.fallback_adapter import AvailabilityChangedEvent
from livekit.agents.voice import room_io
from livekit.agents.voice.agent_session import AgentSessionOptions
from livekit.agents.voice.events import CloseReason
from livekit.plugins import openai

from callwright_devstack.database import database
from callwright_devstack.services.tool_server import ToolServer
from callwright_devstack.tenants import Tenant
from callwright_shared import outbound
from callwright_shared.agents import definitions as agents
from callwright_shared.agents.definitions import AgentConfig, AgentSpec
from callwright_shared.agents.turn_taking import (
    DEFAULT_MAX_DELAY_S,
    DEFAULT_MIN_DELAY_S,
    Interruption,
    TurnTaking,
)
from callwright_shared.billing import pricing
from callwright_shared.calls.records import CallEvent
from callwright_shared.db.models import Architecture, EndReason, SessionStatus
from callwright_shared.settings import WorkerSettings
from callwright_shared.tools.models import EndCallTool, HttpTool, TransferTool
from callwright_worker.call import (
    CHAT_TOPIC,
    GOODBYES,
    PROVIDER_ERROR_MESSAGE,
    CallTimings,
)
from callwright_worker.deps import BUSY_JOIN_WINDOW_ATTRIBUTE
from callwright_worker.providers import session_plan
from callwright_worker.tools import DEFAULT_GOODBYE, TOOL_TOPIC, TRANSFER_FAILED, CallAgent
from callwright_worker.turn_handling import PREEMPTIVE_ATTEMPTS, TranscriptTurnDetector
from tests.unit.call_harness import (
    CREDITS_PER_MINUTE,
    USER,
    CallUnderTest,
    entries,
    events_of,
    new_call,
    template_database,
    until,
)
from tests.unit.fake_livekit import FakeSession, FakeSessions, FakeVAD

pytestmark = pytest.mark.unit

NewCall = Callable[..., Awaitable[CallUnderTest]]
WAIT_LONG = 60.0  # a bound the test never reaches: it ends the wait itself


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Tenant]:
    return template_database(tmp_path_factory.mktemp("calls"))


@pytest.fixture
async def make_call(tmp_path: Path, template: tuple[Path, Tenant]) -> AsyncIterator[NewCall]:
    made: list[CallUnderTest] = []

    async def make(**kwargs: Any) -> CallUnderTest:
        call = await new_call(tmp_path, template, **kwargs)
        made.append(call)
        return call

    yield make
    for call in made:
        await call.aclose()


def ended_once(call: CallUnderTest, reason: EndReason) -> None:
    assert call.job.shutdown_reasons == [reason.value]
    assert call.job.rooms_deleted == 1


# -- joining ---------------------------------------------------------------------------


async def test_the_user_joins_the_agent_greets_and_the_call_starts(make_call: NewCall) -> None:
    call = await make_call()
    session = await call.in_conversation()
    assert call.job.connected
    assert session.said == [("Hi!", True)]
    assert session.room_options is not None
    assert session.room_options.participant_identity == USER
    assert (session.room_options.close_on_disconnect, session.room_options.text_input) == (
        False,
        False,
    )
    assert (await call.row()).status is SessionStatus.ACTIVE


@pytest.mark.parametrize("architecture", [Architecture.PIPELINE, Architecture.REALTIME])
async def test_a_caller_s_pre_connect_audio_buffer_is_not_read(
    make_call: NewCall, architecture: Architecture
) -> None:
    """A buffer on `lk.agent.pre-connect-audio-buffer` would be decoded whole and sent
    to the STT faster than real time; the page never sends one."""
    call = await make_call(architecture=architecture)
    session = await call.in_conversation()
    assert session.room_options is not None
    audio = session.room_options.audio_input
    assert isinstance(audio, room_io.AudioInputOptions)
    assert audio.pre_connect_audio is False


async def test_a_user_who_never_joins_ends_the_call_user_not_joined(make_call: NewCall) -> None:
    call = await make_call(settings={"join_window_seconds": 0.01})
    call.start()
    row = await call.ended()
    assert row.end_reason is EndReason.USER_NOT_JOINED
    assert (row.agent_seconds, row.credits_charged) == (0, 0)
    assert call.sessions.sessions == []
    ended_once(call, EndReason.USER_NOT_JOINED)


async def test_a_busy_worker_s_join_window_is_shorter(make_call: NewCall) -> None:
    call = await make_call(settings={"join_window_seconds": 3600.0})
    call.room.local_participant.attributes[BUSY_JOIN_WINDOW_ATTRIBUTE] = "0.01"
    call.start()
    assert (await call.ended()).end_reason is EndReason.USER_NOT_JOINED


async def test_turns_are_on_the_timeline_with_their_latency(make_call: NewCall) -> None:
    call = await make_call()
    session = await call.in_conversation()
    session.turn("user", "What are your hours?", end_of_turn_delay=0.4)
    session.turn("assistant", "Nine to five.", llm_node_ttft=0.25, e2e_latency=0.9)
    session.turn("system", "not a turn")
    call.room.delete()
    row = await call.ended()
    turns = [e for e in entries(row) if e.role in ("user", "assistant")]
    assert [(t.role, t.content) for t in turns] == [
        ("user", "What are your hours?"),
        ("assistant", "Nine to five."),
    ]
    assert turns[0].latency is not None and turns[0].latency.end_of_turn_ms == 400.0
    assert turns[1].latency is not None and turns[1].latency.e2e_ms == 900.0
    assert row.usage is not None and row.usage["models"][0]["model"] == "fake"


# -- the user away and back ------------------------------------------------------------


async def test_a_user_who_comes_back_within_the_grace_continues_the_same_call(
    make_call: NewCall,
) -> None:
    call = await make_call()
    session = await call.in_conversation()
    call.time.advance(10)
    call.room.leave(USER)
    await until(lambda: session.interrupts == 1, "the agent to stop talking")
    await until(call.away, "the session to show the user away")
    call.time.advance(100)  # away: not charged, not counted towards the limit
    call.room.join(USER)
    await until(lambda: not call.call.user_away, "the user back")
    await until(call.back, "the session to show the user back")
    call.time.advance(5)
    session.turn("user", "I'm back.")
    call.room.delete()
    row = await call.ended()
    assert row.end_reason is EndReason.API_ENDED
    assert row.agent_seconds == pytest.approx(15)
    assert len(call.sessions.sessions) == 1 and session.closed == 1
    assert [e for e, _ in events_of(row)] == [
        CallEvent.USER_JOINED,
        CallEvent.USER_AWAY,
        CallEvent.USER_RETURNED,
        CallEvent.ENDED,
    ]
    assert await call.captures() == 1


async def test_a_user_who_does_not_come_back_ends_the_call_user_left(make_call: NewCall) -> None:
    call = await make_call(settings={"rejoin_grace_seconds": 0.01})
    await call.in_conversation()
    call.time.advance(7)
    call.room.leave(USER)
    call.time.advance(50)
    row = await call.ended()
    assert row.end_reason is EndReason.USER_LEFT
    assert row.agent_seconds == pytest.approx(7)
    assert row.credits_charged == 1  # ceil(7 s × 6 credits/min)
    ended_once(call, EndReason.USER_LEFT)


async def test_a_second_connection_takes_the_call_over(make_call: NewCall) -> None:
    call = await make_call()
    session = await call.in_conversation()
    call.room.second_connection(USER)
    await until(lambda: not call.call.user_away, "the call to go on")
    call.time.advance(3)
    session.turn("user", "Asked from the second tab.")
    assert call.task is not None and not call.task.done()
    call.room.delete()
    row = await call.ended()
    assert row.end_reason is EndReason.API_ENDED
    assert "Asked from the second tab." in [e.content for e in entries(row)]
    assert await call.captures() == 1


async def test_end_session_while_the_user_is_away_ends_the_call_at_once(
    make_call: NewCall,
) -> None:
    call = await make_call()
    await call.in_conversation()
    call.room.leave(USER)
    await until(call.away, "the session to show the user away")
    call.room.delete()
    row = await call.ended()
    assert row.end_reason is EndReason.API_ENDED
    ended_once(call, EndReason.API_ENDED)


async def test_livekit_closing_the_room_the_user_left_ends_the_call_user_left(
    make_call: NewCall,
) -> None:
    call = await make_call()
    await call.in_conversation()
    call.room.leave(USER)
    await until(call.away, "the session to show the user away")
    call.room.emit("disconnected", rtc.DisconnectReason.ROOM_CLOSED)
    assert (await call.ended()).end_reason is EndReason.USER_LEFT


# -- End Session -----------------------------------------------------------------------


async def test_end_session_deleting_the_room_ends_the_call_api_ended(make_call: NewCall) -> None:
    call = await make_call()
    await call.in_conversation()
    call.time.advance(12)
    call.room.delete()
    row = await call.ended()
    assert (row.status, row.end_reason) == (SessionStatus.ENDED, EndReason.API_ENDED)
    assert row.agent_seconds == pytest.approx(12)
    ended_once(call, EndReason.API_ENDED)


async def test_a_session_settled_elsewhere_ends_the_call_at_the_next_heartbeat(
    make_call: NewCall,
) -> None:
    """End Session settled the row; this worker learns it from its heartbeat."""
    call = await make_call(timings=CallTimings(heartbeat_interval=0.005))
    await call.in_conversation()
    from callwright_shared.sessions import lifecycle as sessions

    async with database(call.url) as db:
        settled = await sessions.settle(
            db, call.record.session_id, end_reason=EndReason.API_ENDED, agent_seconds=3.0
        )
        assert settled.applied
    row = await call.ended()
    assert (row.end_reason, row.agent_seconds) == (EndReason.API_ENDED, 3.0)
    assert await call.captures() == 1
    assert call.job.shutdown_reasons == [EndReason.API_ENDED.value]


# -- the time limit --------------------------------------------------------------------


async def test_the_time_limit_says_goodbye_and_ends_the_call(make_call: NewCall) -> None:
    call = await make_call(max_duration_seconds=60)
    session = await call.in_conversation()
    call.time.advance(55)
    await until(lambda: len(session.said) == 1, "nothing said before the limit")
    call.time.advance(1)  # 4 s before the limit
    row = await call.ended()
    goodbye = GOODBYES[EndReason.MAX_DURATION_REACHED]
    assert session.said[-1] == (goodbye, False)  # not cut off by the caller
    assert row.end_reason is EndReason.MAX_DURATION_REACHED
    assert (CallEvent.TIME_LIMIT, EndReason.MAX_DURATION_REACHED.value) in events_of(row)


async def test_a_limit_set_by_the_credits_ends_insufficient_credits(make_call: NewCall) -> None:
    call = await make_call(max_duration_seconds=30, limited_by_credits=True)
    session = await call.in_conversation()
    call.time.advance(30)
    row = await call.ended()
    assert session.said[-1] == (GOODBYES[EndReason.INSUFFICIENT_CREDITS], False)
    assert row.end_reason is EndReason.INSUFFICIENT_CREDITS


async def test_time_away_does_not_count_towards_the_limit(make_call: NewCall) -> None:
    call = await make_call(max_duration_seconds=60)
    session = await call.in_conversation()
    call.time.advance(40)
    call.room.leave(USER)
    await until(call.away, "the session to show the user away")
    call.time.advance(600)
    call.room.join(USER)
    await until(lambda: not call.call.user_away, "the user back")
    assert call.task is not None and not call.task.done()
    call.time.advance(16)
    row = await call.ended()
    assert row.end_reason is EndReason.MAX_DURATION_REACHED
    assert row.agent_seconds == pytest.approx(56)
    assert session.said[-1][0] == GOODBYES[EndReason.MAX_DURATION_REACHED]


async def test_a_realtime_model_is_asked_to_say_the_goodbye(make_call: NewCall) -> None:
    call = await make_call(architecture=Architecture.REALTIME, max_duration_seconds=60)
    session = await call.in_conversation()
    call.time.advance(60)
    await call.ended()
    assert GOODBYES[EndReason.MAX_DURATION_REACHED] in session.replies[-1]


# -- a provider failure ----------------------------------------------------------------


async def test_a_provider_failure_is_told_and_the_room_kept_until_the_user_leaves(
    make_call: NewCall,
) -> None:
    call = await make_call(timings=CallTimings(told_linger=WAIT_LONG))
    session = await call.in_conversation()
    call.time.advance(20)
    session.provider_fails()
    await until(lambda: bool(call.room.local_participant.sent), "the user to be told")
    assert call.room.local_participant.sent == [(CHAT_TOPIC, PROVIDER_ERROR_MESSAGE)]
    await until(call.settled, "the settlement")
    assert call.job.rooms_deleted == 0  # the message is still on its way
    call.room.leave(USER)
    row = await call.ended()
    assert row.end_reason is EndReason.PROVIDER_ERROR
    # The user never heard the agent: nothing is charged.
    assert (row.agent_seconds, row.credits_charged) == (0, 0)
    assert (CallEvent.ERROR, "FakeLLMSource (fatal)") in events_of(row)
    ended_once(call, EndReason.PROVIDER_ERROR)


async def test_the_room_is_kept_no_longer_than_the_bound(make_call: NewCall) -> None:
    call = await make_call(timings=CallTimings(told_linger=0.01))
    session = await call.in_conversation()
    session.provider_fails()
    row = await call.ended()  # the user stays; the room goes anyway
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert USER not in call.room.remote_participants
    ended_once(call, EndReason.PROVIDER_ERROR)


async def test_a_failure_after_the_agent_spoke_is_charged(make_call: NewCall) -> None:
    call = await make_call(timings=CallTimings(told_linger=0.01))
    session = await call.in_conversation()
    session.speaking()
    call.time.advance(30)
    session.provider_fails()
    row = await call.ended()
    assert (row.agent_seconds, row.credits_charged) == (30, 3)


async def test_a_failure_after_a_user_turn_is_charged_though_the_agent_never_spoke(
    make_call: NewCall,
) -> None:
    """An agent told to stay silent, then to say what its TTS refuses: the minutes of
    transcription and model before the failure are not free."""
    call = await make_call(config=AgentConfig(), timings=CallTimings(told_linger=0.01))
    session = await call.in_conversation_without_greeting()
    session.turn("user", "Tell me everything.")
    call.time.advance(600)
    session.provider_fails()
    row = await call.ended()
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert (row.agent_seconds, row.credits_charged) == (600, 60)


async def test_a_failure_after_a_tool_call_is_charged(make_call: NewCall) -> None:
    tool = EndCallTool(type="end_call", name="hang_up")
    call = await make_call(config=AgentConfig(tools=[tool]), timings=CallTimings(told_linger=0.01))
    session = await call.in_conversation_without_greeting()
    session.hold_playout = True
    await session.call_tool("hang_up")
    call.time.advance(30)
    session.provider_fails()
    row = await call.ended()
    assert (row.agent_seconds, row.credits_charged) == (30, 3)


async def test_a_missing_provider_key_ends_the_call_provider_error(make_call: NewCall) -> None:
    call = await make_call(
        settings={"deepgram_api_key": None}, timings=CallTimings(told_linger=0.01)
    )
    call.start()
    call.room.join(USER)
    row = await call.ended()
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert row.error_message is not None and "DEEPGRAM_API_KEY" in row.error_message
    assert call.room.local_participant.sent == [(CHAT_TOPIC, PROVIDER_ERROR_MESSAGE)]
    assert row.credits_charged == 0


async def test_a_message_that_cannot_be_sent_is_not_waited_for(make_call: NewCall) -> None:
    call = await make_call(timings=CallTimings(told_linger=WAIT_LONG))
    session = await call.in_conversation()
    call.room.local_participant.send_fails = True
    session.provider_fails()
    row = await call.ended()  # the user is still there, and the room goes at once
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert call.job.rooms_deleted == 1


async def test_a_recoverable_error_is_marked_and_the_call_goes_on(make_call: NewCall) -> None:
    call = await make_call(timings=CallTimings(told_linger=0.01))
    session = await call.in_conversation()
    session.provider_fails(recoverable=True)
    session.closes(CloseReason.ERROR)  # then the session gives up
    row = await call.ended()
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert [d for e, d in events_of(row) if e == CallEvent.ERROR] == ["FakeLLMSource"]


# -- the agent's tools -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed", "reached"),
    [("127.0.0.0/8", True), ("10.0.0.0/8, fd00::/8", False), ("false", False)],
)
async def test_the_operator_s_private_networks_bound_the_call_s_tools(
    make_call: NewCall, allowed: str, reached: bool
) -> None:
    """CALLWRIGHT_TOOLS_ALLOW_PRIVATE_NETWORKS as a list of networks reaches the tools."""
    async with ToolServer(secret=outbound.new_signing_secret()) as server:
        tool = HttpTool.model_validate(
            {
                "type": "http",
                "name": "lookup",
                "description": "Look up.",
                "url": server.url("/lookup"),
            }
        )
        call = await make_call(
            config=AgentConfig(tools=[tool]),
            settings={"tools_allow_private_networks": allowed},
        )
        session = await call.in_conversation_without_greeting()
        if reached:
            await session.call_tool("lookup")
        else:
            with pytest.raises(llm.ToolError):
                await session.call_tool("lookup")
        assert len(server.to("/lookup")) == (1 if reached else 0)
        call.room.delete()
        row = await call.ended()
    (record,) = [e.tool for e in entries(row) if e.role == "tool"]
    assert record is not None and record.outcome == ("ok" if reached else "refused")


async def test_tool_updates_reach_the_page_in_the_order_they_happened(
    make_call: NewCall,
) -> None:
    """Each update is its own text stream: a `done` must not overtake the `running` still
    being sent, or the page would show the tool running for ever."""
    call = await make_call(config=AgentConfig(greeting="Hi!"))
    await call.in_conversation()
    participant = call.room.local_participant
    gate = asyncio.Event()
    participant.hold_next_send = gate  # the `running` update is slow to go out
    call.call.publish({"call_id": "call_9", "name": "lookup", "status": "running"})
    call.call.publish({"call_id": "call_9", "name": "lookup", "status": "done"})
    await asyncio.sleep(0)
    assert [t for t, _ in participant.sent if t == TOOL_TOPIC] == []
    gate.set()
    await until(lambda: len([t for t, _ in participant.sent if t == TOOL_TOPIC]) == 2, "both")
    statuses = [
        json.loads(text)["status"] for topic, text in participant.sent if topic == TOOL_TOPIC
    ]
    assert statuses == ["running", "done"]
    call.room.delete()
    await call.ended()


async def test_end_call_says_goodbye_then_ends_agent_ended(make_call: NewCall) -> None:
    tool = EndCallTool(type="end_call")
    call = await make_call(config=AgentConfig(greeting="Hi!", tools=[tool]))
    session = await call.in_conversation()
    session.hold_playout = True
    result = await session.call_tool("end_call")
    assert not result.reply_required
    assert session.said[-1] == (DEFAULT_GOODBYE, False)
    done = (TOOL_TOPIC, '{"call_id": "call_1", "name": "end_call", "status": "done"}')
    await until(lambda: done in call.room.local_participant.sent, "the page told")
    assert call.task is not None and not call.task.done()  # the goodbye is still playing
    session.play_out()
    row = await call.ended()
    assert row.end_reason is EndReason.AGENT_ENDED
    tools = [e for e in entries(row) if e.role == "tool"]
    assert [(t.content, t.tool and t.tool.outcome) for t in tools] == [("end_call", "ended")]
    assert row.usage is not None and row.usage["tool_calls"] == 1


async def test_transfer_hands_the_call_to_another_agent(make_call: NewCall) -> None:
    target_ids: list[str] = []

    async def with_a_billing_agent(url: str, tenant: Tenant) -> AgentConfig:
        async with database(url) as db:
            spec = {"name": "Billing", "architecture": "pipeline", "instructions": "Bill them."}
            target = await agents.create_agent(
                db, org_id=tenant.org_id, spec=AgentSpec.model_validate(spec)
            )
            target_ids.append(target.id)
        tool = TransferTool(type="transfer", agent_id=target.id, description="To billing.")
        return AgentConfig(greeting="Hi!", tools=[tool])

    call = await make_call(arrange=with_a_billing_agent)
    (target_id,) = target_ids
    session = await call.in_conversation()
    successor, result = await session.call_tool("transfer")
    assert isinstance(successor, CallAgent) and successor.instructions == "Bill them."
    assert result.output == "transferred to Billing"
    assert call.job.log_context_fields["agent_id"] == target_id
    call.room.delete()
    row = await call.ended()
    assert (CallEvent.TRANSFERRED, target_id) in events_of(row)


async def test_a_secret_variable_is_not_rendered_into_a_transfer_target_s_prompt(
    make_call: NewCall,
) -> None:
    """The session holds `token` secret; the target declares `token` plain, required,
    and says it: the transfer is refused rather than the secret reaching its model."""

    async def with_a_target_that_shows_the_token(url: str, tenant: Tenant) -> AgentConfig:
        async with database(url) as db:
            spec = {
                "name": "Leaky",
                "architecture": "pipeline",
                "instructions": "Your key is {{ token }}.",
                "variables": {"token": {"required": True}},
            }
            target = await agents.create_agent(
                db, org_id=tenant.org_id, spec=AgentSpec.model_validate(spec)
            )
        tool = TransferTool(type="transfer", agent_id=target.id, description="Away.")
        return AgentConfig(
            greeting="Hi!",
            tools=[tool],
            variables={"token": {"required": True, "secret": True}},
        )

    call = await make_call(
        arrange=with_a_target_that_shows_the_token,
        variables={"token": "sk_live_X"},
        secrets=["token"],
    )
    session = await call.in_conversation()
    result = await session.call_tool("transfer")
    assert not result.reply_required
    assert session.said[-1] == (TRANSFER_FAILED, True)
    call.room.delete()
    row = await call.ended()
    assert "sk_live_X" not in str(row.transcript)
    (refused,) = [e.tool for e in entries(row) if e.role == "tool"]
    assert refused is not None and refused.outcome == "refused"


async def test_a_transfer_to_an_agent_priced_higher_than_the_call_is_refused(
    make_call: NewCall,
) -> None:
    """The session keeps its price and hold: a cheap agent must not hand its caller to a
    premium one that would then run at the cheap price."""

    async def with_a_premium_agent(url: str, tenant: Tenant) -> AgentConfig:
        async with database(url) as db:
            spec = {"name": "Premium", "architecture": "pipeline", "instructions": "Advise."}
            target = await agents.create_agent(
                db, org_id=tenant.org_id, spec=AgentSpec.model_validate(spec)
            )
            await pricing.set_price(
                db,
                org_id=tenant.org_id,
                agent_id=target.id,
                prices=pricing.PriceOverride(credits_per_minute=CREDITS_PER_MINUTE + 1),
            )
        tool = TransferTool(type="transfer", agent_id=target.id, description="To premium.")
        return AgentConfig(greeting="Hi!", tools=[tool])

    call = await make_call(arrange=with_a_premium_agent)
    session = await call.in_conversation()
    result = await session.call_tool("transfer")
    assert not result.reply_required
    assert session.said[-1] == (TRANSFER_FAILED, True)
    call.room.delete()
    row = await call.ended()
    (refused,) = [e.tool for e in entries(row) if e.role == "tool"]
    assert refused is not None and refused.outcome == "refused"
    assert "costs more per minute" in (refused.output or "")
    assert CallEvent.TRANSFERRED not in [e for e, _ in events_of(row)]


async def test_a_transfer_to_an_unknown_agent_is_refused_and_the_call_goes_on(
    make_call: NewCall,
) -> None:
    tool = TransferTool(type="transfer", agent_id="agt_" + "0" * 26, description="Away.")
    call = await make_call(config=AgentConfig(greeting="Hi!", tools=[tool]))
    session = await call.in_conversation()
    result = await session.call_tool("transfer")
    assert not result.reply_required
    assert session.said[-1] == (TRANSFER_FAILED, True)
    assert call.task is not None and not call.task.done()
    call.room.delete()
    row = await call.ended()
    refused = [e for e in entries(row) if e.role == "tool"]
    assert refused[0].tool is not None and refused[0].tool.outcome == "refused"


# -- the one ending --------------------------------------------------------------------


async def test_every_ending_at_once_settles_once_with_the_first_reason(
    make_call: NewCall,
) -> None:
    tool = EndCallTool(type="end_call")
    call = await make_call(
        config=AgentConfig(greeting="Hi!", tools=[tool]),
        max_duration_seconds=60,
        settings={"rejoin_grace_seconds": 0.0},
        timings=CallTimings(told_linger=0.01),
    )
    session = await call.in_conversation()
    session.speaking()
    call.time.advance(30)
    session.provider_fails()  # first
    call.room.leave(USER)  # and the grace is zero
    session.closes(CloseReason.PARTICIPANT_DISCONNECTED)
    call.time.advance(60)
    await session.call_tool("end_call")
    call.room.delete()
    row = await call.ended()
    assert row.end_reason is EndReason.PROVIDER_ERROR
    assert [e for e, _ in events_of(row)].count(CallEvent.ENDED) == 1
    assert await call.captures() == 1
    assert session.closed == 1
    ended_once(call, EndReason.PROVIDER_ERROR)


async def test_a_session_closed_by_livekit_ends_the_call(make_call: NewCall) -> None:
    call = await make_call()
    session = await call.in_conversation()
    session.closes(CloseReason.PARTICIPANT_DISCONNECTED)
    assert (await call.ended()).end_reason is EndReason.USER_LEFT


async def test_a_job_shut_down_mid_call_settles_worker_unavailable(make_call: NewCall) -> None:
    call = await make_call()
    await call.in_conversation()
    call.time.advance(9)
    assert call.task is not None
    call.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call.task
    row = await call.row()
    assert (row.end_reason, row.agent_seconds) == (EndReason.WORKER_UNAVAILABLE, 9)
    assert await call.captures() == 1


async def test_a_fallback_taking_over_is_a_timeline_event(make_call: NewCall) -> None:
    primary = openai.LLM(model="primary", api_key="k", base_url="http://127.0.0.1:9/v1")
    backup = openai.LLM(model="backup", api_key="k", base_url="http://127.0.0.1:9/v1")
    adapter = llm.FallbackAdapter([primary, backup])

    def with_fallback(session: Any) -> None:
        session.llm = adapter

    call = await make_call(on_build=with_fallback)
    await call.in_conversation()
    adapter.emit("llm_availability_changed", AvailabilityChangedEvent(llm=primary, available=False))
    call.room.leave(USER)
    await until(call.away, "the session to show the user away")
    call.room.delete()
    row = await call.ended()
    switched = [d for e, d in events_of(row) if e == CallEvent.PROVIDER_SWITCHED]
    assert len(switched) == 1 and switched[0] is not None
    assert switched[0].startswith("llm ") and "primary" in switched[0]
    assert "failed" in switched[0]
    await adapter.aclose()


# -- turn taking -----------------------------------------------------------------------


class PlannedSessions(FakeSessions):
    """Also builds the real session's plan and an `AgentSession` from it (not started),
    as the worker does: what livekit-agents resolved is on its options."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[AgentSessionOptions] = []

    def __call__(
        self, architecture: Architecture, config: AgentConfig, settings: WorkerSettings
    ) -> FakeSession:
        plan = session_plan(architecture, config, settings, vad_model=FakeVAD())
        self.options.append(AgentSession(**plan.kwargs).options)
        return super().__call__(architecture, config, settings)


async def test_the_session_takes_turns_with_the_documented_defaults(
    make_call: NewCall,
) -> None:
    sessions = PlannedSessions()
    call = await make_call(session_factory=sessions)
    await call.in_conversation()
    (options,) = sessions.options
    assert isinstance(options.turn_handling["turn_detection"], TranscriptTurnDetector)
    assert options.endpointing == {
        "mode": "fixed",
        "min_delay": DEFAULT_MIN_DELAY_S,
        "max_delay": DEFAULT_MAX_DELAY_S,
        "alpha": 0.9,
    }
    interruption = options.interruption
    assert interruption.get("mode") == "vad"  # never the Cloud's adaptive detector
    assert (
        interruption["min_duration"],
        interruption["min_words"],
        interruption["resume_false_interruption"],
        interruption["false_interruption_timeout"],
    ) == (0.5, 1, True, 2.0)
    preemptive = options.preemptive_generation
    assert (preemptive["enabled"], preemptive["preemptive_tts"], preemptive["max_retries"]) == (
        True,
        True,
        PREEMPTIVE_ATTEMPTS,
    )


async def test_the_session_takes_turns_as_its_agent_says(make_call: NewCall) -> None:
    sessions = PlannedSessions()
    config = AgentConfig(
        greeting="Hi!",
        turn_taking=TurnTaking(
            mode="dynamic",
            min_delay=0.3,
            max_delay=1.5,
            detector="vad",
            preemptive_generation=False,
            interruption=Interruption(
                min_duration=0.8,
                min_words=2,
                resume_false_interruption=False,
                false_interruption_timeout=None,
            ),
        ),
    )
    call = await make_call(session_factory=sessions, config=config)
    await call.in_conversation()
    (options,) = sessions.options
    assert options.turn_handling["turn_detection"] == "vad"
    assert (
        options.endpointing["mode"],
        options.endpointing["min_delay"],
        options.endpointing["max_delay"],
    ) == ("dynamic", 0.3, 1.5)
    interruption = options.interruption
    assert (
        interruption["min_duration"],
        interruption["min_words"],
        interruption["resume_false_interruption"],
        interruption["false_interruption_timeout"],
    ) == (0.8, 2, False, None)
    assert options.preemptive_generation["enabled"] is False
    assert options.preemptive_generation["preemptive_tts"] is False


async def test_the_operator_s_limit_bounds_an_agent_saved_before_it_was_lowered(
    make_call: NewCall,
) -> None:
    sessions = PlannedSessions()
    config = AgentConfig(greeting="Hi!", turn_taking=TurnTaking(min_delay=2.5, max_delay=3.0))
    call = await make_call(
        session_factory=sessions, config=config, settings={"turn_max_delay_limit_s": 1.2}
    )
    await call.in_conversation()
    endpointing = sessions.options[0].endpointing
    assert (endpointing["min_delay"], endpointing["max_delay"]) == (1.2, 1.2)


async def test_the_call_s_agent_ignores_backchannels_unless_told_not_to(
    make_call: NewCall,
) -> None:
    for ignore in (True, False):
        sessions = PlannedSessions()
        config = AgentConfig(
            greeting="Hi!",
            turn_taking=TurnTaking(interruption=Interruption(ignore_backchannels=ignore)),
        )
        call = await make_call(session_factory=sessions, config=config)
        await call.in_conversation()
        agent = sessions.session.agent
        assert isinstance(agent, CallAgent)
        assert agent.ignores_backchannels is ignore


async def test_a_false_interruption_is_a_timeline_event_where_it_happened(
    make_call: NewCall,
) -> None:
    call = await make_call()
    session = await call.in_conversation()
    session.turn("user", "What are your hours?")
    session.false_interruption(resumed=True)
    session.turn("assistant", "Nine to five.")
    session.false_interruption(resumed=False)
    call.room.delete()
    row = await call.ended()
    timeline = [
        (e.role, e.content, e.detail)
        for e in entries(row)
        if e.role != "event" or e.content == CallEvent.FALSE_INTERRUPTION
    ]
    assert timeline == [
        ("user", "What are your hours?", None),
        ("event", "false_interruption", "resumed"),
        ("assistant", "Nine to five.", None),
        ("event", "false_interruption", "not_resumed"),
    ]


async def test_the_end_of_turn_model_is_the_local_one(make_call: NewCall) -> None:
    sessions = PlannedSessions()
    config = AgentConfig(greeting="Hi!", turn_taking=TurnTaking(detector="end_of_turn_model"))
    call = await make_call(session_factory=sessions, config=config)
    await call.in_conversation()
    detector = sessions.options[0].turn_handling["turn_detection"]
    assert isinstance(detector, inference.TurnDetector)
    assert detector.model == "turn-detector-v1-mini"
