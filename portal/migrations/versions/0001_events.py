"""Usage events: search, view, vote, ticket (the deflection funnel's raw material).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=True),
        sa.Column("query", sa.String(length=500), nullable=True),
        sa.Column("hits", sa.Integer(), nullable=True),
        sa.Column("article_id", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_kind_created", "events", ["kind", "created_at"])
    op.create_index(op.f("ix_events_visitor"), "events", ["visitor"])
    op.create_index(op.f("ix_events_article_id"), "events", ["article_id"])


def downgrade() -> None:
    op.drop_table("events")
