"""Scoring a query plan from cached per-word BM25F scores, and the deadline on every search.

Whoosh scores a query by walking a tree of posting matchers in pure Python, posting by
posting: at 10,000 articles that was ~95 % of a query, and the same popular words were scored
again for every query. Here each word or phrase is scored once per searcher over every
document (``ScoreCache``) and a query sums, intersects and subtracts those dicts, which gives
the same scores as Whoosh's own query tree (a test compares them).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from whoosh import collectors, query, scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from portal.search.analysis import QueryPlan, Unit
from portal.search.index.schema import FIELD_BOOSTS

# No coordination bonus (OrGroup.factory(0.9) would be 0.9): measured on ARCD it lowered
# Recall@10 from 0.944 to 0.939, left the golden queries unchanged, and disables Whoosh's
# block-skipping, costing a third of query time. BM25's sum already favours documents with
# more of the words. Set a float here to bring it back.
COORDINATION: Final[float | None] = None
# Scored postings kept per searcher (document-score pairs over every cached word and phrase):
# a few tens of megabytes; the least recently used words go first.
SCORE_CACHE_ENTRIES: Final = 600_000

Scores = dict[int, float]  # document number → score


@dataclass(frozen=True)
class Ranking:
    """How the BM25F sum of a query is refined at the top; each part measured in bench/quality.

    - ``coverage``: the best ``rerank`` candidates are multiplied by
      ``(units matched / units) ** coverage``, so a document with more of the words beats one
      that repeats a single common word;
    - ``proximity``: each pair of query words that stand within ``window`` positions of each
      other in a candidate's title or body adds ``proximity`` × the candidate's score / pairs;
    - ``common``: in a query of at least ``common_from`` optional words, a word found in more
      than this share of the documents is left out (it cannot tell documents apart and its
      thousands of postings are where long questions spend their time), unless fewer than
      two words would remain;
    - ``tail``: a hit scoring below ``tail`` × the best score of its language is *weak*:
      weak hits are listed after every strong one (the page folds them under "more results");
    - ``language``: when both languages answer, the reader's language comes first.
    """

    coverage: float = 0.0
    proximity: float = 0.0
    window: int = 3
    common: float | None = None
    common_from: int = 4
    tail: float | None = None
    rerank: int = 60
    near_depth: int = 20  # candidates whose word positions are read for proximity
    # The reader's language first (the service decides which language that is).
    language: bool = True


PLAIN: Final = Ranking(language=False)


class GuardedCollector(collectors.FilterCollector):  # type: ignore[misc]  # whoosh is untyped
    """Filter documents (allow set, restrict set) and stop at a wall-clock deadline.

    Raises ``TimeLimit`` once the deadline has passed; ``results()`` then holds what was
    collected so far. Checking the clock per document costs tens of nanoseconds.
    """

    def __init__(
        self, child: Any, allow: set[int] | None, restrict: set[int] | None, seconds: float
    ) -> None:
        super().__init__(child, allow=allow, restrict=restrict)
        self.seconds = seconds
        self.deadline = 0.0

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.deadline = time.monotonic() + self.seconds

    def collect_matches(self) -> None:
        child = self.child
        allow, restrict = self._allow, self._restrict
        deadline = self.deadline
        clock = time.monotonic
        for sub_docnum in child.matches():
            if clock() > deadline:
                raise collectors.TimeLimit
            number = self.offset + sub_docnum
            if (allow is not None and number not in allow) or (
                restrict is not None and number in restrict
            ):
                self.filtered_count += 1
                continue
            child.collect(sub_docnum)


class ScoreCache:
    """Word or phrase → its scores over the text fields, for one searcher (LRU, bounded).

    Whoosh scores a query by walking a tree of posting matchers in pure Python, posting by
    posting: at 10,000 articles that was ~95 % of a query, and the same popular words were
    scored again for every query. A word's BM25F scores across the boosted fields depend only
    on the index, so they are computed once per searcher (a new searcher, after any change,
    starts empty) and a query combines the cached dicts (``search_plan``).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[str, ...], Scores] = OrderedDict()
        self._size = 0
        # field → decoded length of that field in each document (global document numbers)
        self.lengths: dict[str, list[float]] = {}

    def get(self, key: tuple[str, ...]) -> Scores | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, ...], scores: Scores) -> None:
        self._entries[key] = scores
        self._size += len(scores) + 1
        while self._size > self.budget and len(self._entries) > 1:
            _key, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped) + 1

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0
        self.lengths.clear()


def sum_scores(parts: Sequence[Scores]) -> Scores:
    """Whoosh's ``Or``: a document matching several parts scores the sum of their scores."""
    if not parts:
        return {}
    ordered = sorted(parts, key=len, reverse=True)
    total = dict(ordered[0])
    for part in ordered[1:]:
        get = total.get
        for number, score in part.items():
            total[number] = get(number, 0.0) + score
    return total


def best(scores: Scores, numbers: set[int], count: int) -> list[int]:
    """The ``count`` best of ``numbers`` by score, ties by document number (Whoosh's order).

    As ``heapq.nsmallest(count, numbers, key=lambda n: (-scores[n], n))``, with the loop
    over every matching document done by C (``map``, ``compress``): a common word matches
    most of the index, and building a key tuple per document was a tenth of such a query.
    """
    if count <= 0 or not numbers:
        return []
    ordered = list(numbers)
    values = list(map(scores.__getitem__, ordered))
    if len(ordered) > count:
        floor = heapq.nlargest(count, values)[-1]
        ordered = list(itertools.compress(ordered, map(floor.__le__, values)))
    ordered.sort(key=lambda n: (-scores[n], n))
    return ordered[:count]


def intersect(parts: Sequence[Scores]) -> Scores:
    """Whoosh's ``And``: documents matching every part, scored by the sum."""
    ordered = sorted(parts, key=len)
    common = set(ordered[0])
    for part in ordered[1:]:
        common.intersection_update(part)
    return {number: sum(part[number] for part in ordered) for number in common}


# --- the index ------------------------------------------------------------------------------


def text_query(terms: tuple[str, ...]) -> query.Query:
    """One word or phrase across the text fields, each with its boost."""
    if len(terms) == 1:
        parts: list[query.Query] = [
            query.Term(name, terms[0], boost=boost) for name, boost in FIELD_BOOSTS.items()
        ]
    else:
        parts = [
            query.Phrase(name, list(terms), boost=boost) for name, boost in FIELD_BOOSTS.items()
        ]
    return query.Or(parts)


def plan_scores(
    searcher: Searcher,
    cache: ScoreCache,
    plan: QueryPlan,
    deadline: float,
    ranking: Ranking = PLAIN,
    parts: list[Scores] | None = None,
) -> tuple[Scores, bool]:
    """Every document the plan matches with its score, and whether the deadline cut it short.

    Optional units are summed (Whoosh's ``Or``), required ones intersected and added
    (``AndMaybe``), excluded ones subtracted (``AndNot``). Past the deadline the units
    scored so far count, as a timed-out Whoosh search returns what it found so far.
    ``parts``, when given, receives the score dict of every positive unit (for coverage).
    """
    optional: list[Scores] = []
    required: list[Scores] = []
    excluded: list[Scores] = []
    timed_out = False
    for unit in _kept_units(searcher, plan.units, ranking):
        try:
            scores = _unit_scores(searcher, cache, unit, deadline)
        except collectors.TimeLimit:
            timed_out = True
            break
        if unit.excluded:
            excluded.append(scores)
        elif unit.required:
            required.append(scores)
        else:
            optional.append(scores)
    if parts is not None:
        parts.extend(optional)
        parts.extend(required)
    matched = sum_scores(optional)
    if required:
        must = intersect(required)
        get = matched.get
        matched = {number: score + get(number, 0.0) for number, score in must.items()}
    for scores in excluded:
        for number in scores.keys() & matched.keys():
            del matched[number]
    return matched, timed_out


def _kept_units(searcher: Searcher, units: Sequence[Unit], ranking: Ranking) -> Sequence[Unit]:
    """The units worth scoring: without the too-common optional words of a long query."""
    if ranking.common is None:
        return units
    optional = [u for u in units if not u.required and not u.excluded]
    if len(optional) < ranking.common_from:
        return units
    total = searcher.doc_count() or 1
    reader = searcher.reader()
    common: set[Unit] = set()
    for unit in optional:
        if all(len(alt) == 1 for alt in unit.alternatives):
            frequency = sum(reader.doc_frequency("body", alt[0]) for alt in unit.alternatives)
            if frequency / total > ranking.common:
                common.add(unit)
    if len(optional) - len(common) < 2:
        return units
    return [unit for unit in units if unit not in common]


def _unit_scores(searcher: Searcher, cache: ScoreCache, unit: Unit, deadline: float) -> Scores:
    """One query unit: the sum of its alternatives (a synonym group), each cached."""
    parts = [_alternative_scores(searcher, cache, terms, deadline) for terms in unit.alternatives]
    return parts[0] if len(parts) == 1 else sum_scores(parts)


def _alternative_scores(
    searcher: Searcher, cache: ScoreCache, terms: tuple[str, ...], deadline: float
) -> Scores:
    """A word or phrase across the boosted text fields, scored by Whoosh, cached."""
    found = cache.get(terms)
    if found is not None:
        return found
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise collectors.TimeLimit
    weighting = searcher.weighting
    if len(terms) == 1 and type(weighting) is scoring.BM25F and not weighting._field_B:
        scores = sum_scores(
            [
                term_scores(searcher, cache, name, terms[0], boost, weighting)
                for name, boost in FIELD_BOOSTS.items()
            ]
        )
    else:  # phrases: Whoosh's own matchers, posting by posting
        inner = collectors.UnlimitedCollector()
        searcher.search_with_collector(
            text_query(terms), GuardedCollector(inner, None, None, remaining)
        )
        scores = {number: score for score, number in inner.items}
    cache.put(terms, scores)
    return scores


def term_scores(
    searcher: Searcher,
    cache: ScoreCache,
    fieldname: str,
    text: str,
    boost: float,
    weighting: Any,
) -> Scores:
    """BM25F scores of one term in one field, as Whoosh's ``BM25FScorer`` computes them.

    Read a block of postings at a time (document numbers and term frequencies are arrays
    in Whoosh's format) instead of three method calls per posting: ~50× faster on a
    word's first use. Same formula, same statistics (idf and average length of the whole
    index, decoded field lengths), so the same scores; a test compares them.
    """
    idf = searcher.idf(fieldname, text)
    average = searcher.avg_field_length(fieldname) or 1
    k1, b = weighting.K1, weighting.B
    factor = boost * idf * (k1 + 1)
    base = k1 * (1 - b)
    per_length = k1 * b / average
    lengths = _field_lengths(searcher, cache, fieldname)
    scores: Scores = {}
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        deleted: Any = ()
        if isinstance(matcher, FilterMatcher):  # the segment has deleted documents
            deleted = reader.deleted_docs_set
            matcher = matcher.child
        ids: list[int] = []
        weights: list[float] = []
        if isinstance(matcher, W3LeafMatcher):  # whole blocks, through its private API
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                ids.extend(matcher._ids)
                weights.extend(matcher._weights)
                matcher._next_block()
        else:  # postings inlined in the term index (rare terms)
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
        for number, tf in zip(ids, weights, strict=True):
            if number in deleted:
                continue
            number += offset
            scores[number] = factor * tf / (tf + base + per_length * lengths[number])
    return scores


def _field_lengths(searcher: Searcher, cache: ScoreCache, fieldname: str) -> list[float]:
    """Each document's length of ``fieldname`` as Whoosh scores it, read once per searcher."""
    found = cache.lengths.get(fieldname)
    if found is None:
        table = [float(byte_to_length(byte)) for byte in range(256)]
        found = []
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            count = reader.doc_count_all()
            try:  # the segment's length column is one byte per document
                column = reader._perdoc.column_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
                raw = bytes(column._dbfile.get(column._basepos, column._count))
                raw = raw[:count] + bytes(count - len(raw))
                found.extend(table[byte] or 1.0 for byte in raw)
            except (AttributeError, OSError):  # another codec: the public, slower way
                found.extend(
                    float(reader.doc_field_length(n, fieldname, 1) or 1) for n in range(count)
                )
        cache.lengths[fieldname] = found
    return found


def refine(
    searcher: Searcher,
    matched: Scores,
    parts: Sequence[Scores],
    plan: QueryPlan,
    candidates: Iterable[int],
    ranking: Ranking,
) -> Scores:
    """Final scores of ``candidates``: BM25F × coverage, plus the proximity bonus."""
    numbers = list(candidates)
    if not numbers:
        return {}
    count = len(parts) or 1
    out: Scores = {}
    for number in numbers:
        score = matched[number]
        if ranking.coverage and count > 1:
            found = sum(1 for part in parts if number in part)
            score *= (found / count) ** ranking.coverage
        out[number] = score
    if ranking.proximity:
        words = list(
            dict.fromkeys(
                unit.alternatives[0][0]
                for unit in plan.units
                if not unit.excluded and len(unit.alternatives[0]) == 1
            )
        )
        if len(words) > 1:
            leaders = sorted(numbers, key=lambda n: -out[n])[: ranking.near_depth]
            near = _near_pairs(searcher, leaders, words, ranking.window)
            pairs = len(words) - 1
            for number in leaders:
                if near.get(number):
                    out[number] += ranking.proximity * matched[number] * near[number] / pairs
    return out


def _near_pairs(
    searcher: Searcher, numbers: Sequence[int], words: Sequence[str], window: int
) -> dict[int, int]:
    """For each document, how many pairs of consecutive query words stand within ``window``."""
    positions: dict[int, list[list[int]]] = {number: [[] for _ in words] for number in numbers}
    wanted = sorted(numbers)
    for fieldname in ("title", "body"):
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            size = reader.doc_count_all()
            local = [n - offset for n in wanted if 0 <= n - offset < size]
            if not local:
                continue
            for slot, word in enumerate(words):
                if (fieldname, word) not in reader:
                    continue
                matcher = reader.postings(fieldname, word)
                for doc in local:
                    if not matcher.is_active():
                        break
                    if matcher.id() < doc:
                        matcher.skip_to(doc)
                        if not matcher.is_active():
                            break
                    if matcher.id() == doc:
                        base = 0 if fieldname == "title" else 10_000
                        positions[doc + offset][slot].extend(
                            base + p for p in matcher.value_as("positions")
                        )
    near: dict[int, int] = {}
    for number, found in positions.items():
        count = 0
        for left, right in itertools.pairwise(found):
            if left and right and _close(left, right, window):
                count += 1
        if count:
            near[number] = count
    return near


def _close(left: list[int], right: list[int], window: int) -> bool:
    """Whether some position of ``left`` and some of ``right`` are within ``window``."""
    a, b = sorted(left), sorted(right)
    i = j = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= window:
            return True
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return False
