"""Every report runs on an empty database and on one known ticket (SQLite, no app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import portal.accounts.models
import portal.events
import portal.jobs.models
import portal.kb.tables
import portal.tickets.models
import portal.tickets.routing_models
import portal.tickets.sla_models  # noqa: F401  (every table the reports read)
from portal.accounts.models import UserInfo
from portal.db import Base
from portal.reports.data import Table, to_csv
from portal.reports.errors import BadFilter, ReportForbidden
from portal.reports.filters import parse_filter
from portal.reports.registry import REPORTS, run_report

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
TZ = "Asia/Riyadh"


def _viewer(*roles: str, uid: int = 1) -> UserInfo:
    return UserInfo(
        id=uid,
        email="a@example.org",
        name="A",
        lang="en",
        roles=frozenset(roles),
        tier=1,
        teams=frozenset(),
        active=True,
        auth_token="t",
        created_at=NOW,
    )


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_answers_on_an_empty_database(session: Session, name: str) -> None:
    f = parse_filter({}, today=NOW.date())
    found = run_report(session, _viewer("admin"), name, f, timezone=TZ, now=NOW)
    assert found.name == name
    assert found.tables
    assert found.as_json()["report"] == name


def test_requesters_are_refused_and_agents_read_only_themselves(session: Session) -> None:
    f = parse_filter({"agent": "7"}, today=NOW.date())
    with pytest.raises(ReportForbidden):
        run_report(session, _viewer("requester"), "volume", f, timezone=TZ, now=NOW)
    with pytest.raises(ReportForbidden):
        run_report(session, _viewer("agent", uid=3), "agents", f, timezone=TZ, now=NOW)
    own = run_report(
        session,
        _viewer("agent", uid=3),
        "agents",
        parse_filter({}, today=NOW.date()),
        timezone=TZ,
        now=NOW,
    )
    assert own.filter.agent == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"priority": "mega"}, "priority"),
        ({"agent": "x"}, "agent"),
        ({"hours": "0"}, "hours"),
    ],
)
def test_bad_filters_name_their_parameter(params: dict[str, str], field: str) -> None:
    with pytest.raises(BadFilter) as caught:
        parse_filter(params, today=NOW.date())
    assert caught.value.field == field


def test_csv_defuses_formulas() -> None:
    text = to_csv(Table("t", ("q",), (("=1+1",), ("-x",), ("ok",))))
    assert text.splitlines() == ["q", "'=1+1", "'-x", "ok"]


def test_a_dashboard_shares_its_events_and_gives_what_each_report_gives(
    session: Session,
) -> None:
    from portal.events import Event
    from portal.reports.registry import run_reports

    at = NOW - dt.timedelta(days=2)
    for n, (query, hits) in enumerate([("الإنترنت", 0), ("الانترنت", 0), ("vpn", 3)]):
        session.add(Event(kind="search", created_at=at + dt.timedelta(minutes=n),
                          visitor=f"v{n}", lang="ar", query=query, hits=hits))  # fmt: skip
    session.add(Event(kind="view", created_at=at + dt.timedelta(minutes=5), visitor="v2",
                      lang="ar", article_id="vpn-connect"))  # fmt: skip
    session.add(Event(kind="ticket", created_at=at + dt.timedelta(hours=1), visitor="v0",
                      lang="ar", data={"reference": "HD-000001"}))  # fmt: skip
    session.flush()
    f = parse_filter({}, today=NOW.date())
    names = ("searches", "content-gaps", "deflection")
    together = run_reports(session, _viewer("admin"), names, f, timezone=TZ, now=NOW)
    for name in names:
        alone = run_report(session, _viewer("admin"), name, f, timezone=TZ, now=NOW)
        assert together[name].as_json() == alone.as_json()
    gaps = together["content-gaps"].table("gaps").records()
    assert [
        (g["group"], g["searches"], g["no_results"], g["followed_by_ticket"]) for g in gaps
    ] == [("الانترنت", 2, 2, 1)]
    assert gaps[0]["tickets"] == "HD-000001"
    assert together["deflection"].totals["self_service_percent"] == 33.3
