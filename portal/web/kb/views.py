"""Category and article pages: thin over the search catalogue and ``kb.services.open_article``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from portal.config import LOCALES
from portal.db import reading
from portal.kb.services import open_article
from portal.search.models import ArticleEntry, visibility_for
from portal.tickets.impact import resolved_count
from portal.web.auth.access import current_account
from portal.web.context import services, ui_lang
from portal.web.forms import parse_list
from portal.web.outage import optional
from portal.web.pagination import page_numbers
from portal.web.trail import record, remember_view

bp = Blueprint("kb", __name__, url_prefix="/kb")

PER_PAGE = 20
LIST_PAGE_SIZE = 50
LIST_MAX_PAGES = 20
RELATED = 5


def all_entries(lang: str, category: str) -> list[ArticleEntry]:
    """Every visible entry of a category in one language (bounded), for cross-language checks."""
    search = services().search
    entries: list[ArticleEntry] = []
    for page in range(1, LIST_MAX_PAGES + 1):
        listing = search.list_articles(
            lang=lang, category=category, page=page, per_page=LIST_PAGE_SIZE
        )
        entries.extend(listing.entries)
        if len(entries) >= listing.total or not listing.entries:
            break
    return entries


def untranslated(others: list[ArticleEntry], mine: list[ArticleEntry]) -> list[ArticleEntry]:
    """Entries of ``others`` that have no version among ``mine`` (same id or translation_of)."""
    linked = {e.id for e in mine} | {e.translation_of for e in mine if e.translation_of}
    return [e for e in others if e.id not in linked and e.translation_of not in linked]


@bp.get("/category/<slug>")
def category(slug: str) -> str:
    params = parse_list(request.args, strict=False)
    lang = ui_lang()
    other = "en" if lang == "ar" else "ar"
    wired = services()
    defined = wired.repository.categories().get(slug)
    listing = wired.search.list_articles(
        lang=lang, category=slug, page=params.page, per_page=PER_PAGE
    )
    others: list[ArticleEntry] = []
    if listing.page * PER_PAGE >= listing.total:
        # The last page lists what exists only in the other language, so nothing is hidden.
        mine = all_entries(lang, slug) if listing.total > PER_PAGE else list(listing.entries)
        others = untranslated(all_entries(other, slug), mine)
    if defined is None and listing.total == 0 and not others:
        abort(404)
    last_page = max(1, -(-listing.total // PER_PAGE))

    def page_url(page: int) -> str:
        return url_for("kb.category", slug=slug, page=page)

    return render_template(
        "kb/category.html",
        slug=slug,
        page_numbers=page_numbers(listing.page, last_page),
        page_url=page_url,
        name=defined.name(lang) if defined else slug,
        description=defined.descriptions.get(lang, "") if defined else "",
        listing=listing,
        others=others,
    )


@bp.get("/<lang>/<article_id>")
def article(lang: str, article_id: str) -> str:
    if lang not in LOCALES:
        abort(404)
    wired = services()
    visibility = visibility_for(current_account())
    entry = wired.search.get_entry(article_id, lang, visibility)
    if entry is None:
        abort(404)
    view = open_article(wired.repository, entry.path)
    # The index could lag behind a file just edited: the file has the last word on visibility.
    if not view.article.visible_at(visibility) or (view.article.id, view.article.lang) != (
        article_id,
        lang,
    ):
        abort(404)
    record("view", lang=lang, article_id=article_id)
    remember_view(entry.key, view.article.title)
    ui = ui_lang()
    category = wired.repository.categories().get(view.article.category)
    translations = wired.search.translations(entry, visibility)
    # Never suggest the article itself or its own translations as "related".
    own = {entry.key, *(t.key for t in translations)}
    related = [
        e
        for e in wired.search.related(entry, limit=RELATED + 2, visibility=visibility)
        if e.key not in own
    ]
    resolved_tickets = optional(lambda: _resolved(article_id), 0)  # the page stands without it
    return render_template(
        "kb/article.html",
        view=view,
        entry=entry,
        category_name=category.name(ui) if category else view.article.category,
        translations=translations,
        related=related[:RELATED],
        resolved_tickets=resolved_tickets,
    )


def _resolved(article_id: str) -> int:
    with reading(services().sessions) as session:
        return resolved_count(session, article_id)
