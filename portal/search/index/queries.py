"""Ranked queries: a parsed plan from cached word scores, a Whoosh query under the deadline,
and the typo-tolerant fallback.

Searches run under a deadline (``GuardedCollector``): a slow query returns what it found so
far with ``timed_out``. Not ``TimeLimitCollector``: wrapped around the ``FilterCollector``
that ``Searcher.collector(filter=...)`` returns, it calls the child's ``collect`` directly
and so silently drops the filter (drafts and internal articles leak into public results);
and its alarm mode uses signals, which threaded servers cannot.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from whoosh import collectors, query, scoring
from whoosh.searching import Searcher

from portal.search import learning
from portal.search.analysis import QueryPlan
from portal.search.index.results import EMPTY, Filter, RawHit, RawResults
from portal.search.index.scoring import (
    COORDINATION,
    PLAIN,
    GuardedCollector,
    Ranking,
    Scores,
    best,
    plan_scores,
    refine,
    sum_scores,
    term_scores,
    text_query,
)
from portal.search.index.vocabulary import terms_within
from portal.search.index.warm import WarmSearcher

# The score cache's key of a term of the unstemmed ``words`` field (not a word of the plan).
FUZZY_KEY: Final = "\0words"


def build_query(plan: QueryPlan) -> query.Query | None:
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
    warm: WarmSearcher,
    time_limit: float,
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
        whoosh_query = build_query(plan)
        if whoosh_query is None:
            return EMPTY
        return search(warm, time_limit, whoosh_query, flt, offset, limit)
    with warm.reading() as searcher:
        allowed = warm.allowed(searcher, flt)
        if allowed is not None and not allowed:
            return EMPTY
        deadline = time.monotonic() + time_limit
        parts: list[Scores] = []
        matched, timed_out = plan_scores(
            searcher, warm.caches.scores, plan, deadline, ranking, parts
        )
        visible: Iterable[int] = matched.keys()
        if allowed is not None:
            visible = matched.keys() & allowed
        numbers = visible if isinstance(visible, set) else set(visible)
        top, final, strong = _order(
            warm, searcher, matched, parts, plan, numbers, offset + limit, ranking, prefer, learned
        )
        hits = tuple(
            RawHit(searcher.stored_fields(number), final.get(number, matched[number]))
            for number in top[offset : offset + limit]
        )
        counts: dict[str, dict[str, int]] = {}
        if facets and not timed_out:
            for name, groups in warm.facet_sets(searcher).items():
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
    warm: WarmSearcher,
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
        own = warm.allowed(searcher, Filter("all", prefer)) or set()
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


def fuzzy_query(warm: WarmSearcher, words: Sequence[str]) -> query.Query | None:
    """Typo-tolerant OR over the unstemmed words: edit distance 1 (≤ 5 letters) or 2."""
    parts: list[query.Query] = []
    for word in words:
        if len(word) < 3:
            parts.append(query.Term("words", word))
        else:
            # What FuzzyTerm(maxdist, prefixlength=1, constantscore=False) matches, with the
            # vocabulary walk (a Levenshtein automaton, ~5 ms) done once per searcher.
            expanded = [query.Term("words", term) for term in _fuzzy_terms(warm, word)]
            if len(expanded) == 1:
                parts.append(expanded[0])
            elif expanded:
                parts.append(query.Or(expanded))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.Or(parts, scale=COORDINATION)


def fuzzy_search(
    warm: WarmSearcher,
    time_limit: float,
    words: Sequence[str],
    flt: Filter,
    offset: int,
    limit: int,
) -> RawResults:
    """``search(fuzzy_query(words), …)`` from cached per-term scores of the ``words`` field.

    Whoosh ran the fuzzy OR through its matcher tree, posting by posting: 6–10 ms for a
    question with no exact match. Each expansion's BM25F scores are computed once per
    searcher (``term_scores``) and summed as Whoosh's ``Or`` sums them; a test compares the
    hits, scores, totals and facets with Whoosh scoring every match.
    """
    weighting = None
    with warm.reading() as searcher:
        weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F or weighting._field_B:  # another model: Whoosh's way
        whoosh_query = fuzzy_query(warm, words)
        if whoosh_query is None:
            return EMPTY
        return search(warm, time_limit, whoosh_query, flt, offset, limit)
    expansions = [(word,) if len(word) < 3 else _fuzzy_terms(warm, word) for word in words]
    with warm.reading() as searcher:
        allowed = warm.allowed(searcher, flt)
        if allowed is not None and not allowed:
            return EMPTY
        deadline = time.monotonic() + time_limit
        cache = warm.caches.scores
        parts: list[Scores] = []
        timed_out = False
        for terms in expansions:
            for term in terms:
                key = (FUZZY_KEY, term)
                found = cache.get(key)
                if found is None:
                    if time.monotonic() > deadline:
                        timed_out = True
                        break
                    found = term_scores(searcher, cache, "words", term, 1.0, weighting)
                    cache.put(key, found)
                parts.append(found)
        matched = sum_scores(parts)
        numbers = set(matched.keys() & allowed) if allowed is not None else set(matched)
        top = best(matched, numbers, offset + limit)
        hits = tuple(
            RawHit(searcher.stored_fields(number), matched[number])
            for number in top[offset : offset + limit]
        )
        counts: dict[str, dict[str, int]] = {}
        if not timed_out:
            for name, groups in warm.facet_sets(searcher).items():
                counts[name] = {
                    value: size
                    for value, members in groups.items()
                    if (size := len(numbers & members)) > 0
                }
        return RawResults(len(numbers), hits, counts, timed_out)


def _fuzzy_terms(warm: WarmSearcher, word: str) -> tuple[str, ...]:
    """Indexed words within distance 1 (≤ 5 letters) or 2 of ``word``, same first letter."""
    cache = warm.caches.fuzzy
    found = cache.get(word)
    if found is None:
        found = tuple(terms_within(warm, word, 1 if len(word) <= 5 else 2))
        if len(cache) > 10_000:
            cache.clear()
        cache[word] = found
    return found


def search(
    warm: WarmSearcher,
    time_limit: float,
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
    with warm.reading() as searcher:
        allowed = warm.allowed(searcher, flt)
        if allowed is not None and not allowed:
            return EMPTY
        inner = searcher.collector(limit=offset + limit)
        guard = GuardedCollector(inner, allowed, None, time_limit)
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
            for name, groups in warm.facet_sets(searcher).items():
                counts[name] = {
                    value: size
                    for value, members in groups.items()
                    if (size := len(matched & members)) > 0
                }
        return RawResults(len(matched), hits, counts, False)
