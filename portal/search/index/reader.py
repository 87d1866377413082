"""Reading the index: one warm, self-refreshing searcher and every query Sanad asks of it.

Readers keep one warm searcher and check at most every ``REFRESH_SECONDS`` whether
``current`` points elsewhere or the generation grew, so an edit made by any process is
searchable in well under a second. Writing goes through ``Generations``
(``portal.search.index.generations``); ``SearchIndex`` forwards to it so that callers hold
one object per index directory.

Searches run under a deadline (``GuardedCollector``): a slow query returns what it found so
far with ``timed_out``. Not ``TimeLimitCollector``: wrapped around the ``FilterCollector``
that ``Searcher.collector(filter=...)`` returns, it calls the child's ``collect`` directly
and so silently drops the filter (drafts and internal articles leak into public results);
and its alarm mode uses signals, which threaded servers cannot.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from whoosh import collectors, query
from whoosh.searching import Searcher

from portal.search import learning
from portal.search.analysis import ArabicStemmer, QueryPlan, raw_tokens, term_of
from portal.search.index.generations import Generations, IndexCorrupt, IndexState, open_index
from portal.search.index.schema import FACETS
from portal.search.index.scoring import (
    COORDINATION,
    PLAIN,
    SCORE_CACHE_ENTRIES,
    GuardedCollector,
    Ranking,
    ScoreCache,
    Scores,
    best,
    plan_scores,
    refine,
    text_query,
)
from portal.search.models import SearchError

REFRESH_SECONDS: Final = 0.25
# Related articles: the fewest key terms a candidate must share, and the share of the best
# candidate's score below which it is not shown.
RELATED_MIN_TERMS: Final = 3
RELATED_TAIL: Final = 0.35


# --- what callers pass and get back ---------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """Which documents a request may see: visibility plus optional facet restrictions."""

    visibility: str = "public"
    lang: str | None = None
    category: str | None = None
    kind: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class RawHit:
    fields: Mapping[str, Any]
    score: float


@dataclass(frozen=True)
class RawResults:
    total: int
    hits: tuple[RawHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    timed_out: bool = False
    # How many of the matches are strong (not in the weak tail); None = not measured.
    strong: int | None = None
    # The share of the query's positive units that the first hit matches (0 without hits).
    coverage: float = 0.0


EMPTY: Final = RawResults(0, ())


class SearchIndex:
    """One index directory: generations, the write lock and a warm, self-refreshing searcher."""

    def __init__(
        self, directory: Path, time_limit: float = 1.0, arabic_stemmer: ArabicStemmer = "light"
    ) -> None:
        self.directory = directory
        self.time_limit = time_limit
        self.arabic_stemmer: ArabicStemmer = arabic_stemmer
        self.generations = Generations(directory, arabic_stemmer)
        self._lock = threading.RLock()  # guards the searcher; whoosh readers share file state
        self._searcher: Searcher | None = None
        self._generation: str | None = None  # name of the gen-… directory being read
        self._token: tuple[str, int] = ("", -1)
        self._checked = 0.0
        self._filters: dict[Filter, set[int] | None] = {}
        self._facets: dict[str, dict[str, set[int]]] | None = None
        self._scores = ScoreCache(SCORE_CACHE_ENTRIES)
        self._corrections: dict[str, str | None] = {}  # word → "did you mean", per searcher
        self._fuzzy: dict[str, tuple[str, ...]] = {}  # word → its fuzzy expansions, per searcher
        # (filter, terms) → stored fields of the matching documents, per searcher
        self._documents: dict[Hashable, list[Mapping[str, Any]]] = {}
        # article id → numbers of the documents with that id or translating it, per searcher
        self._versions: dict[str, list[int]] | None = None

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
        self._checked = 0.0

    def _current(self) -> Searcher:
        """The warm searcher, refreshed when ``current`` moved or the index grew; under _lock."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < REFRESH_SECONDS:
            return self._searcher
        path = self.current_path()
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
            self._filters.clear()
            self._facets = None
            self._scores.clear()
            self._corrections.clear()
            self._fuzzy.clear()
            self._documents.clear()
            self._versions = None
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
            self._filters.clear()
            self._facets = None
            self._scores.clear()
            self._corrections.clear()
            self._fuzzy.clear()
            self._documents.clear()
            self._versions = None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Searcher]:
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

    def _allowed(self, searcher: Searcher, flt: Filter) -> set[int] | None:
        """Document numbers ``flt`` lets through (None = all), cached per searcher.

        A plain set because Whoosh accepts sets as filters; callers never mutate it.
        """
        if flt in self._filters:
            return self._filters[flt]
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
        if len(self._filters) > 256:
            self._filters.clear()
        self._filters[flt] = allowed
        return allowed

    # --- queries ---------------------------------------------------------------------------

    def build_query(self, plan: QueryPlan) -> query.Query | None:
        """The Whoosh query for a parsed plan; None when nothing positive is left."""
        optional: list[query.Query] = []
        required: list[query.Query] = []
        excluded: list[query.Query] = []
        for unit in plan.units:
            alternatives = [text_query(alt) for alt in unit.alternatives]
            unit_query = alternatives[0] if len(alternatives) == 1 else query.Or(alternatives)
            if unit.excluded:
                excluded.append(unit_query)
            elif unit.required:
                required.append(unit_query)
            else:
                optional.append(unit_query)
        positive: query.Query | None = None
        if optional:
            positive = optional[0] if len(optional) == 1 else query.Or(optional, scale=COORDINATION)
        if required:
            must = required[0] if len(required) == 1 else query.And(required)
            positive = must if positive is None else query.AndMaybe(must, positive)
        if positive is None:
            return None
        if excluded:
            positive = query.AndNot(positive, query.Or(excluded))
        return positive

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
        """Like ``search(build_query(plan), …)``, with the same scores, from cached word scores.

        Each word or phrase is scored by Whoosh once per searcher over every document (see
        ``ScoreCache``); a query then sums, intersects and subtracts those dicts, which gives
        the total and the facet counts of the whole matching set for free and leaves only the
        page's stored fields to read. Words not yet cached are scored under the deadline.

        ``ranking`` refines the top (coverage, proximity, the weak tail); ``prefer`` is the
        reader's language: its strong hits come before the other language's strong hits.
        """
        if COORDINATION is not None:  # the sums below are plain BM25F sums, no bonus
            whoosh_query = self.build_query(plan)
            return EMPTY if whoosh_query is None else self.search(whoosh_query, flt, offset, limit)
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            if allowed is not None and not allowed:
                return EMPTY
            deadline = time.monotonic() + self.time_limit
            parts: list[Scores] = []
            matched, timed_out = plan_scores(searcher, self._scores, plan, deadline, ranking, parts)
            visible: Iterable[int] = matched.keys()
            if allowed is not None:
                visible = matched.keys() & allowed
            numbers = visible if isinstance(visible, set) else set(visible)
            top, final, strong = self._order(
                searcher, matched, parts, plan, numbers, offset + limit, ranking, prefer, learned
            )
            hits = tuple(
                RawHit(searcher.stored_fields(number), final.get(number, matched[number]))
                for number in top[offset : offset + limit]
            )
            counts: dict[str, dict[str, int]] = {}
            if facets and not timed_out:
                for name, groups in self._facet_sets(searcher).items():
                    counts[name] = {
                        value: size
                        for value, members in groups.items()
                        if (size := len(numbers & members)) > 0
                    }
            coverage = 0.0
            if top and parts:
                coverage = sum(1 for part in parts if top[0] in part) / len(parts)
            return RawResults(len(numbers), hits, counts, timed_out, strong, coverage)

    def _order(
        self,
        searcher: Searcher,
        matched: Scores,
        parts: list[Scores],
        plan: QueryPlan,
        numbers: set[int],
        count: int,
        ranking: Ranking,
        prefer: str | None,
        learned: Mapping[str, float] | None = None,
    ) -> tuple[list[int], Scores, int | None]:
        """The first ``count`` documents in final order, their final scores, the strong count.

        Without refinements or a preferred language this is BM25F order (``best``).
        """
        refined = ranking.coverage or ranking.proximity or ranking.tail is not None
        if not refined and prefer is None:
            return best(matched, numbers, count), {}, None
        size = max(count, ranking.rerank)
        groups: list[list[int]] = []
        if prefer is not None:
            own = self._allowed(searcher, Filter("all", prefer)) or set()
            mine = numbers & own
            groups = [best(matched, mine, size), best(matched, numbers - mine, size)]
        else:
            groups = [best(matched, numbers, size)]
        final: Scores = {}
        strong_of: dict[int, bool] = {}
        # Learned answers (portal.search.learning): index key → bounded share of the top score.
        boosts = {
            n: v
            for k, v in (learned or {}).items()
            if (n := searcher.document_number(key=k)) is not None
        }
        for group in groups:
            scores = learning.blend(refine(searcher, matched, parts, plan, group, ranking), boosts)
            final.update(scores)
            ceiling = max(scores.values(), default=0.0)
            for number, score in scores.items():
                strong_of[number] = ranking.tail is None or score >= ranking.tail * ceiling
        head = [number for group in groups for number in group]
        rank = {number: position for position, number in enumerate(head)}
        head.sort(
            key=lambda n: (
                not strong_of[n],
                prefer is not None and rank[n] >= len(groups[0]),
                -final[n],
                n,
            )
        )
        strong = sum(strong_of.values()) if ranking.tail is not None else None
        if count > len(head):  # beyond the refined head: BM25F order
            rest = numbers - set(head)
            head += best(matched, rest, count - len(head))
        return head[:count], final, strong

    def fuzzy_query(self, words: Sequence[str]) -> query.Query | None:
        """Typo-tolerant OR over the unstemmed words: edit distance 1 (≤ 5 letters) or 2."""
        parts: list[query.Query] = []
        for word in words:
            if len(word) < 3:
                parts.append(query.Term("words", word))
            else:
                # What FuzzyTerm(maxdist, prefixlength=1, constantscore=False) matches, with the
                # vocabulary walk (a Levenshtein automaton, ~5 ms) done once per searcher.
                expanded = [query.Term("words", term) for term in self._fuzzy_terms(word)]
                if len(expanded) == 1:
                    parts.append(expanded[0])
                elif expanded:
                    parts.append(query.Or(expanded))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.Or(parts, scale=COORDINATION)

    def _fuzzy_terms(self, word: str) -> tuple[str, ...]:
        """Indexed words within distance 1 (≤ 5 letters) or 2 of ``word``, same first letter."""
        with self._reading() as searcher:
            found = self._fuzzy.get(word)
            if found is None:
                distance = 1 if len(word) <= 5 else 2
                reader = searcher.reader()
                found = tuple(
                    str(term) for term in reader.terms_within("words", word, distance, prefix=1)
                )
                if len(self._fuzzy) > 10_000:
                    self._fuzzy.clear()
                self._fuzzy[word] = found
            return found

    def search(
        self,
        q: query.Query,
        flt: Filter,
        offset: int,
        limit: int,
        facets: bool = True,
    ) -> RawResults:
        """Hits ``offset:offset+limit`` with total and facet counts, under the time guard.

        Scoring every match to count facets (Whoosh's ``groupedby``) costs most of a query on
        a large index. Instead the matching set is gathered unscored, intersected with the
        allowed set and with each facet value's documents (set operations in C), and only the
        top of the ranking is scored, with Whoosh's block-skipping optimisation.
        """
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            if allowed is not None and not allowed:
                return EMPTY
            inner = searcher.collector(limit=offset + limit)
            guard = GuardedCollector(inner, allowed, None, self.time_limit)
            timed_out = False
            try:
                searcher.search_with_collector(q, guard)
            except collectors.TimeLimit:
                timed_out = True
            results = guard.results()
            hits = tuple(
                RawHit(dict(results[i].fields()), float(results[i].score or 0.0))
                for i in range(offset, min(len(results.top_n), offset + limit))
            )
            if timed_out:
                return RawResults(len(results.top_n), hits, {}, True)
            matched = set(searcher.docs_for_query(q))
            if allowed is not None:
                matched &= allowed
            counts: dict[str, dict[str, int]] = {}
            if facets:
                for name, groups in self._facet_sets(searcher).items():
                    counts[name] = {
                        value: size
                        for value, members in groups.items()
                        if (size := len(matched & members)) > 0
                    }
            return RawResults(len(matched), hits, counts, False)

    def _facet_sets(self, searcher: Searcher) -> dict[str, dict[str, set[int]]]:
        """Facet → value → document numbers, read once per searcher from the columns."""
        if self._facets is None:
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
            self._facets = sets
        return self._facets

    def vocabulary_suggestions(self, words: Sequence[str]) -> dict[str, str]:
        """Corrections for words the index has never seen: real words as the articles spell them.

        A correction is the most frequent indexed word at edit distance 1 (words of up to five
        letters) or, failing that for longer words, 2, sharing the first letter; it is shown in
        a spelling found in the articles (with its hamza and taa marbuta, not the normalised
        form the index holds), or not at all.
        """
        corrections: dict[str, str] = {}
        with self._reading() as searcher:
            reader = searcher.reader()
            for word in words:
                if len(word) < 3:
                    continue
                # A Levenshtein automaton over the vocabulary: once per word and searcher.
                if word not in self._corrections:
                    correction = None
                    if not reader.doc_frequency("words", word):
                        correction = self._correct(searcher, word)
                    if len(self._corrections) > 10_000:
                        self._corrections.clear()
                    self._corrections[word] = correction
                correction = self._corrections[word]
                if correction is not None:
                    corrections[word] = correction
        return corrections

    def _correct(self, searcher: Searcher, word: str) -> str | None:
        reader = searcher.reader()
        for distance in range(1, (1 if len(word) <= 5 else 2) + 1):
            found = [
                str(term)
                for term in reader.terms_within("words", word, distance, prefix=1)
                if str(term) != word
            ]
            if found:
                best_term = max(found, key=lambda t: (reader.doc_frequency("words", t), t))
                return self._surface(searcher, best_term)
        return None

    def _surface(self, searcher: Searcher, term: str) -> str | None:
        """The spelling of an indexed (normalised) word most often used in the articles."""
        counts: dict[str, int] = {}
        numbers = itertools.islice(searcher.docs_for_query(query.Term("words", term)), 3)
        for number in numbers:
            fields = searcher.stored_fields(number)
            text = " ".join(
                str(fields.get(name) or "")[:20_000] for name in ("title", "description", "body")
            )
            text += " " + " ".join(str(tag) for tag in fields.get("tag_list") or ())
            for token, _start, _end in raw_tokens(text):
                if term_of(token, stem=False) == term:
                    counts[token] = counts.get(token, 0) + 1
        if not counts:
            return None
        return max(counts, key=lambda token: (counts[token], token.islower(), token))

    def known(self, word: str) -> bool:
        with self._reading() as searcher:
            return bool(searcher.reader().doc_frequency("words", word))

    def prefix_titles(
        self, before: Sequence[str], last: str, flt: Filter, limit: int
    ) -> list[Mapping[str, Any]]:
        """Documents whose title has every earlier word and a word starting with ``last``."""
        found: list[Mapping[str, Any]] = []
        seen: set[str] = set()
        for fieldname in ("title_words", "words"):
            if fieldname == "words" and len(last) < 3:
                break
            parts: list[query.Query] = [query.Term(fieldname, word) for word in before]
            parts.append(query.Prefix(fieldname, last))
            q = parts[0] if len(parts) == 1 else query.And(parts)
            results = self.search(q, flt, 0, limit, facets=False)
            for hit in results.hits:
                key = str(hit.fields["key"])
                if key not in seen:
                    seen.add(key)
                    found.append(hit.fields)
            if len(found) >= limit:
                break
        return found[:limit]

    def versions(self, ids: Sequence[str], lang: str, flt: Filter) -> list[Mapping[str, Any]]:
        """Allowed documents not in ``lang`` whose id is one of ``ids`` or translates one.

        An article's other-language versions, for every search hit: read from the ``id`` and
        ``translation_of`` columns once per searcher (a term query per hit was a quarter of
        a search), stored fields only for the versions found.
        """
        with self._reading() as searcher:
            if self._versions is None:
                reader = searcher.reader()
                groups: dict[str, list[int]] = {}
                if has_documents(reader):
                    id_column = reader.column_reader("id")
                    of_column = reader.column_reader("translation_of")
                    for number in reader.all_doc_ids():
                        for value in {_text(id_column[number]), _text(of_column[number])}:
                            if value:
                                groups.setdefault(value, []).append(number)
                self._versions = groups
            allowed = self._allowed(searcher, flt)
            numbers = sorted({n for i in ids if i for n in self._versions.get(i, ())})
            out: list[Mapping[str, Any]] = []
            for number in numbers:
                if allowed is not None and number not in allowed:
                    continue
                key = ("stored", number)
                found = self._documents.get(key)
                if found is None:
                    found = [searcher.stored_fields(number)]
                    if len(self._documents) > 4096:
                        self._documents.clear()
                    self._documents[key] = found
                if found[0].get("lang") != lang:
                    out.append(found[0])
            return out

    def documents(self, flt: Filter, **terms: str) -> list[Mapping[str, Any]]:
        """Stored fields of every allowed document matching all ``terms`` (field → value).

        Cached per searcher: every search hit looks up its other-language versions here, and
        reading a document's stored fields (its whole body) is the expensive part.
        """
        with self._reading() as searcher:
            key = (flt, tuple(sorted(terms.items())))
            found = self._documents.get(key)
            if found is None:
                allowed = self._allowed(searcher, flt)
                q = query.And([query.Term(name, value) for name, value in terms.items()])
                numbers = sorted(searcher.docs_for_query(q))
                found = [
                    searcher.stored_fields(n) for n in numbers if allowed is None or n in allowed
                ]
                if len(self._documents) > 4096:
                    self._documents.clear()
                self._documents[key] = found
            return list(found)

    def listing(self, flt: Filter, offset: int, limit: int) -> tuple[int, list[Mapping[str, Any]]]:
        """Allowed documents sorted by normalised title: (total, one page)."""
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            reader = searcher.reader()
            numbers = list(allowed) if allowed is not None else list(reader.all_doc_ids())
            if not numbers:
                return 0, []
            column = reader.column_reader("title_sort")
            numbers.sort(key=lambda n: (column[n], n))
            page = numbers[offset : offset + limit]
            return len(numbers), [searcher.stored_fields(n) for n in page]

    def counts(self, fieldname: str, flt: Filter) -> dict[str, int]:
        """Value → number of allowed documents, for a sortable field."""
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            reader = searcher.reader()
            numbers = allowed if allowed is not None else reader.all_doc_ids()
            out: dict[str, int] = {}
            if not has_documents(reader):
                return out
            column = reader.column_reader(fieldname)
            for number in numbers:
                value = column[number]
                if isinstance(value, bytes):
                    value = value.decode("utf-8")
                if value:
                    out[str(value)] = out.get(str(value), 0) + 1
            return out

    def more_like(
        self, key: str, flt: Filter, tags: Sequence[str], category: str, limit: int
    ) -> list[Mapping[str, Any]]:
        """Documents on the same topic: they share the article's distinctive words.

        The key terms of the article (Whoosh's Bo1 over title, description and body) are
        weighted; a candidate scores the weights of the key terms its body or title holds,
        double for those in its title or tags, plus a shared tag or the same category. It
        must hold at least ``RELATED_MIN_TERMS`` key terms, one of them in its title, tags or
        description (one common word in passing is not a topic), and score at least
        ``RELATED_TAIL`` of the best candidate; fewer related articles are better than
        unrelated ones.
        """
        with self._reading() as searcher:
            number = searcher.document_number(key=key)
            if number is None:
                return []
            stored = searcher.stored_fields(number)
            text = " ".join(
                str(stored.get(name) or "") for name in ("title", "description", "body")
            )
            allowed = self._allowed(searcher, flt)
            terms = searcher.key_terms_from_text("body", text, numterms=16)
            body_hits: dict[int, float] = {}
            matched: dict[int, int] = {}
            topical: set[int] = set()
            for term, weight in terms:
                inside = set(searcher.docs_for_query(query.Term("body", term)))
                inside |= set(searcher.docs_for_query(query.Term("title", term)))
                heads = set(searcher.docs_for_query(query.Term("title", term)))
                heads |= set(searcher.docs_for_query(query.Term("tags", term)))
                heads |= set(searcher.docs_for_query(query.Term("description", term)))
                for doc in inside | heads:
                    bonus = float(weight) * (2.0 if doc in heads else 1.0)
                    body_hits[doc] = body_hits.get(doc, 0.0) + bonus
                    matched[doc] = matched.get(doc, 0) + 1
                topical |= heads
            wanted = {tag.lower() for tag in tags}
            same_category = set(searcher.docs_for_query(query.Term("category", category)))
            scores: dict[int, float] = {}
            for doc, score in body_hits.items():
                if doc == number or (allowed is not None and doc not in allowed):
                    continue
                if matched[doc] < RELATED_MIN_TERMS or doc not in topical:
                    continue
                shared = wanted & {
                    tag.lower() for tag in searcher.stored_fields(doc).get("tag_list") or ()
                }
                scores[doc] = (
                    score * (1.0 + 0.5 * len(shared)) * (1.2 if doc in same_category else 1.0)
                )
            if not scores:
                return []
            ceiling = max(scores.values())
            ranked = sorted(
                (doc for doc, score in scores.items() if score >= RELATED_TAIL * ceiling),
                key=lambda doc: (-scores[doc], doc),
            )
            return [searcher.stored_fields(doc) for doc in ranked[:limit]]

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
        """Documents of any status whose body (and, boosted, title) is most like ``text``.

        The key terms are picked by Whoosh's Bo1 model against the body field, through the
        body's own analyzer, so Arabic and English go through the same normalisation and
        stemming as the articles did. ``exclude`` is a document key left out of the answer.
        """
        with self._reading() as searcher:
            terms = searcher.key_terms_from_text("body", text, numterms=key_terms)
            if not terms:
                return ()
            parts: list[query.Query] = []
            for term, weight in terms:
                parts.append(query.Term("body", term, boost=float(weight)))
                parts.append(query.Term("title", term, boost=float(weight) * title_boost))
            allowed = set(searcher.docs_for_query(query.Term("lang", lang))) if lang else None
            if allowed is not None and not allowed:
                return ()
            restrict: set[int] | None = None
            if exclude:
                number = searcher.document_number(key=exclude)
                restrict = {number} if number is not None else None
            guard = GuardedCollector(
                searcher.collector(limit=limit), allowed, restrict, self.time_limit
            )
            with contextlib.suppress(collectors.TimeLimit):
                searcher.search_with_collector(query.Or(parts), guard)
            return tuple(
                RawHit(hit.fields(), float(hit.score)) for hit in list(guard.results())[:limit]
            )

    def key_of(self, key: str) -> Mapping[str, Any] | None:
        """Stored fields of the document with this unique key, whatever its visibility."""
        with self._reading() as searcher:
            found: Mapping[str, Any] | None = searcher.document(key=key)
            return found


def _text(value: Any) -> str:
    """A column value as text (ID columns hold bytes or str, empty for no value)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value) if value else ""


def has_documents(reader: Any) -> bool:
    """Whoosh's reader of an empty index has no columns: column_reader raises there."""
    return bool(reader.doc_count_all())
