"""The home page: search box, categories and the most useful articles."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import Blueprint, render_template

from portal.search.models import ArticleEntry
from portal.web.context import services, ui_lang
from portal.web.home.popular import most_viewed

log = logging.getLogger(__name__)

bp = Blueprint("home", __name__)

POPULAR_WINDOW = dt.timedelta(days=30)
POPULAR_LIMIT = 6


@dataclass(frozen=True)
class CategoryCard:
    slug: str
    name: str
    description: str
    icon: str
    count: int


def category_cards(lang: str) -> tuple[CategoryCard, ...]:
    """Categories that have visible articles, in their configured order."""
    wired = services()
    defined = wired.repository.categories()
    in_lang = wired.search.categories(lang=lang)
    anywhere = wired.search.categories()
    cards = []
    for slug, total in anywhere.items():
        if total <= 0:
            continue
        category = defined.get(slug)
        cards.append(
            (
                category.order if category else 1000,
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


def popular_entries(lang: str) -> tuple[ArticleEntry, ...]:
    """Most viewed articles of the last 30 days, in ``lang`` where translated; padded with
    the most recently updated ones while the portal is new and has few views."""
    wired = services()
    since = dt.datetime.now(dt.UTC) - POPULAR_WINDOW
    try:
        with wired.sessions() as db:
            counts = most_viewed(db, since=since, limit=POPULAR_LIMIT * 2)
    except Exception:
        log.exception("could not read the view counts")
        counts = ()
    other = "en" if lang == "ar" else "ar"
    keys = [key for c in counts for key in (f"{lang}/{c.article_id}", f"{other}/{c.article_id}")]
    chosen: dict[str, ArticleEntry] = {}
    for entry in wired.search.entries(keys) if keys else ():
        chosen.setdefault(entry.id, entry)
    if len(chosen) < POPULAR_LIMIT:
        recent = wired.search.list_articles(lang=lang, per_page=50).entries
        oldest = dt.date.min
        for entry in sorted(recent, key=lambda e: e.updated or oldest, reverse=True):
            chosen.setdefault(entry.id, entry)
    return tuple(chosen.values())[:POPULAR_LIMIT]


@bp.get("/")
def index() -> str:
    lang = ui_lang()
    return render_template(
        "home/index.html", categories=category_cards(lang), popular=popular_entries(lang)
    )
