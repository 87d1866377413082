"""Teams as records, routing rules, (names in both languages, tier, assignment mode) and agents' away flag.

The team key stays the link (user_teams.team, tickets.team); existing keys become teams.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("assignment", sa.String(length=20), nullable=False),
        sa.Column("last_assignee_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("key", name=op.f("uq_teams_key")),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("requester_domain", sa.String(length=254), nullable=True),
        sa.Column("set_category", sa.String(length=60), nullable=True),
        sa.Column("set_tags", sa.JSON(), nullable=False),
        sa.Column("set_priority", sa.String(length=10), nullable=True),
        sa.Column("set_team", sa.String(length=60), nullable=True),
        sa.Column("set_assignee_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("away", sa.Boolean(), server_default="0", nullable=False))
    # Data: every key in use becomes a team named by its key (admins rename it).
    op.execute(
        "INSERT INTO teams (key, name_ar, name_en, tier, active, assignment) "
        "SELECT DISTINCT team, team, team, 1, true, 'round_robin' FROM ("
        "SELECT team FROM user_teams UNION SELECT team FROM tickets WHERE team IS NOT NULL"
        ") AS used"
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("away")
    op.drop_table("routing_rules")
    op.drop_table("teams")
