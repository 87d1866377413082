"""The Workshops page: every session of every workshop guide, upcoming first.

The catalogue (which guides exist, their titles and links) comes from the search index like
every listing; the schedule is extra front matter the index does not hold, so each guide's
file is read (there are a handful, and the repository caches nothing we would miss).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_time
from flask import Blueprint, render_template
from flask_babel import get_locale

from portal.db import utcnow
from portal.kb.models import Article, KbError
from portal.search.models import ArticleEntry, Visibility, visibility_for
from portal.web.auth.access import current_account
from portal.web.context import services, ui_lang
from portal.web.kb.views import untranslated
from portal.web.workshops.guide import WorkshopGuide, WorkshopSession, workshop_guide

bp = Blueprint("workshops", __name__, url_prefix="/workshops")

KIND = "workshop"
PAGE_SIZE = 50
MAX_PAGES = 20


@dataclass(frozen=True)
class ScheduledSession:
    """One session of one guide, as the Workshops page lists it."""

    entry: ArticleEntry
    session: WorkshopSession


@dataclass(frozen=True)
class SessionTimes:
    """A session's date and times in the interface language and the session's own zone."""

    date: str
    start: str
    end: str | None
    zone: str

    @property
    def span(self) -> str:
        """``10:00–11:30``, or the start alone when the length is unknown."""
        return f"{self.start}–{self.end}" if self.end else self.start


def _visibility() -> Visibility:
    return visibility_for(current_account())


def _entries(lang: str, visibility: Visibility) -> list[ArticleEntry]:
    search = services().search
    entries: list[ArticleEntry] = []
    for page in range(1, MAX_PAGES + 1):
        listing = search.list_articles(
            lang=lang, kind=KIND, page=page, per_page=PAGE_SIZE, visibility=visibility
        )
        entries.extend(listing.entries)
        if len(entries) >= listing.total or not listing.entries:
            break
    return entries


def _guide(entry: ArticleEntry) -> WorkshopGuide | None:
    try:
        article = services().repository.load(entry.path)
    except KbError:
        return None  # a broken or vanished file: `sanad articles check` reports it
    return workshop_guide(article.extra)


def _sessions(
    entries: list[ArticleEntry], now: dt.datetime
) -> tuple[list[ScheduledSession], list[ScheduledSession]]:
    upcoming: list[ScheduledSession] = []
    past: list[ScheduledSession] = []
    for entry in entries:
        guide = _guide(entry)
        if guide is None:
            continue
        upcoming += [ScheduledSession(entry, s) for s in guide.upcoming(now)]
        past += [ScheduledSession(entry, s) for s in guide.past(now)]
    upcoming.sort(key=lambda item: (item.session.start, item.entry.title))
    past.sort(key=lambda item: (item.session.start, item.entry.title), reverse=True)
    return upcoming, past


@bp.get("")
def index() -> str:
    now = utcnow()
    lang = ui_lang()
    other = "en" if lang == "ar" else "ar"
    visibility = _visibility()
    mine = _entries(lang, visibility)
    # Guides that exist only in the other language are listed too, marked with their language.
    theirs = untranslated(_entries(other, visibility), mine)
    upcoming, past = _sessions(mine, now)
    other_upcoming, other_past = _sessions(theirs, now)
    return render_template(
        "workshops/index.html",
        upcoming=upcoming,
        past=past,
        other_upcoming=other_upcoming,
        other_past=other_past,
        other_guides=theirs,
        guides=mine,
    )


# --- template globals: the article page's workshop block uses them too ------------------------


@bp.app_template_global()
def workshop_guide_of(article: Article) -> WorkshopGuide:
    """The workshop fields of an article loaded from its file."""
    return workshop_guide(article.extra)


@bp.app_template_global()
def session_times(session: WorkshopSession) -> SessionTimes:
    """Date and times in the interface language, in the session's own time zone."""
    locale: Any = get_locale() or ui_lang()
    start = session.start
    end = session.end if session.duration_minutes else None
    return SessionTimes(
        date=format_date(start, "full", locale=locale),
        start=format_time(start, "short", tzinfo=start.tzinfo, locale=locale),
        end=format_time(end, "short", tzinfo=end.tzinfo, locale=locale) if end else None,
        zone=session.utc_offset,
    )


@bp.app_template_global()
def workshop_now() -> dt.datetime:
    return utcnow()
