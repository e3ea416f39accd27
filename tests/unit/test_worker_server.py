"""`CallwrightServer` overrides and reads private members of livekit-agents' AgentServer
(callwright_worker/server.py): this fails when an upgrade of livekit-agents renames,
retypes or stops using them, rather than a burst of calls quietly getting one agent."""

from __future__ import annotations

import inspect
import typing

import pytest
from livekit.agents import AgentServer

from callwright_worker.server import CallwrightServer

pytestmark = pytest.mark.unit


def source_of(name: str) -> str:
    return inspect.getsource(getattr(AgentServer, name))


def test_agent_server_still_decides_availability_by_get_effective_load() -> None:
    assert CallwrightServer._get_effective_load is not AgentServer._get_effective_load
    method = AgentServer._get_effective_load
    assert list(inspect.signature(method).parameters) == ["self"]
    assert typing.get_type_hints(method)["return"] is float
    # Both the availability check and the status it reports to LiveKit read it.
    assert "self._get_effective_load()" in source_of("_is_available")
    assert inspect.getsource(AgentServer).count("self._get_effective_load()") >= 2


def test_agent_server_still_counts_reserved_slots_as_an_int() -> None:
    source = inspect.getsource(AgentServer)
    assert "self._reserved_slots: int = 0" in source
    assert "self._reserved_slots += 1" in source  # a job accepted
    assert "self._reserved_slots -= 1" in source  # its process launched (or failed)


def test_agent_server_still_takes_the_load_options_callwright_sets() -> None:
    parameters = inspect.signature(AgentServer.__init__).parameters
    for name in ("load_fnc", "load_threshold", "num_idle_processes", "setup_fnc"):
        assert name in parameters, name
    assert isinstance(inspect.getattr_static(AgentServer, "active_jobs"), property)


def test_agent_session_still_keeps_its_recorder_s_start() -> None:
    """callwright_worker.recording.recording_started_at reads it where livekit-agents'
    own session report does."""
    from livekit.agents import JobContext
    from livekit.agents.voice.recorder_io.recorder_io import RecorderIO

    assert "session._recorder_io" in inspect.getsource(JobContext.make_session_report)
    assert isinstance(inspect.getattr_static(RecorderIO, "recording_started_at"), property)
