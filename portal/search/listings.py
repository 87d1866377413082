"""The index as a catalogue for pages and the API: article lists, one entry, translations,
related and similar articles, category counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from portal.search.answers import AnswerCache
from portal.search.entries import entry, visible
from portal.search.index import Filter, SearchIndex
from portal.search.indexing import Indexer
from portal.search.models import MAX_PER_PAGE, ArticleEntry, ArticlePage, Visibility
from portal.search.similar import similar_entries


class Listings:
    """Everything read from the index by key, filter or likeness rather than by words."""

    def __init__(
        self, index: SearchIndex, answers: AnswerCache, indexer: Indexer, default_locale: str
    ) -> None:
        self.index = index
        self.answers = answers
        self.indexer = indexer
        self.default_locale = default_locale

    def list_articles(
        self,
        lang: str | None = None,
        category: str | None = None,
        kind: str | None = None,
        page: int = 1,
        per_page: int = 20,
        visibility: Visibility = "public",
    ) -> ArticlePage:
        """Visible articles sorted by title; for category pages and the articles API."""
        page = max(1, page)
        per_page = min(MAX_PER_PAGE, max(1, per_page))
        flt = Filter(visibility, lang, category, kind)

        def run() -> ArticlePage:
            total, found = self.index.listing(flt, (page - 1) * per_page, per_page)
            return ArticlePage(total, page, per_page, tuple(entry(f) for f in found))

        return self.indexer.with_index(run)

    def get_entry(
        self, article_id: str, lang: str | None = None, visibility: Visibility = "public"
    ) -> ArticleEntry | None:
        """The entry for ``article_id`` in ``lang`` (any language when None)."""
        terms = {"id": article_id, **({"lang": lang} if lang else {})}
        found = self.indexer.with_index(lambda: self.index.documents(Filter(visibility), **terms))
        if not found:
            return None
        preferred = self.default_locale
        found.sort(key=lambda f: (f.get("lang") != preferred, str(f.get("lang"))))
        return entry(found[0])

    def translations(
        self, article: ArticleEntry, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Other-language versions: same id, or linked either way by ``translation_of``."""
        flt = Filter(visibility)

        def run() -> list[Mapping[str, Any]]:
            ids = [article.id, article.translation_of or ""]
            return self.index.versions(ids, article.lang, flt)

        out: dict[str, ArticleEntry] = {}
        for fields in self.indexer.with_index(run):
            other = entry(fields)
            if other.lang != article.lang:
                out.setdefault(other.key, other)
        return tuple(sorted(out.values(), key=lambda e: e.lang))

    def related(
        self, article: ArticleEntry, limit: int = 5, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Similar articles in the same language (more-like-this, shared tags, category)."""
        flt = Filter(visibility, article.lang)
        limit = min(MAX_PER_PAGE, max(1, limit))

        def run() -> tuple[ArticleEntry, ...]:
            key = ("related", article.key, flt, limit, self.index.token())
            return self.answers.get(
                key,
                lambda: tuple(
                    entry(f)
                    for f in self.index.more_like(
                        article.key, flt, article.tags, article.category, limit
                    )
                ),
            )

        return self.indexer.with_index(run)

    def similar(
        self, text: str, *, lang: str | None = None, limit: int = 5, exclude: str | None = None
    ) -> list[ArticleEntry]:
        """Articles most like ``text`` (see ``portal.search.similar``), best first."""
        return self.indexer.with_index(
            lambda: similar_entries(self.index, text, lang=lang, limit=limit, exclude=exclude)
        )

    def categories(
        self, lang: str | None = None, visibility: Visibility = "public"
    ) -> dict[str, int]:
        """Category slug → number of visible articles."""
        flt = Filter(visibility, lang)
        return self.indexer.with_index(lambda: self.index.counts("category", flt))

    def entries(
        self, keys: Sequence[str], visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Entries for ``<lang>/<id>`` keys, in the given order, skipping unknown or hidden."""

        def run() -> tuple[ArticleEntry, ...]:
            out: list[ArticleEntry] = []
            for key in dict.fromkeys(keys):
                fields = self.index.key_of(str(key))
                if fields is not None and visible(fields, visibility):
                    out.append(entry(fields))
            return tuple(out)

        return self.indexer.with_index(run)
