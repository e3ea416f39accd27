"""the operator's analysis price per organization and per agent (NULL: inherit)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("organizations", "agents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("credits_per_analysis", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ("organizations", "agents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("credits_per_analysis")
