"""Answering a search: parse, rank, snippets, "did you mean", the fuzzy fallback, browsing.

``Searching.search`` never raises on user input: what it could not use becomes a notice
(``NOTICES``) that the web layer translates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from portal.config import SearchSettings
from portal.db import utcnow
from portal.search import analysis
from portal.search.analysis import QueryPlan, parse_query
from portal.search.answers import AnswerCache
from portal.search.entries import entry, visible
from portal.search.index import Filter, Ranking, RawResults, SearchIndex
from portal.search.indexing import Indexer
from portal.search.learned import LearnedStore
from portal.search.models import (
    MAX_PER_PAGE,
    ArticleEntry,
    Hit,
    SearchQuery,
    SearchResults,
    Visibility,
)
from portal.search.synonyms import SynonymsFile

# Notices a SearchResults may carry; the web layer translates them.
NOTICES: Final = {
    "empty": "Type a few words to search.",
    "truncated": "Your search was long, so only its beginning was used.",
    "timed_out": "The search took too long; these results may be incomplete.",
    "syntax": "Some characters in your search were ignored.",
    "fuzzy": "No exact matches; showing close matches instead.",
}

# A question of this many words or more whose first hit matches this share of them is
# answered: no "did you mean" (see ``_answered``).
ANSWERED_UNITS: Final = 4
ANSWERED_COVERAGE: Final = 0.5

Translations = Callable[[ArticleEntry, Visibility], tuple[ArticleEntry, ...]]


class Searching:
    """Full-text search over the index, with the answers cached."""

    def __init__(
        self,
        settings: SearchSettings,
        index: SearchIndex,
        ranking: Ranking,
        answers: AnswerCache,
        synonyms: SynonymsFile,
        indexer: Indexer,
        translations: Translations,
        learned: LearnedStore | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.ranking = ranking
        self.answers = answers
        self.synonyms = synonyms
        self.indexer = indexer
        self.translations = translations
        self.learned = learned  # learning from use (docs/search.md); None: not blended

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked hits with snippets, facets, suggestion; never raises on user input."""
        page = max(1, int(query.page))
        per_page = min(MAX_PER_PAGE, max(1, int(query.per_page)))
        text = query.text or ""
        notices: list[str] = []
        if len(text) > self.settings.max_query_chars:
            text = text[: self.settings.max_query_chars]
            notices.append("truncated")
        text = text.strip()
        flt = Filter(query.visibility, query.lang, query.category, query.kind, query.tag)
        if not text:
            if query.tag or query.category or query.kind:
                return self._browse(query, flt, page, per_page)
            return SearchResults(query.text, 0, page, per_page, (), notice="empty")
        synonyms, version = self.synonyms.current()
        prefer = self._preferred(text, query)

        def compute() -> SearchResults:
            plan = parse_query(text, synonyms)
            if not plan.positive:
                found = [*notices, *plan.notices]
                notice = "syntax" if "syntax" in found else "empty"
                return SearchResults(query.text, 0, page, per_page, (), notice=notice)
            learned = self._learned_boosts(text, flt)
            return self._run_search(
                query.text, plan, flt, page, per_page, [*notices, *plan.notices], prefer, learned
            )

        def run() -> SearchResults:
            # Keyed by the raw text: a repeated query skips parsing as well as searching.
            token = self.index.token()
            learned = self.learned.version() if self.learned is not None else 0
            key = ("search", query.text, flt, page, per_page, prefer, token, version, learned)
            return self.answers.get(key, compute)

        return self.indexer.with_index(run)

    def _honest(
        self, shown: str, corrections: Mapping[str, str], exact: RawResults, flt: Filter
    ) -> str | None:
        """ "Did you mean": the corrected query, only if it is made of words the index knows
        and finds more documents, or a first hit with more of its words, than the original.

        ``corrections`` are indexed (normalised) words: the check runs on them (they parse
        to the same terms as their spellings) and only a kept suggestion is spelled as the
        articles spell it; a correction without such a spelling is left out."""
        if not self._better(shown, corrections, exact, flt):
            return None
        spelled = {
            word: found
            for word, term in corrections.items()
            if (found := self.index.surface(term)) is not None
        }
        if len(spelled) < len(corrections) and not self._better(shown, spelled, exact, flt):
            return None
        return _suggestion(shown, spelled)

    def _better(
        self, shown: str, corrections: Mapping[str, str], exact: RawResults, flt: Filter
    ) -> bool:
        candidate = _suggestion(shown, corrections)
        if candidate is None:
            return False
        plan = parse_query(candidate, self.synonyms.current()[0])
        if not plan.positive or not all(
            len(word) < 3 or self.index.known(word) for word in plan.words
        ):
            return False
        check = self.index.search_plan(plan, flt, 0, 1, facets=False, ranking=self.ranking)
        if check.total == 0:
            return False
        return check.total > exact.total or check.coverage > exact.coverage

    def _learned_boosts(self, text: str, flt: Filter) -> dict[str, float]:
        """What was learned to answer ``text``, only for articles this reader may see: an
        internal article is never boosted for a visitor (``portal.search.learning``)."""
        if self.learned is None:
            return {}
        boosts = self.learned.boosts(text, utcnow())
        visibility: Visibility = flt.visibility  # type: ignore[assignment]
        return {
            key: share
            for key, share in boosts.items()
            if (fields := self.index.key_of(key)) is not None and visible(fields, visibility)
        }

    def _preferred(self, text: str, query: SearchQuery) -> str | None:
        """The language whose results come first: the query's script, else the reader's."""
        if query.lang or not self.ranking.language:
            return None
        return analysis.script_language(text) or query.reader_lang or None

    def _browse(self, query: SearchQuery, flt: Filter, page: int, per_page: int) -> SearchResults:
        """No words but a tag, category or kind: every matching article, sorted by title."""

        def run() -> SearchResults:
            total, found = self.index.listing(flt, (page - 1) * per_page, per_page)
            facets = {name: self.index.counts(name, flt) for name in ("category", "kind", "lang")}
            hits = tuple(
                Hit(
                    shown := entry(fields),
                    analysis.plain_snippet(shown.description or str(fields.get("body") or "")),
                    0.0,
                    self.translations(shown, query.visibility),
                )
                for fields in found
            )
            return SearchResults(query.text, total, page, per_page, hits, facets=facets)

        return self.indexer.with_index(run)

    def _run_search(
        self,
        shown: str,
        plan: QueryPlan,
        flt: Filter,
        page: int,
        per_page: int,
        notices: list[str],
        prefer: str | None = None,
        learned: Mapping[str, float] | None = None,
    ) -> SearchResults:
        offset = (page - 1) * per_page
        raw = self.index.search_plan(
            plan, flt, offset, per_page, ranking=self.ranking, prefer=prefer, learned=learned
        )
        exact = raw
        fuzzy = False
        highlight: frozenset[str] = plan.highlight
        if raw.total == 0 and not raw.timed_out and plan.words:
            raw = self.index.fuzzy_search(plan.words, flt, offset, per_page)
            fuzzy = raw.total > 0
        # A long question already answered needs no "did you mean" (and spares the look-ups).
        corrections = {} if _answered(plan, exact) else self.index.corrections(plan.words)
        suggestion = self._honest(shown, corrections, exact, flt)
        if fuzzy and corrections:
            highlight = highlight | {
                term for word in corrections.values() for term in analysis.terms(word)
            }
        visibility: Visibility = flt.visibility  # type: ignore[assignment]
        hits = tuple(
            Hit(
                found := entry(hit.fields),
                _snippet(hit.fields, highlight),
                hit.score,
                self.translations(found, visibility),
            )
            for hit in raw.hits
        )
        if raw.timed_out:
            notices = ["timed_out", *notices]
        elif fuzzy:
            notices = ["fuzzy", *notices]
        return SearchResults(
            query=shown,
            total=raw.total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=raw.facets,
            suggestion=suggestion,
            fuzzy=fuzzy,
            timed_out=raw.timed_out,
            notice=notices[0] if notices else None,
            strong=None if fuzzy else raw.strong,
        )


def _answered(plan: QueryPlan, exact: RawResults) -> bool:
    """Whether a question is long and its first hit already matches half its words or more.

    Such a question is answered by an article that shares most of what was asked; what is
    left unmatched in real questions is mostly names and places the articles never use, and
    "did you mean" would swap them for unrelated words («Qatar» → «qamar»). Measured on the
    400 questions of ``bench/search.py`` (5,459 articles): the 12 suggestions this drops
    were all of that kind."""
    units = sum(1 for unit in plan.units if not unit.excluded)
    return units >= ANSWERED_UNITS and exact.coverage >= ANSWERED_COVERAGE


def _snippet(fields: Mapping[str, Any], highlight: frozenset[str]) -> str:
    """Marked body text around the matches, else the description, else the body's start."""
    body = str(fields.get("body") or "")
    found = analysis.snippet(body, highlight)
    if found:
        return found
    description = str(fields.get("description") or "")
    return analysis.snippet(description, highlight) or analysis.plain_snippet(description or body)


def _suggestion(text: str, corrections: Mapping[str, str]) -> str | None:
    """The query with each unknown word replaced by its correction, keeping everything else."""
    if not corrections:
        return None
    parts: list[str] = []
    cursor = 0
    changed = False
    for token, start, end in analysis.raw_tokens(text):
        word = analysis.term_of(token, stem=False)
        if word is not None and word in corrections:
            parts.append(text[cursor:start])
            parts.append(corrections[word])
            cursor = end
            changed = True
    parts.append(text[cursor:])
    return " ".join("".join(parts).split()) if changed else None
