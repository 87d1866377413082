"""Teams named by their key get their usual names: pages now label teams only from the records.

Migration 0014 named every team in use by its key; pages used to show the usual keys (support,
network, accounts, hardware, security) by a fixed table of names, which is gone. A team still
named by its key in both languages gets those usual names; one an admin renamed is left alone.

Revision ID: 0018_h2
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_h2"
down_revision = "0015"
branch_labels = None
depends_on = None

# The same names portal.accounts.teams.SEED_NAMES gives a seeded team (copied: a migration
# does not import the application).
USUAL_NAMES = {
    "support": ("فريق الدعم", "Support team"),
    "network": ("فريق الشبكات", "Network team"),
    "accounts": ("فريق الحسابات", "Accounts team"),
    "hardware": ("فريق الأجهزة", "Hardware team"),
    "security": ("فريق الأمن", "Security team"),
}


def upgrade() -> None:
    rename = sa.text(
        "UPDATE teams SET name_ar = :ar, name_en = :en "
        "WHERE key = :key AND name_ar = :key AND name_en = :key"
    )
    for key, (ar, en) in USUAL_NAMES.items():
        op.execute(rename.bindparams(key=key, ar=ar, en=en))


def downgrade() -> None:
    restore = sa.text(
        "UPDATE teams SET name_ar = :key, name_en = :key "
        "WHERE key = :key AND name_ar = :ar AND name_en = :en"
    )
    for key, (ar, en) in USUAL_NAMES.items():
        op.execute(restore.bindparams(key=key, ar=ar, en=en))
