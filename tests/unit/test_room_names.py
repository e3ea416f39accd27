from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callwright_shared.calls.room_names import RoomNameError, format_room_name, parse_room_name

pytestmark = pytest.mark.unit

agent_ids = st.from_regex(r"[0-9a-f]{8,32}", fullmatch=True)
user_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}", fullmatch=True)
timestamps = st.integers(min_value=10**12, max_value=10**13 - 1)


@given(agent_ids, user_ids, timestamps)
def test_round_trip(agent_id: str, user_id: str, ts: int) -> None:
    parsed = parse_room_name(format_room_name(agent_id, user_id, ts))
    assert (parsed.agent_id, parsed.user_id, parsed.timestamp_ms) == (agent_id, user_id, ts)


@given(
    agent_ids,
    st.lists(
        st.sampled_from(["_", ".", "@", "-", "a", "7", "_1705312800000"]), min_size=1, max_size=10
    ),
    timestamps,
)
def test_user_ids_with_separators_round_trip(agent_id: str, parts: list[str], ts: int) -> None:
    user_id = ("u" + "".join(parts))[:64]
    parsed = parse_room_name(format_room_name(agent_id, user_id, ts))
    assert parsed.user_id == user_id
    assert parsed.agent_id == agent_id
    assert parsed.timestamp_ms == ts


def test_parses_the_spec_example() -> None:
    parsed = parse_room_name("agent_5b710eca_user123_1705312800000")
    assert (parsed.agent_id, parsed.user_id, parsed.timestamp_ms) == (
        "5b710eca",
        "user123",
        1705312800000,
    )


def test_user_id_with_underscores_and_digits() -> None:
    parsed = parse_room_name("agent_5b710eca_a_b_1705312800000_x_1705312800001")
    assert parsed.user_id == "a_b_1705312800000_x"
    assert parsed.timestamp_ms == 1705312800001


@pytest.mark.parametrize(
    "name",
    [
        "",
        "agent_5b710eca_user123",
        "agent_5B710ECA_user123_1705312800000",  # uppercase agent id
        "agent_5b710ec_user123_1705312800000",  # 7 hex characters
        "agent_5b710eca__1705312800000",  # empty user id
        "agent_5b710eca_user123_170531280000",  # 12-digit timestamp
        "agent_5b710eca_user123_17053128000000",  # 14-digit timestamp
        "room_5b710eca_user123_1705312800000",
        "agent_5b710eca_-user_1705312800000",  # user id must start with a letter or digit
        "agent_5b710eca_us er_1705312800000",
        "agent_5b710eca_user/1_1705312800000",
        "agent_5b710eca_" + "u" * 65 + "_1705312800000",
    ],
)
def test_rejects_malformed_names(name: str) -> None:
    with pytest.raises(RoomNameError):
        parse_room_name(name)


@pytest.mark.parametrize(
    ("agent_id", "user_id", "ts"),
    [
        ("xyz12345", "u", 1705312800000),
        ("5b710eca", "", 1705312800000),
        ("5b710eca", "_u", 1705312800000),
        ("5b710eca", "u", 170531280000),
    ],
)
def test_format_refuses_invalid_parts(agent_id: str, user_id: str, ts: int) -> None:
    with pytest.raises(RoomNameError):
        format_room_name(agent_id, user_id, ts)
