"""dispatch claims, re-dispatch bookkeeping, End Session's reason, the user's absence

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("dispatch_count", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("requested_end_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("away_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("away_since")
        batch_op.drop_column("requested_end_reason")
        batch_op.drop_column("dispatch_count")
        batch_op.drop_column("dispatched_at")
        batch_op.drop_column("job_id")
