"""A workshop guide's front matter as typed values: schedule, audience, modules.

Pure (no Flask): the Workshops page and the article page's workshop block both read it. The
front matter is written by people, so every field is optional and anything malformed is left
out rather than failing the page (``sanad articles check`` is where authors learn about it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.web.params import whole_number

MAX_MINUTES = 7 * 24 * 60  # a session longer than a week is a typo


@dataclass(frozen=True)
class WorkshopSession:
    """One scheduled session; ``start`` is time-zone aware, in the session's own zone."""

    start: dt.datetime
    duration_minutes: int | None = None
    place: str | None = None
    online_url: str | None = None

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration_minutes or 0)

    def is_past(self, now: dt.datetime) -> bool:
        """Over once it has ended; a session under way still counts as upcoming."""
        return self.end <= now

    @property
    def utc_offset(self) -> str:
        """``UTC+03:00``: the zone the date and time are shown in."""
        offset = self.start.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        return f"UTC{sign}{hours:02d}:{rest:02d}"


@dataclass(frozen=True)
class WorkshopModule:
    title: str
    minutes: int | None = None


@dataclass(frozen=True)
class WorkshopGuide:
    schedule: tuple[WorkshopSession, ...] = ()
    audience_note: str | None = None
    prerequisites: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    modules: tuple[WorkshopModule, ...] = ()

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes or 0 for m in self.modules)

    @property
    def is_empty(self) -> bool:
        return not (
            self.schedule
            or self.audience_note
            or self.prerequisites
            or self.materials
            or self.modules
        )

    def upcoming(self, now: dt.datetime) -> tuple[WorkshopSession, ...]:
        return tuple(sorted((s for s in self.schedule if not s.is_past(now)), key=_start))

    def past(self, now: dt.datetime) -> tuple[WorkshopSession, ...]:
        return tuple(sorted((s for s in self.schedule if s.is_past(now)), key=_start, reverse=True))


def _start(session: WorkshopSession) -> dt.datetime:
    return session.start


def _text(value: Any, limit: int = 2000) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        text = " ".join(str(value).split())[:limit]
        return text or None
    return None


def _minutes(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_MINUTES else None
    return whole_number(value, 1, MAX_MINUTES) if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    text = _text(value, 2000)
    if text is None:
        return None
    parts = urlsplit(text)
    # Only web links: a javascript: or data: "online link" must never become an href.
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def _zone(name: Any) -> dt.tzinfo:
    if isinstance(name, str) and name.strip():
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.UTC


def parse_start(value: Any, timezone: Any = None) -> dt.datetime | None:
    """An ISO date-time (YAML may already have parsed it); a naive one is in ``timezone``
    (an IANA name such as ``Asia/Riyadh``) or UTC."""
    if isinstance(value, dt.datetime):
        start = value
    elif isinstance(value, str):
        try:
            start = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if start.tzinfo is None:
        start = start.replace(tzinfo=_zone(timezone))
    return start


def _session(item: Any) -> WorkshopSession | None:
    if not isinstance(item, Mapping):
        return None
    start = parse_start(item.get("start"), item.get("timezone"))
    if start is None:
        return None
    return WorkshopSession(
        start=start,
        duration_minutes=_minutes(item.get("duration_minutes")),
        place=_text(item.get("place"), 300),
        online_url=_url(item.get("online_url")),
    )


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence):
        return ()
    return tuple(t for t in (_text(v) for v in value) if t)


def _module(item: Any) -> WorkshopModule | None:
    if isinstance(item, str):
        title = _text(item, 300)
        return WorkshopModule(title) if title else None
    if not isinstance(item, Mapping):
        return None
    title = _text(item.get("title"), 300)
    return WorkshopModule(title, _minutes(item.get("minutes"))) if title else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def workshop_guide(extra: Mapping[str, Any] | None) -> WorkshopGuide:
    """The workshop fields of an article's extra front matter (``Article.extra``)."""
    extra = extra or {}
    schedule = (_session(item) for item in _list(extra.get("schedule")))
    modules = (_module(item) for item in _list(extra.get("modules")))
    return WorkshopGuide(
        schedule=tuple(s for s in schedule if s is not None),
        audience_note=_text(extra.get("audience_note")),
        prerequisites=_texts(extra.get("prerequisites")),
        materials=_texts(extra.get("materials")),
        modules=tuple(m for m in modules if m is not None),
    )
