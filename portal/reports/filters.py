"""The one filter every report takes, parsed from query parameters (``parse_filter``).

Dates are days on the site's calendar (its time zone), both ends included; a report turns
them into UTC instants with :meth:`ReportFilter.bounds`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from portal.reports.errors import BadFilter
from portal.tickets.states import CHANNELS, PRIORITIES

DEFAULT_DAYS = 30
MAX_DAYS = 2 * 366
DEFAULT_HOURS = 24
MAX_HOURS = 30 * 24
LANGUAGES = ("ar", "en")
MAX_TEXT = 100
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Query parameters a report reads; everything else (format, table, page...) is the caller's.
PARAMETERS = (
    "from",
    "to",
    "team",
    "agent",
    "category",
    "channel",
    "priority",
    "language",
    "hours",
)


@dataclass(frozen=True)
class ReportFilter:
    """Which tickets and events a report counts (None: any)."""

    start: dt.date
    end: dt.date
    team: str | None = None
    agent: int | None = None
    category: str | None = None
    channel: str | None = None
    priority: str | None = None
    language: str | None = None
    # "No ticket within N hours": how long after a search a ticket still counts as following it.
    hours: int = DEFAULT_HOURS

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, instant after the last day) in UTC."""
        tz = ZoneInfo(timezone)
        first = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_params(self) -> dict[str, str]:
        """The filter as query parameters (the ones that differ from "any")."""
        out: dict[str, str] = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key, value in asdict(self).items():
            if key in ("start", "end") or value is None:
                continue
            if key == "hours" and value == DEFAULT_HOURS:
                continue
            out[key] = str(value)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "team": self.team,
            "agent": self.agent,
            "category": self.category,
            "channel": self.channel,
            "priority": self.priority,
            "language": self.language,
            "hours": self.hours,
        }


def _date(field: str, raw: str) -> dt.date:
    """A day written YYYY-MM-DD from FIRST_DAY to LAST_DAY. Year 1 or 9999 used to reach
    ``bounds()``, whose shift to UTC or to the next day left the calendar (a 500)."""
    text = raw.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadFilter(field, f"{raw!r} is not a date written YYYY-MM-DD.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadFilter(
            field, f"Choose a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}."
        )
    return day


def _text(field: str, raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        raise BadFilter(field, f"Give at most {MAX_TEXT} printable characters.")
    return value


def _choice(field: str, raw: str | None, choices: tuple[str, ...]) -> str | None:
    value = _text(field, raw)
    if value is not None and value not in choices:
        raise BadFilter(field, f"{value!r} is not one of: {', '.join(choices)}.")
    return value


def _whole(field: str, raw: str | None, low: int, high: int) -> int | None:
    value = _text(field, raw)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise BadFilter(field, f"{value!r} is not a whole number from {low} to {high}.")
    return int(value)


def parse_filter(params: Mapping[str, str], *, today: dt.date) -> ReportFilter:
    """The filter from query parameters; ``today`` is the site's date (the default range is
    the last ``DEFAULT_DAYS`` days up to it). Raises ``BadFilter`` naming the parameter."""
    raw_end = _text("to", params.get("to"))
    raw_start = _text("from", params.get("from"))
    end = _date("to", raw_end) if raw_end else today
    start = _date("from", raw_start) if raw_start else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise BadFilter("from", "The first day comes on or before the last day ('to').")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadFilter("from", f"Choose at most {MAX_DAYS} days.")
    return ReportFilter(
        start=start,
        end=end,
        team=_text("team", params.get("team")),
        agent=_whole("agent", params.get("agent"), 1, 2**63 - 1),
        category=_text("category", params.get("category")),
        channel=_choice("channel", params.get("channel"), CHANNELS),
        priority=_choice("priority", params.get("priority"), PRIORITIES),
        language=_choice("language", params.get("language"), LANGUAGES),
        hours=_whole("hours", params.get("hours"), 1, MAX_HOURS) or DEFAULT_HOURS,
    )
