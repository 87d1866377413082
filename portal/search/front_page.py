"""What the home page lists: the categories that have articles and the most useful articles.

One use case for the home view, so the view opens one session, calls these and renders; no
query runs while the template renders. The view counts come from the usage events
(``portal.events``), the entries from the index.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.events import ViewCount, most_viewed
from portal.kb.repository import ArticleRepository
from portal.search.models import ArticleEntry
from portal.search.services import SearchService

log = logging.getLogger(__name__)

POPULAR_WINDOW: Final = dt.timedelta(days=30)
POPULAR_LIMIT: Final = 6
# Recently updated articles read to pad the list while the portal is new and has few views.
RECENT_POOL: Final = 50
UNSORTED: Final = 1000  # where a category missing from _categories.yml goes in the order


@dataclass(frozen=True)
class CategoryCard:
    slug: str
    name: str
    description: str
    icon: str
    count: int


def category_cards(
    repository: ArticleRepository, search: SearchService, lang: str
) -> tuple[CategoryCard, ...]:
    """Categories that have visible articles, in their configured order."""
    defined = repository.categories()
    in_lang = search.categories(lang=lang)
    anywhere = search.categories()
    cards = []
    for slug, total in anywhere.items():
        if total <= 0:
            continue
        category = defined.get(slug)
        cards.append(
            (
                category.order if category else UNSORTED,
                CategoryCard(
                    slug=slug,
                    name=category.name(lang) if category else slug.replace("-", " ").title(),
                    description=(category.descriptions.get(lang, "") if category else ""),
                    icon=category.icon if category else "",
                    count=in_lang.get(slug) or total,
                ),
            )
        )
    cards.sort(key=lambda pair: (pair[0], pair[1].name))
    return tuple(card for _, card in cards)


def popular_articles(
    session: Session, search: SearchService, lang: str, *, now: dt.datetime
) -> tuple[ArticleEntry, ...]:
    """Most viewed public articles of the last 30 days, in ``lang`` where translated; padded
    with the most recently updated ones. A database failure leaves only the padding: the
    home page must render from the index alone."""
    counts: tuple[ViewCount, ...]
    try:
        counts = most_viewed(session, since=now - POPULAR_WINDOW, limit=POPULAR_LIMIT * 2)
    except SQLAlchemyError:
        log.exception("could not read the view counts")
        counts = ()
    other = "en" if lang == "ar" else "ar"
    keys = [key for c in counts for key in (f"{lang}/{c.article_id}", f"{other}/{c.article_id}")]
    chosen: dict[str, ArticleEntry] = {}
    for entry in search.entries(keys) if keys else ():
        chosen.setdefault(entry.id, entry)
    if len(chosen) < POPULAR_LIMIT:
        recent = search.list_articles(lang=lang, per_page=RECENT_POOL).entries
        oldest = dt.date.min
        for entry in sorted(recent, key=lambda e: e.updated or oldest, reverse=True):
            chosen.setdefault(entry.id, entry)
    return tuple(chosen.values())[:POPULAR_LIMIT]
