"""``sanad sla run`` and ``sanad calendar show|holidays add``."""

from __future__ import annotations

from click.testing import Result
from flask import Flask

from portal.cli import main


def sanad(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, args=list(args))


def test_calendar_show_prints_the_support_hours(app: Flask) -> None:
    result = sanad(app, "calendar", "show")
    assert result.exit_code == 0, result.output
    assert "time zone Asia/Riyadh" in result.output
    assert "monday     10:00-16:00" in result.output
    assert "sunday     10:00-16:00" in result.output


def test_a_hijri_holiday_of_several_days_is_added_on_its_gregorian_dates(app: Flask) -> None:
    result = sanad(
        app, "calendar", "holidays", "add", "--date", "1447-10-01", "--hijri", "--days", "3",
        "--name", "Eid al-Fitr",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026-03-20, 2026-03-21, 2026-03-22" in result.output
    shown = sanad(app, "calendar", "show").output
    assert "2026-03-21 (Hijri 1447-10-02)  Eid al-Fitr" in shown


def test_a_bad_date_is_refused_with_the_reason(app: Flask) -> None:
    result = sanad(app, "calendar", "holidays", "add", "--date", "1447-13-01", "--hijri",
                   "--name", "x")  # fmt: skip
    assert result.exit_code == 1
    assert "--date" in result.output
    result = sanad(app, "calendar", "holidays", "add", "--date", "3 Dec", "--name", "x")
    assert "YYYY-MM-DD" in result.output


def test_sla_run_reports_what_it_did_and_refuses_a_bad_instant(app: Flask) -> None:
    result = sanad(app, "sla", "run", "--now", "2026-12-03T10:00:00+03:00")
    assert result.exit_code == 0, result.output
    assert "checked 0 tickets: 0 warnings, 0 breaches" in result.output
    assert sanad(app, "sla", "run", "--now", "tomorrow").exit_code == 1
    assert "offset" in sanad(app, "sla", "run", "--now", "2026-12-03T10:00").output
