"""``SearchIndex``: one object per index directory, for everything the services ask of it.

Writing goes through ``Generations`` (``generations``); reading through one warm,
self-refreshing searcher (``warm``). The questions themselves live where they are explained:

- ``queries``: ranked search of a parsed plan or a Whoosh query, the fuzzy fallback;
- ``spelling``: "did you mean" corrections and title prefixes for suggest-as-you-type;
- ``catalogue``: stored fields, other-language versions, listings, facet counts;
- ``related``: articles like an article (related) or like a text (duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from whoosh import query

from portal.search.analysis import ArabicStemmer, QueryPlan
from portal.search.index import catalogue, queries, related, spelling
from portal.search.index.generations import Generations, IndexState
from portal.search.index.results import Filter, RawHit, RawResults
from portal.search.index.scoring import PLAIN, Ranking
from portal.search.index.warm import WarmSearcher


class SearchIndex:
    """One index directory: generations, the write lock and a warm, self-refreshing searcher."""

    def __init__(
        self, directory: Path, time_limit: float = 1.0, arabic_stemmer: ArabicStemmer = "light"
    ) -> None:
        self.directory = directory
        self.time_limit = time_limit
        self.arabic_stemmer: ArabicStemmer = arabic_stemmer
        self.generations = Generations(directory, arabic_stemmer)
        self.warm = WarmSearcher(self.generations)

    # --- writing: the generations do it, then the next read looks for the new one ----------

    def writing(self, timeout: float = 600.0) -> AbstractContextManager[None]:
        """Hold the cross-process write lock (waiting for it) for a read-modify-write."""
        return self.generations.writing(timeout)

    def current_path(self) -> Path | None:
        return self.generations.current_path()

    def read_state(self) -> IndexState | None:
        """The live generation's state, or None when missing, outdated or unreadable."""
        return self.generations.read_state()

    def write_state(self, state: IndexState) -> None:
        self.generations.write_state(state)

    def rebuild(self, documents: Iterable[dict[str, Any]], state: IndexState, procs: int) -> int:
        """Build a new generation and make it current (see ``Generations.rebuild``)."""
        count = self.generations.rebuild(documents, state, procs)
        self.refresh_now()
        return count

    def apply(
        self,
        delete_paths: Iterable[str],
        documents: Sequence[dict[str, Any]],
        state: IndexState,
    ) -> None:
        """Delete every document of ``delete_paths``, add/replace ``documents``; under writing()."""
        self.generations.apply(delete_paths, documents, state)
        self.refresh_now()

    # --- the warm searcher -----------------------------------------------------------------

    def refresh_now(self) -> None:
        """Make the next read check for a newer generation (after a write in this process)."""
        self.warm.refresh_now()

    def token(self) -> tuple[str, int]:
        """Identifies the content searched right now: (generation dir, Whoosh generation)."""
        return self.warm.token()

    def close(self) -> None:
        self.warm.close()

    # --- ranked queries (queries.py) ---------------------------------------------------------

    def build_query(self, plan: QueryPlan) -> query.Query | None:
        return queries.build_query(plan)

    def search_plan(
        self,
        plan: QueryPlan,
        flt: Filter,
        offset: int,
        limit: int,
        facets: bool = True,
        ranking: Ranking = PLAIN,
        prefer: str | None = None,
        learned: Mapping[str, float] | None = None,
    ) -> RawResults:
        return queries.search_plan(
            self.warm, self.time_limit, plan, flt, offset, limit, facets, ranking, prefer, learned
        )

    def search(
        self, q: query.Query, flt: Filter, offset: int, limit: int, facets: bool = True
    ) -> RawResults:
        return queries.search(self.warm, self.time_limit, q, flt, offset, limit, facets)

    def fuzzy_query(self, words: Sequence[str]) -> query.Query | None:
        return queries.fuzzy_query(self.warm, words)

    def fuzzy_search(
        self, words: Sequence[str], flt: Filter, offset: int, limit: int
    ) -> RawResults:
        return queries.fuzzy_search(self.warm, self.time_limit, words, flt, offset, limit)

    # --- suggestions (spelling.py) -------------------------------------------------------

    def vocabulary_suggestions(self, words: Sequence[str]) -> dict[str, str]:
        return spelling.vocabulary_suggestions(self.warm, words)

    def corrections(self, words: Sequence[str]) -> dict[str, str]:
        return spelling.corrections(self.warm, words)

    def surface(self, term: str) -> str | None:
        return spelling.surface(self.warm, term)

    def known(self, word: str) -> bool:
        return spelling.known(self.warm, word)

    def prefix_titles(
        self, before: Sequence[str], last: str, flt: Filter, limit: int
    ) -> list[Mapping[str, Any]]:
        return spelling.prefix_titles(self.warm, self.time_limit, before, last, flt, limit)

    # --- the catalogue (catalogue.py) ----------------------------------------------------

    def versions(self, ids: Sequence[str], lang: str, flt: Filter) -> list[Mapping[str, Any]]:
        return catalogue.versions(self.warm, ids, lang, flt)

    def documents(self, flt: Filter, **terms: str) -> list[Mapping[str, Any]]:
        return catalogue.documents(self.warm, flt, terms)

    def listing(self, flt: Filter, offset: int, limit: int) -> tuple[int, list[Mapping[str, Any]]]:
        return catalogue.listing(self.warm, flt, offset, limit)

    def counts(self, fieldname: str, flt: Filter) -> dict[str, int]:
        return catalogue.counts(self.warm, fieldname, flt)

    def key_of(self, key: str) -> Mapping[str, Any] | None:
        return catalogue.key_of(self.warm, key)

    # --- articles like another (related.py) ------------------------------------------------

    def more_like(
        self, key: str, flt: Filter, tags: Sequence[str], category: str, limit: int
    ) -> list[Mapping[str, Any]]:
        return related.more_like(self.warm, key, flt, tags, category, limit)

    def like_text(
        self,
        text: str,
        *,
        lang: str | None,
        exclude: str | None,
        limit: int,
        key_terms: int,
        title_boost: float,
    ) -> tuple[RawHit, ...]:
        return related.like_text(
            self.warm,
            self.time_limit,
            text,
            lang=lang,
            exclude=exclude,
            limit=limit,
            key_terms=key_terms,
            title_boost=title_boost,
        )
