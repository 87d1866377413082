"""The warm searcher: one open Whoosh searcher per index directory, refreshed on change.

Readers keep one warm searcher and check at most every ``REFRESH_SECONDS`` whether
``current`` points elsewhere or the generation grew, so an edit made by any process is
searchable in well under a second. Everything worth keeping between queries (filter sets,
facet sets, word scores, spelling corrections, stored fields) lives in ``SearcherCaches``
and is dropped with the searcher it was read from.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from whoosh import collectors, query
from whoosh.searching import Searcher

from portal.search.index.generations import Generations, IndexCorrupt, open_index
from portal.search.index.results import Filter
from portal.search.index.schema import FACETS
from portal.search.index.scoring import SCORE_CACHE_ENTRIES, ScoreCache
from portal.search.models import SearchError

if TYPE_CHECKING:
    from portal.search.index.vocabulary import Vocabulary

REFRESH_SECONDS: Final = 0.25


@dataclass
class SearcherCaches:
    """What is read once per searcher and reused by every query until the index changes."""

    # Filter → the document numbers it lets through (None = all).
    filters: dict[Filter, set[int] | None] = field(default_factory=dict)
    # Facet → value → document numbers.
    facets: dict[str, dict[str, set[int]]] | None = None
    scores: ScoreCache = field(default_factory=lambda: ScoreCache(SCORE_CACHE_ENTRIES))
    corrections: dict[str, str | None] = field(default_factory=dict)  # word → "did you mean"
    # Indexed word → its spelling in the articles (None: none found), for "did you mean".
    surfaces: dict[str, str | None] = field(default_factory=dict)
    # Word of the unstemmed ``words`` field → how many documents hold it.
    frequencies: dict[str, int] = field(default_factory=dict)
    fuzzy: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word → fuzzy expansions
    # (filter, terms) or ("stored", number) → stored fields of the matching documents.
    documents: dict[Hashable, list[Mapping[str, Any]]] = field(default_factory=dict)
    # Article id → numbers of the documents with that id or translating it.
    versions: dict[str, list[int]] | None = None
    # The indexed words, for edit-distance look-ups ("did you mean", the fuzzy fallback).
    vocabulary: Vocabulary | None = None

    def clear(self) -> None:
        self.filters.clear()
        self.facets = None
        self.scores.clear()
        self.corrections.clear()
        self.surfaces.clear()
        self.frequencies.clear()
        self.fuzzy.clear()
        self.documents.clear()
        self.versions = None
        self.vocabulary = None


class WarmSearcher:
    """The open searcher of the live generation, its lock and its caches."""

    def __init__(self, generations: Generations) -> None:
        self.generations = generations
        self.caches = SearcherCaches()
        self._lock = threading.RLock()  # guards the searcher; whoosh readers share file state
        self._searcher: Searcher | None = None
        self._generation: str | None = None  # name of the gen-… directory being read
        self._token: tuple[str, int] = ("", -1)
        self._checked = 0.0

    def refresh_now(self) -> None:
        """Make the next read check for a newer generation (after a write in this process)."""
        self._checked = 0.0

    def _current(self) -> Searcher:
        """The warm searcher, refreshed when ``current`` moved or the index grew; under _lock."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < REFRESH_SECONDS:
            return self._searcher
        path = self.generations.current_path()
        if path is None:
            raise IndexCorrupt("the search index has not been built")
        if (
            self._searcher is None
            or path.name != self._generation
            or not self._searcher.up_to_date()
        ):
            # A fresh searcher, never Searcher.refresh(): refresh reuses the readers of
            # unchanged segments and so keeps serving documents deleted since (whoosh 2.7.5).
            try:
                searcher = open_index(path).searcher()
            except IndexCorrupt:
                self._drop_searcher()
                raise
            self._drop_searcher()
            self._searcher, self._generation = searcher, path.name
            self.caches.clear()
        self._token = (path.name, self._searcher.reader().generation())
        self._checked = now
        return self._searcher

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher = None
        self._generation = None

    def token(self) -> tuple[str, int]:
        """Identifies the content searched right now: (generation dir, Whoosh generation)."""
        with self._lock:
            self._current()
            return self._token

    def close(self) -> None:
        with self._lock:
            self._drop_searcher()
            self.caches.clear()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Searcher]:
        """The current searcher; any Whoosh failure inside becomes IndexCorrupt."""
        with self._lock:
            searcher = self._current()
            try:
                yield searcher
            except (SearchError, collectors.TimeLimit):
                raise
            except Exception as error:
                generation = self._generation
                self._drop_searcher()
                raise IndexCorrupt(f"the search index failed: {error!r}", generation) from error

    def allowed(self, searcher: Searcher, flt: Filter) -> set[int] | None:
        """Document numbers ``flt`` lets through (None = all), cached per searcher.

        A plain set because Whoosh accepts sets as filters; callers never mutate it.
        """
        filters = self.caches.filters
        if flt in filters:
            return filters[flt]
        parts: list[query.Query] = []
        if flt.visibility in ("public", "internal"):
            parts.append(query.Term("status", "published"))
        if flt.visibility == "public":
            parts.append(query.Term("audience", "public"))
        for name in ("lang", "category", "kind"):
            value = getattr(flt, name)
            if value:
                parts.append(query.Term(name, value))
        if flt.tag:
            parts.append(query.Term("tag", flt.tag.strip().lower()))
        allowed = set(searcher.docs_for_query(query.And(parts))) if parts else None
        if len(filters) > 256:
            filters.clear()
        filters[flt] = allowed
        return allowed

    def facet_sets(self, searcher: Searcher) -> dict[str, dict[str, set[int]]]:
        """Facet → value → document numbers, read once per searcher from the columns."""
        if self.caches.facets is None:
            reader = searcher.reader()
            sets: dict[str, dict[str, set[int]]] = {}
            for name in FACETS if has_documents(reader) else ():
                column = reader.column_reader(name)
                groups: dict[str, set[int]] = {}
                for number in reader.all_doc_ids():
                    value = column[number]
                    if isinstance(value, bytes):
                        value = value.decode("utf-8")
                    if value:
                        groups.setdefault(str(value), set()).add(number)
                sets[name] = groups
            self.caches.facets = sets
        return self.caches.facets


def column_text(value: Any) -> str:
    """A column value as text (ID columns hold bytes or str, empty for no value)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value) if value else ""


def has_documents(reader: Any) -> bool:
    """Whoosh's reader of an empty index has no columns: column_reader raises there."""
    return bool(reader.doc_count_all())
