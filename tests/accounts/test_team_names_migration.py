"""Migration 0018_h2: teams that 0014 named by their key get their usual names (pages no longer
have a fixed table of team names); a team an admin renamed keeps its names."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from portal.db import MIGRATIONS_DIR, make_engine


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _names(url: str) -> dict[str, tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT key, name_ar, name_en FROM teams"))
            return {key: (ar, en) for key, ar, en in rows}
    finally:
        engine.dispose()


def test_key_named_usual_teams_get_their_names_and_renamed_ones_stay(database_url: str) -> None:
    config = _config(database_url)
    command.downgrade(config, "0015")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO teams (key, name_ar, name_en, tier, active, assignment) VALUES "
                "('support', 'support', 'support', 1, true, 'round_robin'), "
                "('network', 'الشبكات', 'Networks', 2, true, 'round_robin'), "
                "('printers', 'printers', 'printers', 1, true, 'round_robin')"
            )
        )
    engine.dispose()

    command.upgrade(config, "head")
    assert _names(database_url) == {
        "support": ("فريق الدعم", "Support team"),
        "network": ("الشبكات", "Networks"),
        "printers": ("printers", "printers"),
    }
    command.downgrade(config, "0015")
    assert _names(database_url)["support"] == ("support", "support")
    command.upgrade(config, "head")
