"""agent stages: the flat model fields of stored agents and session snapshots become the
`stt`, `llm`, `tts` and `realtime` objects

An agent's `stt_model`, `llm_model`, `temperature`, `tts_model`, `tts_voice`, `provider`,
`model` and `voice` move onto `stt.model`, `llm.model`, `llm.temperature` and
`realtime.temperature`, `tts.model`, `tts.voice`, `realtime.provider`, `realtime.model` and
`realtime.voice`; the pipeline's providers are the built-ins the flat fields always meant
(Deepgram speech-to-text, OpenAI LLM and voice). `overridable` names and a snapshot's
`overrides` are renamed the same way (`tts_voice` → `tts.voice`, `voice` →
`realtime.voice`, `temperature` → `llm.temperature` and `realtime.temperature`).

The mapping is copied here, not imported: a migration must not change when the code does.
Downgrade writes the flat fields back from the objects (fallbacks, which the flat form
cannot hold, are dropped).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FLAT: dict[str, tuple[tuple[str, str], ...]] = {
    "stt_model": (("stt", "model"),),
    "llm_model": (("llm", "model"),),
    "temperature": (("llm", "temperature"), ("realtime", "temperature")),
    "tts_model": (("tts", "model"),),
    "tts_voice": (("tts", "voice"),),
    "provider": (("realtime", "provider"),),
    "model": (("realtime", "model"),),
    "voice": (("realtime", "voice"),),
}
_NAMES = {
    "tts_voice": ("tts.voice",),
    "voice": ("realtime.voice",),
    "temperature": ("llm.temperature", "realtime.temperature"),
}
_PROVIDERS = {"stt": "deepgram", "llm": "openai", "tts": "openai"}

_agents = sa.table("agents", sa.column("id", sa.String()), sa.column("config", sa.JSON()))
_sessions = sa.table("sessions", sa.column("id", sa.String()), sa.column("config", sa.JSON()))


def _renamed(names: Any, table: dict[str, tuple[str, ...]]) -> Any:
    if not isinstance(names, list):
        return names
    out: list[Any] = []
    for name in names:
        for new in table.get(name, (name,)) if isinstance(name, str) else (name,):
            if new not in out:
                out.append(new)
    return out


def _lift(config: dict[str, Any]) -> dict[str, Any]:
    out = dict(config)
    lifted: dict[str, dict[str, Any]] = {}
    for name, targets in _FLAT.items():
        if name not in out:
            continue
        value = out.pop(name)
        for stage, key in targets:
            if not isinstance(config.get(stage), dict):  # not already in the new form
                lifted.setdefault(stage, {})[key] = value
    for stage, fields in lifted.items():
        out[stage] = {"provider": _PROVIDERS.get(stage, "openai"), **fields}
    if "overridable" in out:
        out["overridable"] = _renamed(out["overridable"], _NAMES)
    return out


def _lower(config: dict[str, Any]) -> dict[str, Any]:
    out = dict(config)
    for name, targets in _FLAT.items():
        stage, key = targets[0]
        choice = out.get(stage)
        if isinstance(choice, dict) and choice.get(key) is not None:
            out[name] = choice[key]
    for stage in ("stt", "llm", "tts", "realtime"):
        out.pop(stage, None)
    if isinstance(out.get("provider"), str) and out["provider"] == "google":
        out["provider"] = "gemini"
    back = {new: old for old, news in _NAMES.items() for new in news}
    if "overridable" in out:
        out["overridable"] = _renamed(out["overridable"], {k: (v,) for k, v in back.items()})
    return out


def _move(change: Any) -> None:
    connection = op.get_bind()
    for row_id, config in connection.execute(sa.select(_agents.c.id, _agents.c.config)).all():
        if config:
            connection.execute(
                _agents.update().where(_agents.c.id == row_id).values(config=change(config))
            )
    rows = connection.execute(
        sa.select(_sessions.c.id, _sessions.c.config).where(_sessions.c.config.is_not(None))
    ).all()
    names = _NAMES if change is _lift else {n: (o,) for o, ns in _NAMES.items() for n in ns}
    for row_id, snapshot in rows:
        if not isinstance(snapshot, dict) or not isinstance(snapshot.get("agent"), dict):
            continue
        new = {
            **snapshot,
            "agent": change(snapshot["agent"]),
            "overrides": _renamed(snapshot.get("overrides", []), names),
        }
        connection.execute(_sessions.update().where(_sessions.c.id == row_id).values(config=new))


def upgrade() -> None:
    _move(_lift)


def downgrade() -> None:
    _move(_lower)
