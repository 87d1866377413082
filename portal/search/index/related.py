"""Articles like an article or like a text: related articles and duplicate candidates."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from whoosh import collectors, query

from portal.search.index.results import Filter, RawHit
from portal.search.index.scoring import GuardedCollector
from portal.search.index.warm import WarmSearcher

# Related articles: the fewest key terms a candidate must share, and the share of the best
# candidate's score below which it is not shown.
RELATED_MIN_TERMS: Final = 3
RELATED_TAIL: Final = 0.35


def more_like(
    warm: WarmSearcher, key: str, flt: Filter, tags: Sequence[str], category: str, limit: int
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
    with warm.reading() as searcher:
        number = searcher.document_number(key=key)
        if number is None:
            return []
        stored = searcher.stored_fields(number)
        text = " ".join(str(stored.get(name) or "") for name in ("title", "description", "body"))
        allowed = warm.allowed(searcher, flt)
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
            scores[doc] = score * (1.0 + 0.5 * len(shared)) * (1.2 if doc in same_category else 1.0)
        if not scores:
            return []
        ceiling = max(scores.values())
        ranked = sorted(
            (doc for doc, score in scores.items() if score >= RELATED_TAIL * ceiling),
            key=lambda doc: (-scores[doc], doc),
        )
        return [searcher.stored_fields(doc) for doc in ranked[:limit]]


def like_text(
    warm: WarmSearcher,
    time_limit: float,
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
    with warm.reading() as searcher:
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
        guard = GuardedCollector(searcher.collector(limit=limit), allowed, restrict, time_limit)
        with contextlib.suppress(collectors.TimeLimit):
            searcher.search_with_collector(query.Or(parts), guard)
        return tuple(
            RawHit(hit.fields(), float(hit.score)) for hit in list(guard.results())[:limit]
        )
