"""The query path's shortcuts give what the straightforward code gives.

Snippet spans are found from distinct tokens and ``str.find`` instead of token by token, and
the page of hits is picked with C-level loops instead of ``heapq.nsmallest`` with a key: both
are compared with the plain versions on real article text and on awkward input.
"""

from __future__ import annotations

import heapq
import random
from pathlib import Path

import pytest

from portal.kb.rendering import plain_text
from portal.kb.repository import ArticleRepository
from portal.search import analysis
from portal.search.index.scoring import best

ROOT = Path(__file__).resolve().parents[2]


def token_by_token(text: str, wanted: frozenset[str]) -> list[tuple[int, int]]:
    return [
        match.span()
        for match in analysis._TOKEN_RE.finditer(text)
        if analysis.term_of(match.group()) in wanted
    ]


AWKWARD = [
    "بالVPN VPNبال vpn_x x_vpn كلمـــة كلمة المَرور الكلمة",
    "password passwords pass password_reset re-password PASSWORD Password.",
    "a-b a.b ab_ ١٢٣ 123 ۱۲۳ ٣x x٣",
    "ﻻ لا الا ﻷ",
    "aa aaa aa aaaa a aa",
    "",
    "   ",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_snippet_spans_on_awkward_text(text: str) -> None:
    for query in ("vpn", "كلمة", "password", "aa", "123 ٣", "لا", "pass"):
        wanted = frozenset(analysis.terms(query))
        assert analysis._match_spans(text, wanted) == token_by_token(text, wanted), query


def test_snippet_spans_on_the_starter_articles() -> None:
    articles = ArticleRepository(ROOT / "articles").load_all().articles
    rng = random.Random(5)  # noqa: S311  # a repeatable sample, not a secret
    checked = 0
    for article in articles:
        text = plain_text(article.body)
        title_terms = analysis.terms(article.title)
        for wanted in (
            frozenset(title_terms[:2]),
            frozenset(rng.sample(analysis.terms(text), min(3, len(analysis.terms(text))))),
        ):
            expected = token_by_token(text, wanted)
            assert analysis._match_spans(text, wanted) == expected, article.path
            checked += len(expected)
    assert checked > 1000  # the texts really contained what was asked for


def test_best_matches_nsmallest_including_ties() -> None:
    rng = random.Random(11)  # noqa: S311  # a repeatable sample, not a secret
    for _trial in range(500):
        size = rng.choice([0, 1, 7, 10, 11, 400])
        scores = {
            n: rng.choice([1.0, 2.0, 0.5, rng.random()]) for n in rng.sample(range(5000), size)
        }
        numbers = {n for n in scores if rng.random() < 0.8}
        count = rng.choice([0, 1, 10, 20, 60])
        expected = heapq.nsmallest(count, numbers, key=lambda n: (-scores[n], n))
        assert best(scores, numbers, count) == expected
