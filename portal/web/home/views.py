"""The home page: search box, categories and the most useful articles."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.db import reading, utcnow
from portal.search.front_page import category_cards, popular_articles
from portal.web.context import services, ui_lang

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    lang = ui_lang()
    wired = services()
    with reading(wired.sessions) as db:  # never queues behind writers (SQLite)
        popular = popular_articles(db, wired.search, lang, now=utcnow())
    return render_template(
        "home/index.html",
        categories=category_cards(wired.repository, wired.search, lang),
        popular=popular,
    )
