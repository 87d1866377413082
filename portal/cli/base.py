"""The root ``sanad`` group and the helpers every command group shares."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from portal import Services, create_app
from portal.config import (
    ConfigError,
    load_settings,
    mask_url,
)
from portal.db import DatabaseError


def _services() -> Services:
    services: Services = current_app.extensions["sanad"]
    return services


def _make_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:  # one line that names the variable, not a traceback
        raise click.ClickException(str(error)) from None


def _database_named() -> str:
    """The configured database URL, password masked, for an error message (or "")."""
    try:
        return f" at {mask_url(load_settings().database_url)}"
    except Exception:  # the settings themselves are broken: the error says enough
        return ""


def database_failure(error: DatabaseError) -> str:
    """One line for a database that cannot be opened or reached: what, where, and why."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    reason = lines[0] if lines else type(original).__name__
    return f"cannot use the database{_database_named()}: {reason} (see SANAD_DATABASE_URL)"


class _SanadGroup(FlaskGroup):
    """Flask's CLI group, except that a database that cannot be used ends any command with
    one line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseError as error:
            raise click.ClickException(database_failure(error)) from None


@click.group(cls=_SanadGroup, create_app=_make_app, add_version_option=False)
def main() -> None:
    """Sanad help desk portal."""


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)
