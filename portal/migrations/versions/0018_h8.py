"""Reports: tickets indexed by the instant they were opened (every report selects a date range).

Revision ID: 0018_h8
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0018_h8"
down_revision = "0018_h7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_created_at", table_name="tickets")
