"""Learning from use: learned query → article associations, their evidence, the job's state.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_associations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_key", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("article_id", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("weighed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_by_name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_associations")),
        sa.UniqueConstraint(
            "query_key", "article_id", "lang", name=op.f("uq_learned_associations_query_key")
        ),
    )
    with op.batch_alter_table("learned_associations", schema=None) as batch_op:
        batch_op.create_index("ix_learned_associations_sessions", ["sessions"], unique=False)

    op.create_table(
        "learned_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("session", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_evidence")),
        sa.UniqueConstraint(
            "association_id", "session", name=op.f("uq_learned_evidence_association_id")
        ),
    )
    with op.batch_alter_table("learned_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learned_evidence_association_id"), ["association_id"], unique=False
        )

    op.create_table(
        "learning_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learned_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_state")),
    )


def downgrade() -> None:
    op.drop_table("learning_state")
    with op.batch_alter_table("learned_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learned_evidence_association_id"))
    op.drop_table("learned_evidence")
    with op.batch_alter_table("learned_associations", schema=None) as batch_op:
        batch_op.drop_index("ix_learned_associations_sessions")
    op.drop_table("learned_associations")
