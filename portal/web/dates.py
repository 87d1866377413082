"""One way to show a date or a moment on every page: ``moment(value)`` in templates.

The text is ``portal.dates.moment_text`` (the mails use it too): the site's time zone
(``SANAD_TIMEZONE``, Flask-Babel's default time zone), the reader's language, the Hijri date
beside the Gregorian one in Arabic unless ``SANAD_HIJRI_DATES`` is off; the pages put it inside
``<time datetime="...">``. ``moment_text`` (the template global) is the same words without the
element, for places that take no markup (an ``<option>``, a ``title``)."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from portal.dates import moment_text as words_of


def _words(value: dt.datetime | dt.date, style: str) -> str:
    locale = str(get_locale() or "ar")
    hijri = bool(current_app.extensions["sanad"].settings.web.hijri_dates)
    return words_of(value, locale, get_timezone(), style, hijri=hijri)


def moment(value: dt.datetime | dt.date | None, style: str = "medium") -> Markup:
    """``<time>`` for ``value`` (empty for None): a datetime in the site's time zone, a date as
    it is; ``style`` is Babel's (short, medium, long)."""
    if value is None:
        return Markup("")
    shown = _words(value, style)
    stamp: dt.date = value
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        stamp = value.replace(tzinfo=dt.UTC)
    return Markup('<time datetime="{}">{}</time>').format(escape(stamp.isoformat()), escape(shown))


def moment_text(value: dt.datetime | dt.date | None, style: str = "medium") -> str:
    """The words of ``moment`` alone, for an ``<option>`` or an attribute (autoescaped there)."""
    return "" if value is None else _words(value, style)


def init_dates(app: Flask) -> None:
    app.add_template_global(moment)
    app.add_template_global(moment_text)
