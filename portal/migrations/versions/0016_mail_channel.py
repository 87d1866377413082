"""Mail as a channel: the local mailbox of a site without an SMTP host, and the kinds of
notification each user turned off.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mailbox_message_id")),
    )
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.create_index("ix_mailbox_received_at", ["received_at"], unique=False)
    op.create_table(
        "mail_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_opt_outs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_opt_outs")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_mail_opt_outs_user_id")),
    )
    with op.batch_alter_table("mail_opt_outs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_opt_outs_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("mail_opt_outs")
    op.drop_table("mailbox")
