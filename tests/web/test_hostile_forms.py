"""Hostile values in every field of the newer forms (issue 15): never a 500; a refusal is a
400 (or the page again with the error) and stores nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import MetaData, func, select, union_all

from portal.tickets.sla_models import SlaHoliday
from portal.web.dates import moment
from tests.support.forms import Form, post_forms
from tests.support.hostile import naughty_strings
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

HOSTILE = {
    "nul": "Team\x00name",
    "only-nul": "\x00",
    "long": "ك" * 20_000,
    "superscript": "⁰⁴⁵",
    "arabic-digits": "٣",
    "beyond-64-bits": str(2**64 + 1),
    "huge": "9" * 60,
    "rtl-override": "\u202egnp.exe\u202c",
    "bad-date": "2026-02-30",
    "hijri-arabic": "١٤٤٧-١٣-٠١",
    "time": "25:61-99:99",
    "script": '"><script>alert(1)</script>',
    "crlf": "a\r\nBcc: x@example.com",
}
KEPT = ("superscript", "bad-date", "rtl-override", "script")  # refused, then shown again
VOLATILE = {"events", "rate_limit_counters", "job_leases", "jobs", "job_runs"}


@dataclass
class Scene:
    admin: FlaskClient
    agent: FlaskClient
    requester: FlaskClient
    visitor: FlaskClient
    reference: str
    visit: str


def fingerprint(web: Flask) -> tuple[int, ...]:
    """How many rows each table holds (but the ones every request may write)."""
    engine = web.extensions["sanad"].engine
    tables = web.extensions.setdefault("h4_tables", [])
    if not tables:
        metadata = MetaData()
        metadata.reflect(engine)
        tables.extend(
            t
            for n, t in sorted(metadata.tables.items())
            if n not in VOLATILE and n != "alembic_version"
        )
    query = union_all(*(select(func.count()).select_from(t) for t in tables))
    with engine.connect() as conn:
        return tuple(conn.execute(query).scalars())


@pytest.fixture
def scene(web: Flask, client_for: ClientFor, make_account: MakeAccount) -> Scene:
    admin = client_for(make_account("admin", "agent"))
    agent = client_for(make_account("agent"))
    requester = client_for(make_account())
    reference = open_ticket(requester)
    visitor = client_for(None)
    page = visitor.post(
        "/tickets/new",
        data={
            "subject": "Cannot sign in",
            "body": "Since today.",
            "visitor_name": "Salma",
            "visitor_email": "salma@example.com",
        },
    )
    link = re.search(r"/tickets/visit/[A-Za-z0-9_-]{43}", text_of(page))
    assert link, text_of(page)
    (rule,) = [
        f
        for f in post_forms(text_of(admin.get("/admin/routing/new")), "/admin/routing/new")
        if f.action.endswith("/admin/routing/new")
    ]
    made = admin.post(
        rule.action, data={**rule.fields, "name": "VPN", "words": "vpn", "set_priority": "high"}
    )
    assert made.status_code == 303, text_of(made)
    team = {
        "key": "desk",
        "name_ar": "المكتب",
        "name_en": "Desk",
        "tier": "1",
        "assignment": "round_robin",
        "active": "y",
    }
    assert admin.post("/admin/teams", data=team).status_code == 303
    assert (
        agent.post(
            "/agent/canned", data={"title": "Hi", "body": "Hello {name}", "lang": "en"}
        ).status_code
        == 303
    )
    web.config["WTF_CSRF_ENABLED"] = True  # the forms carry their token, as in a browser
    return Scene(admin, agent, requester, visitor, reference, link.group(0))


PAGES = [
    ("admin", "/admin/teams"),
    ("admin", "/admin/teams/desk"),
    ("admin", "/admin/routing/new"),
    ("admin", "/admin/routing/1"),
    ("admin", "/admin/service-levels/"),
    ("agent", "/agent/canned"),
    ("requester", "/auth/profile"),
    ("agent", "/auth/profile"),
    ("visitor", "{visit}"),
    ("visitor", "/tickets/link"),
]
SKIP = ("/delete", "/sign-out-everywhere", "/logout", "/revoke", "/disable", "/locale")


def forms_of(client: FlaskClient, path: str) -> Iterator[Form]:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    for form in post_forms(text_of(page), path):
        if not any(part in form.action for part in SKIP):
            yield form


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_hostile_values_in_every_field(web: Flask, scene: Scene, who: str, path: str) -> None:
    client: FlaskClient = getattr(scene, who)
    path = path.format(visit=scene.visit)
    failures = []
    for form in forms_of(client, path):
        for name in [*form.fields, *form.multi]:
            for label, value in HOSTILE.items():
                data: dict[str, object] = {**form.fields, **form.multi, name: value}
                before = fingerprint(web)
                response = client.post(form.action, data=data)
                if response.status_code >= 500:
                    failures.append((form.action, name, label, response.status_code))
                    continue
                if response.status_code >= 400 and fingerprint(web) != before:
                    failures.append((form.action, name, label, "stored half"))
                page = text_of(response)
                if (
                    response.status_code == 400
                    and name in form.typed
                    and label in KEPT
                    and escape(value) not in page
                ):
                    failures.append((form.action, name, label, "not kept"))
    assert not failures, "\n".join(map(str, failures))


NAUGHTY_PER_FIELD = 8


@pytest.mark.slow
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_naughty_strings_in_every_typed_field(
    web: Flask, scene: Scene, who: str, path: str
) -> None:
    """The Big List of Naughty Strings, eight to a field, each field taking the next eight
    and each page starting elsewhere in the list, so the pages together spread over it."""
    turn = PAGES.index((who, path)) * 61
    client: FlaskClient = getattr(scene, who)
    path = path.format(visit=scene.visit)
    strings = naughty_strings()
    failures = []
    for form in forms_of(client, path):
        for name in sorted(form.typed):
            turn += NAUGHTY_PER_FIELD
            for number in range(-NAUGHTY_PER_FIELD, 0):
                value = strings[(turn + number) % len(strings)]
                before = fingerprint(web)
                response = client.post(form.action, data={**form.fields, **form.multi, name: value})
                if response.status_code >= 500:
                    failures.append((form.action, name, value, response.status_code))
                elif response.status_code >= 400 and fingerprint(web) != before:
                    failures.append((form.action, name, value, "stored half"))
    assert not failures, "\n".join(map(str, failures))


def holidays(web: Flask) -> list[tuple[str, str | None]]:
    with web.extensions["sanad"].sessions() as session:
        rows = session.execute(select(SlaHoliday.day, SlaHoliday.hijri).order_by(SlaHoliday.day))
        return [(day.isoformat(), hijri) for day, hijri in rows]


def test_a_holiday_beyond_the_hijri_tables_is_saved_or_refused_never_a_500(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    """The Umm al-Qura tables end in 2077: a Gregorian holiday in 2100 was a 500 (its Hijri
    name was computed though never kept), and so was a Hijri one running past the tables."""
    admin = client_for(make_account("admin"))
    saved = admin.post(
        "/admin/service-levels/holidays",
        data={"name": "Centenary", "date": "2100-01-01", "calendar": "gregorian", "days": "2"},
    )
    assert saved.status_code == 303
    assert holidays(web) == [("2100-01-01", None), ("2100-01-02", None)]
    for date, calendar, days in (
        ("1500-12-29", "hijri", "60"),
        ("9999-12-31", "gregorian", "2"),
        ("٩٩٩٩-١٢-٣١", "gregorian", "2"),
    ):
        refused = admin.post(
            "/admin/service-levels/holidays",
            data={"name": "عيد", "date": date, "calendar": calendar, "days": days},
        )
        assert refused.status_code == 400, date
        page = text_of(refused)
        assert "Write the date as YYYY-MM-DD (a real Gregorian or Umm al-Qura date)." in page
        assert f'value="{date}"' in page  # what was typed is still there
        assert 'value="عيد"' in page
    assert len(holidays(web)) == 2  # nothing stored half


def test_an_arabic_page_shows_a_date_beyond_the_hijri_tables(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    """``moment()`` adds the Hijri date in Arabic: for 2100 it raised, a 500 on the page."""
    with web.test_request_context("/"), force_locale("ar"):
        shown = str(moment(dt.date(2100, 1, 1)))
        inside = str(moment(dt.date(2026, 12, 4)))
    assert '<time datetime="2100-01-01">' in shown
    assert "(" not in shown
    assert "جمادى" in inside
