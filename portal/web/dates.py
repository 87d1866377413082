"""One way to show a date or a moment on every page: ``moment(value)`` in templates.

In the site's time zone (``SANAD_TIMEZONE``, Flask-Babel's default time zone), in the reader's
language, inside ``<time datetime="...">``; the Arabic interface adds the Hijri (Umm al-Qura)
date beside the Gregorian one, e.g. "4 ديسمبر 2026 (13 جمادى الآخرة 1448)"."""

from __future__ import annotations

import datetime as dt

from babel.numbers import format_decimal
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone
from markupsafe import Markup, escape

from portal.sla.calendar import gregorian_to_hijri

# The months of the Umm al-Qura calendar, as written in Arabic.
HIJRI_MONTHS = (
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
)  # fmt: skip


def hijri_text(day: dt.date, locale: str) -> str:
    """``day`` in the Hijri calendar, digits as the locale writes them; "" for a day beyond
    the Umm al-Qura tables (1924-2077), which raised and made the Arabic page a 500."""
    try:
        year, month, date = gregorian_to_hijri(day)
    except (OverflowError, ValueError):
        return ""

    def number(value: int) -> str:
        return format_decimal(value, format="0", locale=locale)

    return f"{number(date)} {HIJRI_MONTHS[month - 1]} {number(year)}"


def moment(value: dt.datetime | dt.date | None, style: str = "medium") -> Markup:
    """``<time>`` for ``value`` (empty for None): a datetime in the site's time zone, a date as
    it is; ``style`` is Babel's (short, medium, long)."""
    if value is None:
        return Markup("")
    locale = str(get_locale() or "ar")
    if isinstance(value, dt.datetime):
        shown = format_datetime(value, style)
        local_day = to_user_timezone(value).date()
        stamp: dt.date = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        shown = format_date(value, style)
        local_day = value
        stamp = value
    hijri = hijri_text(local_day, locale) if locale.startswith("ar") else ""
    if hijri:
        shown = f"{shown} ({hijri})"
    return Markup('<time datetime="{}">{}</time>').format(escape(stamp.isoformat()), escape(shown))


def init_dates(app: Flask) -> None:
    app.add_template_global(moment)
