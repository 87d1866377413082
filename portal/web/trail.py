"""The visitor's self-service trail and usage events.

The trail (recent searches and viewed articles) lives in the signed session cookie, so the
"Still need help?" ticket form can show what the person already tried without asking again.
Events go to the database for the deflection reports; recording one must never break a page.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from flask import request, session

from portal.db import transaction, utcnow
from portal.events import active_buffer, record_event
from portal.web.context import services

log = logging.getLogger(__name__)

VISITOR_KEY = "visitor"
TRAIL_KEY = "trail"
TRAIL_LIMIT = 20  # entries of each kind, newest last
# The session is a cookie, and browsers drop cookies over 4 KB: the trail keeps at most this
# many bytes of JSON (oldest entries go first). Arabic text is stored \\u-escaped, 6 bytes a letter.
TRAIL_BUDGET_BYTES = 1800
TEXT_LIMIT = 120  # characters kept of a query or title


@dataclass(frozen=True)
class TrailSearch:
    query: str
    hits: int
    at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class TrailView:
    key: str  # "<lang>/<id>"
    title: str
    at: str


@dataclass(frozen=True)
class Trail:
    """What this visitor tried, oldest first."""

    searches: tuple[TrailSearch, ...] = ()
    views: tuple[TrailView, ...] = ()


def visitor_id() -> str:
    """The anonymous, random id of this browser, created on first use."""
    visitor = session.get(VISITOR_KEY)
    if not isinstance(visitor, str) or not visitor:
        visitor = secrets.token_urlsafe(16)
        session[VISITOR_KEY] = visitor
    return visitor


def _now() -> str:
    return utcnow().replace(microsecond=0).isoformat()


def _entries(raw: Any, kind: type[TrailSearch] | type[TrailView]) -> list[Any]:
    """Rebuild entries from the cookie, dropping anything malformed (the cookie is signed,
    but an old release may have stored another shape)."""
    entries: list[Any] = []
    if isinstance(raw, list):
        for item in raw:
            try:
                entries.append(kind(**item))
            except TypeError:
                continue
    return entries


def current_trail() -> Trail:
    """The trail stored in this visitor's session."""
    raw = session.get(TRAIL_KEY)
    if not isinstance(raw, dict):
        return Trail()
    return Trail(
        searches=tuple(_entries(raw.get("searches"), TrailSearch)),
        views=tuple(_entries(raw.get("views"), TrailView)),
    )


def _store(searches: list[TrailSearch], views: list[TrailView]) -> None:
    searches = searches[-TRAIL_LIMIT:]
    views = views[-TRAIL_LIMIT:]

    def encoded() -> dict[str, list[dict[str, Any]]]:
        return {
            "searches": [asdict(s) for s in searches],
            "views": [asdict(v) for v in views],
        }

    data = encoded()
    while len(json.dumps(data)) > TRAIL_BUDGET_BYTES and (searches or views):
        # Drop the older of the two oldest entries.
        if searches and (not views or searches[0].at <= views[0].at):
            searches.pop(0)
        else:
            views.pop(0)
        data = encoded()
    session[TRAIL_KEY] = data


def remember_search(query: str, hits: int) -> None:
    """Add a search to the trail; repeating the latest search only refreshes it."""
    query = query.strip()[:TEXT_LIMIT]
    if not query:
        return
    trail = current_trail()
    searches = [s for s in trail.searches if s.query != query]
    searches.append(TrailSearch(query=query, hits=hits, at=_now()))
    _store(searches, list(trail.views))


def remember_view(key: str, title: str) -> None:
    """Add an article to the trail; viewing it again moves it to the end."""
    trail = current_trail()
    views = [v for v in trail.views if v.key != key]
    views.append(TrailView(key=key, title=title[:TEXT_LIMIT], at=_now()))
    _store(list(trail.searches), views)


def _event_visitor() -> str | None:
    """The visitor id for an event; an API request without one gets none.

    API clients rarely keep cookies, so giving each request a new id would only cost a signed
    ``Set-Cookie`` per response and count every call as a new visitor. A browser's calls
    (search-as-you-type) carry the cookie, so their id is still used.
    """
    if request.blueprint == "api":
        visitor = session.get(VISITOR_KEY)
        return visitor if isinstance(visitor, str) and visitor else None
    return visitor_id()


def record(kind: str, **fields: Any) -> None:
    """Record one usage event; failures are logged, not raised.

    Under ``sanad serve`` the worker's ``EventBuffer`` writes events in batches (at most a
    second late); otherwise each event is its own short transaction.
    """
    try:
        visitor = _event_visitor()
        buffer = active_buffer()
        if buffer is not None:
            buffer.add(services().sessions, kind, visitor=visitor, **fields)
            return
        with transaction(services().sessions) as db:
            record_event(db, kind, visitor=visitor, **fields)
    except Exception:
        log.exception("could not record a %s event", kind)
