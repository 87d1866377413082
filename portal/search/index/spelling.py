"""Words for suggestions: "did you mean" corrections as the articles spell them, and the
titles that match what is typed so far."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from whoosh import query
from whoosh.searching import Searcher

from portal.search.analysis import surface_counts, term_of, token_counts
from portal.search.index.queries import search
from portal.search.index.results import Filter
from portal.search.index.vocabulary import vocabulary
from portal.search.index.warm import WarmSearcher


def corrections(warm: WarmSearcher, words: Sequence[str]) -> dict[str, str]:
    """Corrections for words the index has never seen, as indexed (normalised) words.

    A correction is the most frequent indexed word at edit distance 1 (words of up to five
    letters) or, failing that for longer words, 2, sharing the first letter. It is shown
    only in a spelling the articles use (``surface``), which is looked up only for the
    corrections a suggestion keeps: most are dropped by the honesty check.
    """
    found: dict[str, str] = {}
    with warm.reading() as searcher:
        cache = warm.caches.corrections
        for word in words:
            if len(word) < 3:
                continue
            # Words within an edit distance (see ``vocabulary``): once per word and searcher.
            if word not in cache:
                correction = None
                if not frequency(warm, searcher, word):
                    correction = _correct(warm, searcher, word)
                if len(cache) > 10_000:
                    cache.clear()
                cache[word] = correction
            correction = cache[word]
            if correction is not None:
                found[word] = correction
    return found


def vocabulary_suggestions(warm: WarmSearcher, words: Sequence[str]) -> dict[str, str]:
    """``corrections`` as the articles spell them (with their hamza and taa marbuta, not
    the normalised form the index holds); a word without such a spelling is left out."""
    found: dict[str, str] = {}
    for word, term in corrections(warm, words).items():
        spelled = surface(warm, term)
        if spelled is not None:
            found[word] = spelled
    return found


def frequency(warm: WarmSearcher, searcher: Searcher, word: str) -> int:
    """How many documents hold ``word`` in the ``words`` field, kept per searcher.

    Whoosh's ``doc_frequency`` looks the word up in every segment's term table in Python;
    the same words come back in query after query (and as correction candidates)."""
    found = warm.caches.frequencies
    count = found.get(word)
    if count is None:
        count = searcher.reader().doc_frequency("words", word)
        if len(found) > 100_000:
            found.clear()
        found[word] = count
    return count


def _correct(warm: WarmSearcher, searcher: Searcher, word: str) -> str | None:
    words = vocabulary(warm, searcher)
    for distance in range(1, (1 if len(word) <= 5 else 2) + 1):
        found = [term for term in words.within(word, distance) if term != word]
        if found:
            return max(found, key=lambda t: (frequency(warm, searcher, t), t))
    return None


def surface(warm: WarmSearcher, term: str) -> str | None:
    """The spelling of an indexed (normalised) word most often used in the articles.

    Found in the stored text of the first three documents holding it, once per searcher:
    different misspellings («طابعه», «طباعه») often correct to the same word."""
    found = warm.caches.surfaces
    if term not in found:
        with warm.reading() as searcher:
            spelled = _surface(searcher, term)
        if len(found) > 10_000:
            found.clear()
        found[term] = spelled
    return found[term]


def _surface(searcher: Searcher, term: str) -> str | None:
    counts: dict[str, int] = {}
    numbers = itertools.islice(searcher.docs_for_query(query.Term("words", term)), 3)
    for number in numbers:
        fields = searcher.stored_fields(number)
        text = " ".join(
            str(fields.get(name) or "")[:20_000] for name in ("title", "description", "body")
        )
        text += " " + " ".join(str(tag) for tag in fields.get("tag_list") or ())
        found = surface_counts(text, term)
        if found is None:  # a spelling ``str.find`` cannot see: count every distinct token
            found = Counter(
                {t: n for t, n in token_counts(text).items() if term_of(t, stem=False) == term}
            )
        for token, times in found.items():
            counts[token] = counts.get(token, 0) + times
    if not counts:
        return None
    return max(counts, key=lambda token: (counts[token], token.islower(), token))


def known(warm: WarmSearcher, word: str) -> bool:
    """Whether any article holds ``word`` (an indexed, normalised word)."""
    with warm.reading() as searcher:
        return bool(frequency(warm, searcher, word))


def prefix_titles(
    warm: WarmSearcher, time_limit: float, before: Sequence[str], last: str, flt: Filter, limit: int
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
        results = search(warm, time_limit, q, flt, 0, limit, facets=False)
        for hit in results.hits:
            key = str(hit.fields["key"])
            if key not in seen:
                seen.add(key)
                found.append(hit.fields)
        if len(found) >= limit:
            break
    return found[:limit]
