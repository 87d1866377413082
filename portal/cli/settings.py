"""``sanad config check`` and ``sanad db upgrade``."""

from __future__ import annotations

import click

from portal.cli.base import _fail, _services, main
from portal.config import (
    ConfigError,
    describe,
    load_settings,
)
from portal.db import upgrade_database

# --- settings ------------------------------------------------------------------------------


@main.group()
def config() -> None:
    """Settings (SANAD_* environment variables, docs/configuration.md)."""


@config.command("check", with_appcontext=False)
def config_check() -> None:
    """Print every effective setting with its variable, secrets masked; exit 1 if one is
    invalid."""
    try:
        settings = load_settings()
    except ConfigError as error:
        _fail(f"invalid setting: {error}")
    rows = list(describe(settings))
    width = max(len(path) for path, _value, _variable in rows)
    for path, value, variable in rows:
        click.echo(f"{path:<{width}} = {value}" + (f"  ({variable})" if variable else ""))


# --- database ------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = _services().settings
    upgrade_database(settings.database_url, timeout=settings.database_timeout)
    click.echo("database is up to date")
