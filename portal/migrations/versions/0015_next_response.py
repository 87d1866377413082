"""The next-response target: when the requester's latest message awaiting an answer came,
the working time paused before it, and its deadline and warning instant.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("awaiting_paused_us", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("next_response_due", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("next_response_warn_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_tickets_next_response_warn_at"), ["next_response_warn_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_next_response_warn_at"))
        batch_op.drop_column("next_response_warn_at")
        batch_op.drop_column("next_response_due")
        batch_op.drop_column("awaiting_paused_us")
        batch_op.drop_column("awaiting_since")
