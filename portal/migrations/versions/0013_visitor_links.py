"""Visitor links: a private, revocable link per visitor ticket (only its hash is stored).

Revision ID: 0013
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_visitor_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_visitor_links_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_visitor_links')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_ticket_visitor_links_ticket_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_ticket_visitor_links_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('ticket_visitor_links')
