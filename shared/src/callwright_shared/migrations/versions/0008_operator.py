"""the operator API: key scopes, idempotent grants, the audit log, suspension

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
    # Existing keys could do everything: they stay `full`.
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), server_default="full", nullable=False)
        )
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint("uq_credit_ledger_reference", ["org_id", "reference"])
    op.create_table(
        "operator_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_audit")),
    )
    op.create_index("ix_operator_audit_org", "operator_audit", ["org_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_operator_audit_org", table_name="operator_audit")
    op.drop_table("operator_audit")
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.drop_constraint("uq_credit_ledger_reference", type_="unique")
        batch_op.drop_column("reference")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("suspended_at")
