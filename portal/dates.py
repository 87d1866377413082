"""How Sanad writes a moment or a day for people, on the pages and in the mails alike.

In the site's time zone (``SANAD_TIMEZONE``), in the reader's language (Babel's date formats,
``style`` short/medium/long/full); Arabic adds the Hijri (Umm al-Qura) date of the local day
beside the Gregorian one, e.g. "4 ديسمبر 2026 (13 جمادى الآخرة 1448)". ``portal.web.dates``
wraps it in ``<time>`` for the pages; ``portal.notify.templating`` calls it for the mails.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from hijridate import Gregorian

# The months of the Umm al-Qura calendar, as written in Arabic.
HIJRI_MONTHS = (
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
)  # fmt: skip


def hijri_text(day: dt.date, locale: str) -> str:
    """``day`` in the Hijri calendar, digits as the locale writes them; "" for a day beyond
    the Umm al-Qura tables (1924-2077), which raised and made the Arabic page a 500."""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""

    def number(value: int) -> str:
        return format_decimal(value, format="0", locale=locale)

    return f"{number(hijri.day)} {HIJRI_MONTHS[hijri.month - 1]} {number(hijri.year)}"


def moment_text(
    value: dt.datetime | dt.date,
    locale: str,
    zone: dt.tzinfo | str,
    style: str = "medium",
    *,
    hijri: bool = True,
) -> str:
    """``value`` as people read it: a datetime (naive means UTC) in ``zone``, a date as it is;
    ``hijri`` (``SANAD_HIJRI_DATES``) adds the Hijri date in Arabic."""
    if isinstance(value, dt.datetime):
        tz = ZoneInfo(zone) if isinstance(zone, str) else zone
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        local = aware.astimezone(tz)
        shown = format_datetime(local, style, locale=locale)
        local_day = local.date()
    else:
        shown = format_date(value, style, locale=locale)
        local_day = value
    if hijri and locale.startswith("ar") and (other := hijri_text(local_day, locale)):
        shown = f"{shown} ({other})"
    return shown
