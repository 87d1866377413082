"""The search service: one object per application for every search use case.

CONTRACT (owned by portal.search; portal.web and portal.cli code against these signatures):
one ``SearchService`` per application, built by ``create_app`` and shared by every request of
a worker. It is thread-safe and keeps a warm searcher that it refreshes when another process
changes the index.

Each use case lives in its own module and is reached through a method here:

- ``querying``: full-text search (ranking, snippets, "did you mean", fuzzy, browsing by tag);
- ``suggestions``: suggest-as-you-type;
- ``listings``: article lists, one entry, translations, related and similar articles;
- ``indexing``: rebuild, sync from git, and rebuilding on its own when the index is broken;
- ``golden``: the golden queries of ``articles/_golden.yml``.

Shared by them: ``answers`` (the answer cache), ``synonyms`` (``_synonyms.yml``),
``entries`` (article ↔ index document ↔ ``ArticleEntry``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Final

from portal.config import Settings
from portal.kb.repository import ArticleRepository
from portal.search import golden
from portal.search.answers import AnswerCache
from portal.search.index import Ranking, SearchIndex
from portal.search.indexing import Indexer
from portal.search.learned import LearnedStore
from portal.search.listings import Listings
from portal.search.models import (
    ArticleEntry,
    ArticlePage,
    GoldenResult,
    IndexReport,
    SearchQuery,
    SearchResults,
    Visibility,
)
from portal.search.querying import Searching
from portal.search.suggestions import Suggestions
from portal.search.synonyms import SynonymsFile

# Whole answers kept per worker (searches, suggestions, related lists).
CACHE_SIZE: Final = 4096
# How the top of a ranking is refined (docs/search.md: what bench/quality.py measured).
RANKING: Final = Ranking(coverage=1.0, tail=0.3)


class SearchService:
    """The per-application search engine."""

    def __init__(
        self,
        settings: Settings,
        repository: ArticleRepository,
        ranking: Ranking = RANKING,
        learned: LearnedStore | None = None,
    ) -> None:
        self.settings = settings
        self.repository = repository
        self.ranking = ranking
        self._index = SearchIndex(settings.index_dir, settings.search.time_limit)
        self._answers = AnswerCache(CACHE_SIZE)
        self._golden_cache: tuple[Hashable, tuple[GoldenResult, ...]] | None = None
        self._synonyms = SynonymsFile(repository)
        self._indexer = Indexer(self._index, repository, self._answers)
        self._listings = Listings(
            self._index, self._answers, self._indexer, settings.default_locale
        )
        self._searching = Searching(
            settings.search,
            self._index,
            ranking,
            self._answers,
            self._synonyms,
            self._indexer,
            self._listings.translations,
            learned,
        )
        self._suggestions = Suggestions(
            settings.search, self._index, self._answers, self._indexer, self._searching.search
        )

    @property
    def learned(self) -> LearnedStore | None:
        """What was learned from use (docs/search.md); None: nothing is blended."""
        return self._searching.learned

    @learned.setter
    def learned(self, store: LearnedStore | None) -> None:
        self._searching.learned = store

    # --- searching (querying.py, suggestions.py) ---------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked hits with snippets, facets, suggestion; never raises on user input."""
        return self._searching.search(query)

    def suggest(
        self,
        text: str,
        lang: str | None = None,
        limit: int = 5,
        visibility: Visibility = "public",
        reader_lang: str | None = None,
    ) -> tuple[ArticleEntry, ...]:
        """Search-as-you-type: matching titles, or a whole sentence's strong hits."""
        return self._suggestions.suggest(text, lang, limit, visibility, reader_lang)

    def generation(self) -> Hashable:
        """Changes whenever a search could answer differently: the index content or synonyms.

        For callers caching whole answers (the JSON API); checked like the result cache.
        """
        return self._indexer.with_index(lambda: (self._index.token(), self._synonyms.current()[1]))

    def clear_answers(self) -> None:
        """Forget every cached answer (benchmarks measuring the engine, not the cache)."""
        self._answers.clear()

    # --- listings (listings.py) ----------------------------------------------------------

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
        return self._listings.list_articles(lang, category, kind, page, per_page, visibility)

    def get_entry(
        self, article_id: str, lang: str | None = None, visibility: Visibility = "public"
    ) -> ArticleEntry | None:
        """The entry for ``article_id`` in ``lang`` (any language when None)."""
        return self._listings.get_entry(article_id, lang, visibility)

    def translations(
        self, entry: ArticleEntry, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Other-language versions: same id, or linked either way by ``translation_of``."""
        return self._listings.translations(entry, visibility)

    def related(
        self, entry: ArticleEntry, limit: int = 5, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Similar articles in the same language (more-like-this, shared tags, category)."""
        return self._listings.related(entry, limit, visibility)

    def similar(
        self, text: str, *, lang: str | None = None, limit: int = 5, exclude: str | None = None
    ) -> list[ArticleEntry]:
        """Articles most like ``text`` (Whoosh more-like-this over the body), best first.

        Used before a ticket is promoted to a draft, so duplicates are avoided; every article
        is a candidate whatever its status. ``exclude`` is an article key (``lang/id``).
        """
        return self._listings.similar(text, lang=lang, limit=limit, exclude=exclude)

    def categories(
        self, lang: str | None = None, visibility: Visibility = "public"
    ) -> dict[str, int]:
        """Category slug → number of visible articles."""
        return self._listings.categories(lang, visibility)

    def entries(
        self, keys: Sequence[str], visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Entries for ``<lang>/<id>`` keys, in the given order, skipping unknown or hidden."""
        return self._listings.entries(keys, visibility)

    # --- indexing (indexing.py) and golden queries (golden.py) -------------------------------

    def rebuild(self) -> IndexReport:
        """Build a fresh index in a new directory and swap it in atomically."""
        return self._indexer.rebuild()

    def sync(self) -> IndexReport:
        """Apply what changed since the indexed commit; rebuild if the index is missing/corrupt."""
        return self._indexer.sync()

    def check_golden(self) -> tuple[GoldenResult, ...]:
        """Run ``articles/_golden.yml`` and report each pinned article's rank.

        Remembered for the index generation it ran on: publishing asks before and after its
        change, and the "before" of one publish is the "after" of the last, so a publish runs
        the queries once instead of twice."""
        key = (self.generation(), self.repository.read_data_token(golden.GOLDEN_FILE))
        cached = self._golden_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        results = golden.check_golden(self.repository, self.search)
        self._golden_cache = (key, results)
        return results

    def close(self) -> None:
        """Release the searcher and file handles, and wait for a running refresh of what was
        learned (it holds a database connection)."""
        if self.learned is not None:
            self.learned.close()
        self._index.close()
        self._answers.clear()
