"""Search use cases: query, suggest, list, related, rebuild, sync, golden checks.

CONTRACT (owned by portal.search; portal.web and portal.cli code against these signatures):
one ``SearchService`` per application, built by ``create_app`` and shared by every request of
a worker. It is thread-safe and keeps a warm searcher that it refreshes when another process
changes the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from portal.config import Settings
from portal.kb.repository import ArticleRepository
from portal.search.models import (
    ArticleEntry,
    ArticlePage,
    GoldenResult,
    IndexReport,
    SearchQuery,
    SearchResults,
    Visibility,
)

# Notices a SearchResults may carry; the web layer translates them.
NOTICES = {
    "empty": "Type a few words to search.",
    "truncated": "Your search was long, so only its beginning was used.",
    "timed_out": "The search took too long; these results may be incomplete.",
    "syntax": "Some characters in your search were ignored.",
    "fuzzy": "No exact matches; showing close matches instead.",
}


class SearchService:
    """The per-application search engine."""

    def __init__(self, settings: Settings, repository: ArticleRepository) -> None:
        self.settings = settings
        self.repository = repository

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked hits with snippets, facets, suggestion; never raises on user input."""
        raise NotImplementedError

    def suggest(
        self, text: str, lang: str | None = None, limit: int = 5, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Search-as-you-type: titles that match the words typed so far (prefix on the last)."""
        raise NotImplementedError

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
        raise NotImplementedError

    def get_entry(
        self, article_id: str, lang: str | None = None, visibility: Visibility = "public"
    ) -> ArticleEntry | None:
        """The entry for ``article_id`` in ``lang`` (any language when None)."""
        raise NotImplementedError

    def translations(
        self, entry: ArticleEntry, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Other-language versions: same id, or linked either way by ``translation_of``."""
        raise NotImplementedError

    def related(
        self, entry: ArticleEntry, limit: int = 5, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Similar articles in the same language (more-like-this, shared tags, category)."""
        raise NotImplementedError

    def categories(
        self, lang: str | None = None, visibility: Visibility = "public"
    ) -> dict[str, int]:
        """Category slug → number of visible articles."""
        raise NotImplementedError

    def entries(
        self, keys: Sequence[str], visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Entries for ``<lang>/<id>`` keys, in the given order, skipping unknown or hidden."""
        raise NotImplementedError

    def rebuild(self) -> IndexReport:
        """Build a fresh index in a new directory and swap it in atomically."""
        raise NotImplementedError

    def sync(self) -> IndexReport:
        """Apply what changed since the indexed commit; rebuild if the index is missing/corrupt."""
        raise NotImplementedError

    def check_golden(self) -> tuple[GoldenResult, ...]:
        """Run ``articles/_golden.yml`` and report each pinned article's rank."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the searcher and file handles."""
