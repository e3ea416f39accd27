"""post-call analyses: one row per session whose agent asks for one, leased by issuers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_analyses",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_token", sa.String(length=40), nullable=True),
        sa.Column("credits_held", sa.BigInteger(), nullable=True),
        sa.Column("credits_charged", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_analyses_session_id_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_session_analyses_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_analyses")),
    )
    op.create_index(
        "ix_session_analyses_due", "session_analyses", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        "ix_session_analyses_org_completed",
        "session_analyses",
        ["org_id", "completed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_session_analyses_org_completed", table_name="session_analyses")
    op.drop_index("ix_session_analyses_due", table_name="session_analyses")
    op.drop_table("session_analyses")
