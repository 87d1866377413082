"""Mail in: the processed-message table; Reply-To and headers kept on outbox rows.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_mail_inbound_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_inbound")),
        sa.UniqueConstraint("key", name=op.f("uq_mail_inbound_key")),
    )
    op.create_index(op.f("ix_mail_inbound_ticket_id"), "mail_inbound", ["ticket_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(length=998), nullable=True))
        batch.add_column(sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("headers")
        batch.drop_column("reply_to")
    op.drop_index(op.f("ix_mail_inbound_ticket_id"), table_name="mail_inbound")
    op.drop_table("mail_inbound")
