"""The search page: thin over ``SearchService.search``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, render_template, request, url_for

from portal.search.models import SearchQuery, SearchResults, visibility_for
from portal.web.auth.access import current_account
from portal.web.context import services, ui_lang
from portal.web.forms import SearchParams, parse_search
from portal.web.pagination import page_numbers
from portal.web.search.notices import notice_text
from portal.web.trail import record, remember_search

bp = Blueprint("search", __name__, url_prefix="/search")


def run_search(params: SearchParams) -> SearchResults:
    """Search, then record the search as an event: shared by the page and the API."""
    results = services().search.search(
        SearchQuery(
            text=params.q,
            lang=params.lang,
            category=params.category,
            kind=params.kind,
            tag=params.tag,
            page=params.page,
            per_page=params.per_page,
            visibility=visibility_for(current_account()),
            reader_lang=ui_lang(),
        )
    )
    if params.q:
        filters = {k: v for k, v in asdict(params).items() if k not in ("q", "per_page") and v}
        record(
            "search",
            query=params.q,
            lang=ui_lang(),
            hits=results.total,
            data=filters or None,
        )
    return results


@bp.get("")
def index() -> str:
    params = parse_search(request.args, strict=False)
    filtered = any((params.lang, params.category, params.kind, params.tag))
    results = run_search(params) if params.q or filtered else None
    if results is not None and params.q:
        remember_search(params.q, results.total)

    def search_url(**changes: Any) -> str:
        """This search with some parameters changed (a facet toggled, another page)."""
        current = {k: v for k, v in asdict(params).items() if v and k != "per_page"}
        current.pop("page", None)
        current.update(changes)
        return url_for("search.index", **{k: v for k, v in current.items() if v})

    hits = results.hits if results else ()
    categories = services().repository.categories()
    lang = ui_lang()
    return render_template(
        "search/index.html",
        params=params,
        results=results,
        notice=notice_text(results.notice) if results else None,
        search_url=search_url,
        category_names={slug: c.name(lang) for slug, c in categories.items()},
        pages=page_numbers(results.page, results.pages) if results else [],
        strong_hits=[h for n, h in enumerate(hits) if not results.weak(n)] if results else [],
        weak_hits=[h for n, h in enumerate(hits) if results.weak(n)] if results else [],
    )
