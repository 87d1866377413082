"""``sanad sla run`` and ``sanad calendar show|holidays add``: service levels."""

from __future__ import annotations

import datetime as dt

import click

from portal.cli.base import _fail, _services, main
from portal.db import transaction, utcnow
from portal.tickets import service_levels, sla_admin
from portal.tickets.errors import ValidationError as TicketValidationError


@main.group()
def sla() -> None:
    """Service levels: warnings and escalations (docs/service-levels.md)."""


@sla.command("run")
@click.option(
    "--now", "at", default=None, help="Apply them as of this ISO 8601 instant (default: now)."
)
def sla_run(at: str | None) -> None:
    """Warn at the configured share of each target and escalate at breach; idempotent."""
    services = _services()
    now = utcnow()
    if at:
        try:
            now = dt.datetime.fromisoformat(at)
        except ValueError:
            _fail(f"--now: {at!r} is not an ISO 8601 instant such as 2026-12-03T10:00:00+03:00")
        if now.tzinfo is None:
            _fail("--now: give the offset too, such as 2026-12-03T10:00:00+03:00")
    with transaction(services.sessions) as session:
        summary = service_levels.run_sla(session, now, services.settings.tickets)
    click.echo(summary.line())


@main.group()
def calendar() -> None:
    """Business-hours calendars: working hours, overrides, holidays."""


@calendar.command("show")
def calendar_show() -> None:
    """Print each calendar: time zone, hours per weekday, overrides and holidays."""
    services = _services()
    with transaction(services.sessions) as session:
        found = sla_admin.list_calendars(
            session, sla_admin.OPERATOR, timezone=services.settings.timezone
        )
    for shown in found:
        default = " (default)" if shown.is_default else ""
        click.echo(f"calendar #{shown.id} {shown.name}{default}, time zone {shown.timezone}")
        for weekday, periods in shown.week:
            click.echo(f"  {weekday:<10} {periods}")
        for override in shown.overrides:
            click.echo(
                f"  override #{override.id} {override.first_day}..{override.last_day} "
                f"{override.periods}  {override.name}"
            )
        for holiday in shown.holidays:
            hijri = f" (Hijri {holiday.hijri})" if holiday.hijri else ""
            click.echo(f"  holiday #{holiday.id} {holiday.day}{hijri}  {holiday.name}")


@calendar.group("holidays")
def calendar_holidays() -> None:
    """Holidays of the default calendar."""


@calendar_holidays.command("add")
@click.option("--date", "date", required=True, help="YYYY-MM-DD (Umm al-Qura with --hijri).")
@click.option("--hijri", is_flag=True, help="The date is on the Hijri (Umm al-Qura) calendar.")
@click.option("--days", type=click.IntRange(1, sla_admin.MAX_HOLIDAY_DAYS), default=1)
@click.option("--name", required=True, help="What the holiday is called.")
def calendar_holidays_add(date: str, hijri: bool, days: int, name: str) -> None:
    """Add a holiday of one or more days: no working time is counted on it."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            added = sla_admin.add_holiday(
                session, sla_admin.OPERATOR, date=date, name=name, hijri=hijri, days=days
            )
    except TicketValidationError as error:
        _fail(f"--{error.field}: {error.message}")
    click.echo(f"holiday {name!r}: {', '.join(day.isoformat() for day in added)}")
