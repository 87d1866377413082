"""The reports' figures, exactly, on three tickets worked through the ticket services at known
instants (SQLite and PostgreSQL alike).

The site's default calendar works 10:00-16:00 every day in the site's time zone (the calendar
adopts it when the first ticket opens); in Asia/Riyadh (UTC+3) that is 07:00-13:00 UTC.
Durations below are counted by hand on that calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.reports.filters import parse_filter
from portal.reports.registry import run_report
from portal.tickets.assignment import escalate_ticket
from portal.tickets.conversation import add_reply
from portal.tickets.resolution import confirm_resolution, rate_ticket, resolve_ticket
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

TZ = "Asia/Riyadh"
MakeUser = Callable[..., UserInfo]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant of November 2026, in UTC."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


NOW = at(25, 9)


@pytest.fixture
def figures(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    make_user: MakeUser,
    agent: UserInfo,
    requester: UserInfo,
) -> Callable[[str], dict[str, Any]]:
    assert ticket_settings.timezone == TZ  # the hand counts below are in this zone
    # Quick: opened Monday 10:30 local, answered 30 working minutes later, resolved after 90.
    quick = make_ticket("Printer offline", "It shows offline.", at=at(23, 7, 30))
    run(add_reply, ticket_settings, agent, quick.reference, body="Restart it.", now=at(23, 8))
    run(resolve_ticket, ticket_settings, agent, quick.reference, note="Restarted", now=at(23, 9))
    run(confirm_resolution, requester, quick.reference, now=at(23, 10))
    run(rate_ticket, requester, quick.reference, rating=5, comment="Quick!", now=at(23, 10, 5))
    # Slow: opened 15:00 local, one working hour before closing; answered at 11:00 local the
    # next day (60 + 60 = 120 working minutes), escalated, resolved at 13:00 (60 + 180 = 240).
    slow = make_ticket("VPN drops", "Every hour.", at=at(23, 12))
    run(add_reply, ticket_settings, agent, slow.reference, body="Looking.", now=at(24, 8))
    run(escalate_ticket, agent, slow.reference, reason="Needs the VPN server", now=at(24, 8, 30))
    admin = make_user("admin")
    run(resolve_ticket, ticket_settings, admin, slow.reference, note="Patched", now=at(24, 10))
    run(rate_ticket, requester, slow.reference, rating=2, comment="Slow", now=at(24, 11))
    # Waiting: opened for a whole team (high priority), nobody has answered yet.
    make_ticket("Shared drive gone", "For all of us.", impact="team", at=at(24, 7))

    wanted = parse_filter({"from": "2026-11-23", "to": "2026-11-25"}, today=NOW.date())

    def report(name: str) -> dict[str, Any]:
        found = run(run_report, admin, name, wanted, timezone=TZ, now=NOW)
        answer: dict[str, Any] = found.as_json()
        return answer

    return report


def test_volume_counts_each_ticket_once(figures: Callable[[str], dict[str, Any]]) -> None:
    volume = figures("volume")
    assert volume["totals"] == {"tickets": 3, "backlog": 1, "granularity": "day"}
    tables = volume["tables"]
    assert tables["over_time"]["rows"] == [
        {"period": "2026-11-23", "tickets": 2},
        {"period": "2026-11-24", "tickets": 1},
        {"period": "2026-11-25", "tickets": 0},
    ]
    by_priority = {r["priority"]: r["tickets"] for r in tables["by_priority"]["rows"]}
    assert (by_priority.get("normal"), by_priority.get("high")) == (2, 1)
    assert sum(by_priority.values()) == 3


def test_service_levels_count_working_minutes(figures: Callable[[str], dict[str, Any]]) -> None:
    levels = figures("service-levels")
    times = {r["priority"]: r for r in levels["tables"]["times"]["rows"]}
    assert times["all"] == {
        "priority": "all",
        "tickets": 3,
        "responded": 2,
        "first_response_median_minutes": 75,
        "first_response_p90_minutes": 120,
        "resolved": 2,
        "resolution_median_minutes": 165,
        "resolution_p90_minutes": 240,
    }
    assert times["high"]["responded"] == 0
    assert times["high"]["first_response_median_minutes"] is None
    # The default policy gives 48 working hours for a first response: both answers met it,
    # the unanswered ticket is still within it.
    assert levels["totals"]["sla_available"] is True
    first = {
        r["priority"]: (r["met"], r["breached"], r["pending"])
        for r in levels["tables"]["compliance"]["rows"]
        if r["target"] == "first_response"
    }
    assert first == {"normal": (2, 0, 0), "high": (0, 0, 1)}
    assert levels["totals"]["compliance_percent"] == 100
    assert levels["totals"]["breached_tickets"] == 0


def test_csat_averages_the_two_ratings(figures: Callable[[str], dict[str, Any]]) -> None:
    csat = figures("csat")
    assert csat["totals"] == {
        "tickets": 3,
        "rated": 2,
        "average": 3.5,
        "response_percent": 100,
    }
    assert [
        (r["rating"], r["tickets"], r["percent"]) for r in csat["tables"]["distribution"]["rows"]
    ] == [
        (1, 0, 0),
        (2, 1, 50),
        (3, 0, 0),
        (4, 0, 0),
        (5, 1, 50),
    ]
    assert [(r["comment"], r["rating"]) for r in csat["tables"]["comments"]["rows"]] == [
        ("Slow", 2),
        ("Quick!", 5),
    ]
