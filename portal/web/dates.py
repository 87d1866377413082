"""One way to show a date or a moment on every page: ``moment(value)`` in templates.

The text is ``portal.dates.moment_text`` (the mails use it too): the site's time zone
(``SANAD_TIMEZONE``, Flask-Babel's default time zone), the reader's language, the Hijri date
beside the Gregorian one in Arabic; the pages put it inside ``<time datetime="...">``."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from portal.dates import moment_text


def moment(value: dt.datetime | dt.date | None, style: str = "medium") -> Markup:
    """``<time>`` for ``value`` (empty for None): a datetime in the site's time zone, a date as
    it is; ``style`` is Babel's (short, medium, long)."""
    if value is None:
        return Markup("")
    locale = str(get_locale() or "ar")
    shown = moment_text(value, locale, get_timezone(), style)
    stamp: dt.date = value
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        stamp = value.replace(tzinfo=dt.UTC)
    return Markup('<time datetime="{}">{}</time>').format(escape(stamp.isoformat()), escape(shown))


def init_dates(app: Flask) -> None:
    app.add_template_global(moment)
