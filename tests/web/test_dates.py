"""One date format on every page: the site's time zone, ``<time datetime>``, and the Hijri
date beside the Gregorian one in the Arabic interface only."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, render_template_string
from markupsafe import escape

from portal.notify.messages import compose

# 21:30 UTC on 3 December is already 4 December in Riyadh (UTC+3, the default SANAD_TIMEZONE).
LATE_EVENING = dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)


def shown(app: Flask, locale: str, value: object, style: str = "long") -> str:
    cookie = {"Cookie": f"sanad_locale={locale}"}
    with app.test_request_context("/", headers=cookie):
        return render_template_string("{{ moment(value, style) }}", value=value, style=style)


def test_arabic_shows_the_hijri_date_of_the_local_day(app: Flask) -> None:
    html = shown(app, "ar", LATE_EVENING)
    assert html.startswith('<time datetime="2026-12-03T21:30:00+00:00">')
    assert "4 ديسمبر 2026" in html
    assert "12:30:00 ص" in html  # half past midnight, Riyadh time
    assert "(24 جمادى الآخرة 1448)" in html


def test_english_shows_the_gregorian_date_only(app: Flask) -> None:
    html = shown(app, "en", LATE_EVENING)
    assert "December 4, 2026" in html
    assert "جمادى" not in html


def test_a_plain_date_keeps_its_day(app: Flask) -> None:
    assert shown(app, "ar", dt.date(2026, 3, 20)) == (
        '<time datetime="2026-03-20">20 مارس 2026 (1 شوال 1447)</time>'
    )
    assert shown(app, "en", None) == ""


def test_inside_a_sentence_the_time_element_stays_markup(app: Flask) -> None:
    with app.test_request_context("/", headers={"Cookie": "sanad_locale=en"}):
        html = render_template_string(
            '{{ _("Expect a first answer by %(when)s.", when=moment(value)) }}', value=LATE_EVENING
        )
    assert html.startswith('Expect a first answer by <time datetime="2026-12-03T21:30:00+00:00">')


@pytest.mark.parametrize("app_overrides", [{"SANAD_HIJRI_DATES": "false"}], indirect=True)
def test_the_hijri_date_can_be_turned_off(app: Flask) -> None:
    plain = '<time datetime="2026-03-20">20 مارس 2026</time>'
    assert shown(app, "ar", dt.date(2026, 3, 20)) == plain
    assert "شوال" not in shown(app, "ar", LATE_EVENING)


def test_moment_text_is_the_same_words_without_markup(app: Flask) -> None:
    with app.test_request_context("/", headers={"Cookie": "sanad_locale=ar"}):
        html = render_template_string(
            "<option>{{ moment_text(value, 'long') }}</option>", value=LATE_EVENING
        )
    assert html.startswith("<option>4 ديسمبر 2026")
    assert html.endswith("(24 جمادى الآخرة 1448)</option>")
    assert "<time" not in html


def test_a_mail_writes_a_moment_as_the_page_does(app: Flask) -> None:
    zone = app.extensions["sanad"].settings.timezone
    for locale in ("ar", "en"):
        page = shown(app, locale, LATE_EVENING, "full")
        text = page.removeprefix('<time datetime="2026-12-03T21:30:00+00:00">').removesuffix(
            "</time>"
        )
        mail = compose(
            "account_locked",
            locale,
            "a@example.com",
            timezone=zone,
            name="Mona",
            until=LATE_EVENING,
            reset_link="https://help.example.com/auth/forgot",
        )
        assert text in mail.body
        assert escape(text) in (mail.html or "")
