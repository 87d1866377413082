"""The Workshops page and a workshop guide's page: schedule, modules, languages, bad data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from portal.web.workshops.guide import parse_start, workshop_guide
from tests.support.articles import ArticleWriter

NOW = dt.datetime.now(dt.UTC)


def iso(days: int) -> str:
    start = (NOW + dt.timedelta(days=days)).replace(hour=7, minute=0, second=0, microsecond=0)
    return start.astimezone(dt.timezone(dt.timedelta(hours=3))).isoformat()


SCHEDULE_FRONT = {
    "audience_note": "For every trainer.",
    "prerequisites": ["A laptop", "Your account"],
    "materials": ["Slides"],
    "modules": [{"title": "Warm-up", "minutes": 15}, {"title": "Hands-on", "minutes": 45}],
}


def yaml_writer(write_article: ArticleWriter) -> ArticleWriter:
    """``write_article`` with the front matter dumped as real YAML (lists of mappings)."""

    def write(article_id: str, lang: str, title: str, body: str, **front: Any) -> Path:
        commit = bool(front.pop("commit", True))
        meta = {"title": title, "lang": lang, "status": "published", "audience": "public"}
        meta.update(front)
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        raw = f"---\n{text}---\n\n{body}\n"
        return write_article(
            article_id, lang, category=str(front["category"]), raw=raw, commit=commit
        )

    return write


@pytest.fixture
def workshops(write_article: ArticleWriter, articles_dir: Path) -> None:
    write = yaml_writer(write_article)
    write(
        "phishing",
        "en",
        "Workshop: spot phishing",
        "The guide.",
        category="workshops",
        kind="workshop",
        schedule=[
            {"start": iso(-30), "duration_minutes": 90, "place": "Room 2"},
            {
                "start": iso(10),
                "duration_minutes": 90,
                "place": "Room 2",
                "online_url": "https://meet.example.org/phishing",
            },
        ],
        **SCHEDULE_FRONT,
        commit=False,
    )
    write(
        "phishing",
        "ar",
        "ورشة: اكتشف التصيد",
        "الدليل.",
        category="workshops",
        kind="workshop",
        schedule=[{"start": iso(10), "duration_minutes": 90, "place": "القاعة 2"}],
        commit=False,
    )
    write(
        "excel",
        "en",
        "Workshop: spreadsheets",
        "The guide.",
        category="workshops",
        kind="workshop",
        schedule=[
            {"start": iso(3), "duration_minutes": 60, "online_url": "javascript:alert(1)"},
            {"start": "not a date"},
            "garbage",
        ],
        modules="not a list",
        commit=False,
    )
    write(
        "arabic-only",
        "ar",
        "ورشة بالعربية فقط",
        "الدليل.",
        category="workshops",
        kind="workshop",
        schedule=[{"start": iso(5), "duration_minutes": 30, "place": "عن بعد"}],
        commit=False,
    )
    write(
        "not-a-workshop",
        "en",
        "An article",
        "Body.",
        category="general",
        schedule=[{"start": iso(2)}],
    )


def english(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("sanad_locale", "en")
    return client


def test_workshops_page_lists_upcoming_sorted_then_past(workshops: None, app: Flask) -> None:
    app.extensions["sanad"].search.sync()
    page = english(app).get("/workshops").get_data(as_text=True)
    upcoming, past = page.split('id="past-title"', 1)
    # Upcoming in start order: spreadsheets in 3 days, phishing in 10.
    assert upcoming.index("Workshop: spreadsheets") < upcoming.index("Workshop: spot phishing")
    assert 'href="https://meet.example.org/phishing"' in upcoming
    assert "90 minutes" in upcoming
    assert "(UTC+03:00)" in upcoming
    assert "javascript:" not in page
    assert "Workshop: spot phishing" in past.split('id="guides-title"')[0]
    # The Arabic-only guide is reachable, marked with its language.
    assert "ورشة بالعربية فقط" in upcoming
    assert 'lang="ar"' in upcoming
    assert "An article" not in page
    # The translated Arabic phishing guide is not listed twice.
    assert "ورشة: اكتشف التصيد" not in page


def test_workshops_page_in_arabic(workshops: None, app: Flask) -> None:
    app.extensions["sanad"].search.sync()
    client = app.test_client()
    client.set_cookie("sanad_locale", "ar")
    page = client.get("/workshops").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert "ورشة: اكتشف التصيد" in page
    assert "القاعة 2" in page


def test_empty_workshops_page(app: Flask) -> None:
    app.extensions["sanad"].search.sync()
    response = english(app).get("/workshops")
    assert response.status_code == 200
    assert "No session is planned at the moment." in response.get_data(as_text=True)


def test_guide_page_shows_schedule_audience_and_ordered_modules(
    workshops: None, app: Flask
) -> None:
    app.extensions["sanad"].search.sync()
    page = english(app).get("/kb/en/phishing").get_data(as_text=True)
    assert "About this workshop" in page
    assert "For every trainer." in page
    assert page.index("A laptop") < page.index("Your account")
    assert page.index("Warm-up") < page.index("Hands-on")
    assert "Total: 60 minutes" in page
    assert "Join online" in page
    # A plain article gets no workshop block.
    assert "About this workshop" not in english(app).get("/kb/en/not-a-workshop").get_data(
        as_text=True
    )


def test_nav_links_the_workshops_page(app: Flask) -> None:
    app.extensions["sanad"].search.sync()
    assert 'href="/workshops"' in english(app).get("/").get_data(as_text=True)


def test_print_stylesheet_is_linked_for_print_only(app: Flask) -> None:
    app.extensions["sanad"].search.sync()
    page = english(app).get("/workshops").get_data(as_text=True)
    assert 'href="/static/css/print.css?v=' in page
    assert 'media="print"' in page


def test_guide_parsing_is_forgiving() -> None:
    guide = workshop_guide(
        {
            "schedule": [
                {"start": "2027-01-17T10:00:00+03:00", "duration_minutes": "120"},
                {"start": "2027-01-18T10:00:00", "timezone": "Asia/Riyadh"},
                {"start": "2027-01-19T10:00:00", "timezone": "Nowhere/Never"},
                {"start": 12},
                {"start": "2027-01-20T10:00:00+03:00", "duration_minutes": -5},
            ],
            "modules": [{"title": "A", "minutes": True}, "B", {"minutes": 5}],
            "prerequisites": "one line",
            "materials": [None, 3, {"x": 1}],
        }
    )
    assert [s.duration_minutes for s in guide.schedule] == [120, None, None, None]
    assert guide.schedule[1].utc_offset == "UTC+03:00"
    assert guide.schedule[2].utc_offset == "UTC+00:00"
    assert [(m.title, m.minutes) for m in guide.modules] == [("A", None), ("B", None)]
    assert guide.prerequisites == ("one line",)
    assert guide.materials == ("3",)
    assert workshop_guide(None).is_empty
    assert parse_start(dt.datetime(2027, 1, 1)) == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def test_session_under_way_is_still_upcoming() -> None:
    guide = workshop_guide(
        {"schedule": [{"start": "2027-01-17T10:00:00+03:00", "duration_minutes": 60}]}
    )
    during = dt.datetime(2027, 1, 17, 7, 30, tzinfo=dt.UTC)
    after = dt.datetime(2027, 1, 17, 8, 0, tzinfo=dt.UTC)
    assert guide.upcoming(during) == guide.schedule
    assert guide.past(after) == guide.schedule
