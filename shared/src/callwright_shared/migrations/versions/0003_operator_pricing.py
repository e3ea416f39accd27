"""operator pricing: prices move out of the tenant's agent config into operator columns

Until this revision an agent's `credits_per_minute` / `credits_per_message` lived in its
`config` JSON, where any API key could set them and so lower their own bills. Prices are now the
operator's (callwright_shared.billing.pricing): NULL-able columns on `organizations` (the
organization's price) and on `agents` (a per-agent override), set only by
`callwright admin set-price`, with the defaults of settings behind them.

What happens to the prices existing agents carry in their config:

- a nonzero price that differs from the new built-in default of the agent's architecture
  (10 credits per pipeline minute, 40 per realtime minute, 1 per chat message) becomes a
  per-agent override, so that agent's bills do not change;
- a price equal to that default is dropped: the agent follows the default, which is the
  same number (only an operator who changes the default in settings changes it);
- a price of 0 is dropped too, so the agent pays the default: a 0 a tenant chose is
  exactly the hole this closes, and a free agent is now an explicit operator decision
  (`admin set-price --agent ID --credits-per-minute 0`);
- a price that does not apply to the architecture (a text agent's minute, a realtime
  agent's message) is dropped.

The price fields leave the config JSON in every case. Downgrade writes each agent's
override (or the old built-in defaults, 10 and 1) back into its config.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in defaults at this revision (settings may change them later; this migration
# must not).
_DEFAULT_MINUTE = {"pipeline": 10, "realtime": 40}
_DEFAULT_MESSAGE = {"pipeline": 1, "text": 1}
_OLD_DEFAULTS = {"credits_per_minute": 10, "credits_per_message": 1}

_agents = sa.table(
    "agents",
    sa.column("id", sa.String()),
    sa.column("architecture", sa.String()),
    sa.column("config", sa.JSON()),
    sa.column("credits_per_minute", sa.Integer()),
    sa.column("credits_per_message", sa.Integer()),
)


def _override(value: Any, default: int | None) -> int | None:
    """The per-agent override an old config price becomes (None: follow the default)."""
    if default is None or isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value > 0 and value != default else None


def upgrade() -> None:
    for table in ("organizations", "agents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("credits_per_minute", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("credits_per_message", sa.Integer(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(sa.select(_agents.c.id, _agents.c.architecture, _agents.c.config))
    for agent_id, architecture, config in rows.all():
        config = dict(config or {})
        minute = config.pop("credits_per_minute", None)
        message = config.pop("credits_per_message", None)
        connection.execute(
            _agents.update()
            .where(_agents.c.id == agent_id)
            .values(
                config=config,
                credits_per_minute=_override(minute, _DEFAULT_MINUTE.get(architecture)),
                credits_per_message=_override(message, _DEFAULT_MESSAGE.get(architecture)),
            )
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _agents.c.id,
            _agents.c.config,
            _agents.c.credits_per_minute,
            _agents.c.credits_per_message,
        )
    )
    for agent_id, config, minute, message in rows.all():
        config = {
            **(config or {}),
            "credits_per_minute": _OLD_DEFAULTS["credits_per_minute"] if minute is None else minute,
            "credits_per_message": (
                _OLD_DEFAULTS["credits_per_message"] if message is None else message
            ),
        }
        connection.execute(_agents.update().where(_agents.c.id == agent_id).values(config=config))
    for table in ("agents", "organizations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("credits_per_message")
            batch_op.drop_column("credits_per_minute")
