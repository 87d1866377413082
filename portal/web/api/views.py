"""JSON API v1. Names and shapes are a public contract: add keys, never rename or remove."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import asdict, astuple, dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for

from portal.kb.services import open_article
from portal.search.models import ArticleEntry, SearchResults, Visibility, visibility_for
from portal.web.auth.session import signed_in_user
from portal.web.context import services, ui_lang
from portal.web.forms import (
    MAX_QUERY_CHARS,
    SearchParams,
    clean_text,
    parse_lang,
    parse_list,
    parse_search,
)
from portal.web.search.notices import notice_text
from portal.web.search.views import run_search
from portal.web.trail import record

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ARTICLES_PER_PAGE = 20
SUGGESTIONS = 5


def article_url(entry: ArticleEntry) -> str:
    """The article page's path, as ``url_for`` builds it, without a route lookup per hit.

    A search answer links ten articles; building each through the URL map was a quarter of
    a cached API search's time. The pattern comes from ``url_for`` once per request.
    """
    pattern: str | None = g.get("article_url_pattern")
    if pattern is None:
        pattern = (
            url_for("kb.article", lang="{lang}", article_id="{id}")
            .replace("%7B", "{")
            .replace("%7D", "}")
        )
        g.article_url_pattern = pattern
    return pattern.format(lang=quote(entry.lang, safe=""), id=quote(entry.id, safe=""))


@dataclass(frozen=True)
class _Answer:
    body: bytes
    total: int


class _AnswerCache:
    """Whole JSON answers of ``/search``, per worker, keyed by everything they depend on.

    A repeated query was ~0.9 ms of CPU in a worker, mostly building the same JSON (article
    URLs, encoding) again; a hit is one dict lookup. The key holds the normalised parameters,
    the caller's visibility, the interface language (notices are translated), the script root
    (article URLs) and the search generation (index content and synonyms), so an edit, a
    synonym change or a rebuild makes every older answer unreachable, and nobody ever gets an
    answer computed for another visibility.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, _Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: Hashable = None

    def get(self, key: Hashable) -> _Answer | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, generation: Hashable, answer: _Answer) -> None:
        with self._lock:
            if generation != self._generation:  # older answers can never match again
                self._entries.clear()
                self._generation = generation
            self._entries[key] = answer
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ANSWERS_KEY = "sanad.api_answers"  # app.extensions: one cache per application


def answers() -> _AnswerCache:
    cache: _AnswerCache | None = current_app.extensions.get(ANSWERS_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(ANSWERS_KEY, _AnswerCache(4096))
    return cache


def _visibility() -> Visibility:
    """Whose answer this is: internal readers may be shown internal articles, others never."""
    if not request.cookies and "Authorization" not in request.headers:
        return "public"  # no session, no token: anonymous (saves opening the session)
    user = signed_in_user()
    return visibility_for(user.info if user is not None else None)


@bp.get("/search")
def search() -> Response:
    params = parse_search(request.args, strict=True)
    generation = services().search.generation()
    key = (astuple(params), _visibility(), ui_lang(), request.script_root, generation)
    cache = answers()
    found = cache.get(key)
    if found is not None:
        if params.q:  # every search is an event, answered from the cache or not (reports)
            _record_search(params, found.total)
        return Response(found.body, mimetype="application/json")
    results = run_search(params)
    response = _search_json(results)
    cache.put(key, generation, _Answer(response.get_data(), results.total))
    return response


def _record_search(params: SearchParams, total: int) -> None:
    """The ``search`` event exactly as ``run_search`` records it."""
    filters = {k: v for k, v in asdict(params).items() if k not in ("q", "per_page") and v}
    record("search", query=params.q, lang=ui_lang(), hits=total, data=filters or None)


def _search_json(results: SearchResults) -> Response:
    return jsonify(
        {
            "query": results.query,
            "total": results.total,
            "page": results.page,
            "per_page": results.per_page,
            "hits": [
                {
                    "id": hit.entry.id,
                    "lang": hit.entry.lang,
                    "title": hit.entry.title,
                    "category": hit.entry.category,
                    "kind": hit.entry.kind,
                    "url": article_url(hit.entry),
                    "snippet": hit.snippet,
                    "weak": results.weak(position),
                    "translations": [
                        {
                            "id": other.id,
                            "lang": other.lang,
                            "title": other.title,
                            "url": article_url(other),
                        }
                        for other in hit.translations
                    ],
                }
                for position, hit in enumerate(results.hits)
            ],
            "strong_total": results.total if results.strong is None else results.strong,
            "facets": {name: results.facets.get(name, {}) for name in ("category", "kind", "lang")},
            "suggestion": results.suggestion,
            "fuzzy": results.fuzzy,
            "notice": notice_text(results.notice),
            "notice_code": results.notice,
        }
    )


@bp.get("/suggest")
def suggest() -> Response:
    text = clean_text(request.args.get("q"), MAX_QUERY_CHARS)
    entries = (
        services().search.suggest(
            text, limit=SUGGESTIONS, visibility=_visibility(), reader_lang=ui_lang()
        )
        if text
        else ()
    )
    return jsonify(
        [
            {"id": e.id, "title": e.title, "url": article_url(e), "lang": e.lang}
            for e in entries[:SUGGESTIONS]
        ]
    )


@bp.get("/articles")
def articles() -> Response:
    params = parse_list(request.args, strict=True)
    listing = services().search.list_articles(
        lang=params.lang, category=params.category, page=params.page, per_page=ARTICLES_PER_PAGE
    )
    return jsonify(
        {
            "total": listing.total,
            "page": listing.page,
            "per_page": listing.per_page,
            "articles": [
                {
                    "id": e.id,
                    "lang": e.lang,
                    "title": e.title,
                    "category": e.category,
                    "kind": e.kind,
                    "url": article_url(e),
                    "updated": e.updated.isoformat() if e.updated else None,
                }
                for e in listing.entries
            ],
        }
    )


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    lang = parse_lang(request.args, strict=True)
    search_service = services().search
    visibility = _visibility()
    if lang:
        entry = search_service.get_entry(article_id, lang, visibility)
    else:
        entry = search_service.get_entry(
            article_id, ui_lang(), visibility
        ) or search_service.get_entry(article_id, visibility=visibility)
    if entry is None:
        abort(404)
    view = open_article(services().repository, entry.path)
    if not view.article.visible_at(visibility):
        abort(404)
    body: dict[str, Any] = {
        "id": entry.id,
        "lang": entry.lang,
        "title": view.article.title,
        "category": view.article.category,
        "kind": view.article.kind,
        "tags": list(view.article.tags),
        "updated": view.article.updated.isoformat() if view.article.updated else None,
        "url": article_url(entry),
        "html": view.html,
        "toc": [{"level": t.level, "anchor": t.anchor, "title": t.title} for t in view.toc],
        "translations": [
            {"id": t.id, "lang": t.lang, "title": t.title, "url": article_url(t)}
            for t in search_service.translations(entry)
        ],
    }
    return jsonify(body)
