"""Service levels: business-hours calendars, holidays, overrides, SLA policies, warnings and
breaches, root-cause codes; the tickets' SLA clock columns. Seeds the support policy: every day
10:00–16:00, first response within 48 working hours for every priority.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('root_cause_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('label_ar', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_root_cause_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_root_cause_codes_code'))
    )
    op.create_table('sla_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('week', sa.JSON(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_sla_calendars_name'))
    )
    op.create_table('sla_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('hijri', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['calendar_id'], ['sla_calendars.id'], name=op.f('fk_sla_holidays_calendar_id_sla_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_holidays')),
    sa.UniqueConstraint('calendar_id', 'day', name=op.f('uq_sla_holidays_calendar_id'))
    )
    with op.batch_alter_table('sla_holidays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_holidays_calendar_id'), ['calendar_id'], unique=False)

    op.create_table('sla_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['sla_calendars.id'], name=op.f('fk_sla_overrides_calendar_id_sla_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_overrides'))
    )
    with op.batch_alter_table('sla_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_overrides_calendar_id'), ['calendar_id'], unique=False)

    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('team', sa.String(length=60), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=True),
    sa.Column('next_response_minutes', sa.Integer(), nullable=True),
    sa.Column('resolution_minutes', sa.Integer(), nullable=True),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['sla_calendars.id'], name=op.f('fk_sla_policies_calendar_id_sla_calendars'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies'))
    )
    op.create_table('sla_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=100), nullable=False),
    sa.Column('tier_before', sa.Integer(), nullable=True),
    sa.Column('tier_after', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_events')),
    sa.UniqueConstraint('ticket_id', 'target', 'kind', 'due_at', name=op.f('uq_sla_events_ticket_id'))
    )
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.create_index('ix_sla_events_ticket_kind', ['ticket_id', 'kind'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_policy', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('first_response_warn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_warn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_paused_us', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('root_cause_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('root_cause_note', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_first_response_warn_at'), ['first_response_warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_resolution_warn_at'), ['resolution_warn_at'], unique=False)

    calendars = sa.table(
        "sla_calendars",
        sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("timezone", sa.String),
        sa.column("week", sa.JSON), sa.column("is_default", sa.Boolean),
    )
    op.bulk_insert(calendars, [
        {"id": 1, "name": "default", "timezone": None, "week": [[[600, 960]]] * 7, "is_default": True},
    ])
    policies = sa.table(
        "sla_policies",
        sa.column("name", sa.String), sa.column("first_response_minutes", sa.Integer),
        sa.column("calendar_id", sa.Integer), sa.column("active", sa.Boolean),
    )
    op.bulk_insert(policies, [
        {"name": "default", "first_response_minutes": 48 * 60, "calendar_id": 1, "active": True},
    ])
    codes = sa.table(
        "root_cause_codes",
        sa.column("code", sa.String), sa.column("label_en", sa.String),
        sa.column("label_ar", sa.String), sa.column("active", sa.Boolean),
    )
    op.bulk_insert(codes, [
        {"code": "staffing", "label_en": "Not enough people on shift", "label_ar": "نقص في عدد الموظفين في الوردية", "active": True},
        {"code": "routing", "label_en": "Sent to the wrong team or tier", "label_ar": "وُجّه إلى فريق أو مستوى غير مناسب", "active": True},
        {"code": "waiting_third_party", "label_en": "Waiting on another department or vendor", "label_ar": "بانتظار جهة أو مورّد آخر", "active": True},
        {"code": "missing_knowledge", "label_en": "No article or know-how for the problem", "label_ar": "لا توجد مقالة أو خبرة للمشكلة", "active": True},
        {"code": "other", "label_en": "Other (see the note)", "label_ar": "سبب آخر (انظر الملاحظة)", "active": True},
    ])



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_resolution_warn_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_first_response_warn_at'))
        batch_op.drop_column('root_cause_note')
        batch_op.drop_column('root_cause_code')
        batch_op.drop_column('sla_paused_us')
        batch_op.drop_column('sla_paused_at')
        batch_op.drop_column('resolution_warn_at')
        batch_op.drop_column('first_response_warn_at')
        batch_op.drop_column('sla_policy')

    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_events_ticket_kind')

    op.drop_table('sla_events')
    op.drop_table('sla_policies')
    with op.batch_alter_table('sla_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_overrides_calendar_id'))

    op.drop_table('sla_overrides')
    with op.batch_alter_table('sla_holidays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_holidays_calendar_id'))

    op.drop_table('sla_holidays')
    op.drop_table('sla_calendars')
    op.drop_table('root_cause_codes')
