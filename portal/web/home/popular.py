""" "Most useful articles": the most viewed in a recent window, from the usage events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.events import Event


@dataclass(frozen=True)
class ViewCount:
    article_id: str
    views: int


def most_viewed(session: Session, *, since: dt.datetime, limit: int) -> tuple[ViewCount, ...]:
    """Article ids by number of ``view`` events since ``since``, most viewed first.

    Counted per id across languages, so an article read in Arabic and in English is one
    popular article; the page then shows the version in the reader's language.
    """
    views = func.count(Event.id).label("views")
    rows = session.execute(
        select(Event.article_id, views)
        .where(Event.kind == "view", Event.created_at >= since, Event.article_id.is_not(None))
        .group_by(Event.article_id)
        .order_by(views.desc(), Event.article_id)
        .limit(limit)
    ).all()
    return tuple(ViewCount(article_id=str(row[0]), views=int(row[1])) for row in rows)
