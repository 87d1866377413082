"""Words within N edits come from the in-memory vocabulary exactly as Whoosh finds them.

"Did you mean" and the fuzzy fallback ask for the indexed words within an edit distance of a
word. ``Vocabulary.within`` answers from memory with two exact bounds before computing any
distance; these tests compare it with Whoosh's plain walk of the vocabulary
(``IndexReader.terms_within``: Damerau-Levenshtein, what Whoosh uses for an index of several
segments) on the starter articles, on misspellings of their words, and on the words of real
questions over a slice of the real corpora. Whoosh's one-segment reader answers with a
Levenshtein automaton instead, which misses transpositions: a subset of the same answer.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import pytest
from whoosh.collectors import UnlimitedCollector
from whoosh.reading import IndexReader

from portal.config import load_settings
from portal.kb.repository import ArticleRepository
from portal.search import analysis
from portal.search.index import Filter
from portal.search.index.vocabulary import vocabulary
from portal.search.services import SearchService
from tests.support.articles import PROJECT_ROOT
from tests.support.prerequisites import shared_data


def _service(root: Path, articles: Path) -> SearchService:
    settings = load_settings(
        {
            "articles_dir": articles,
            "index_dir": root / "search_index",
            "instance_dir": root / "instance",
            "secret_key": "test-secret",
            "testing": True,
        }
    )
    service = SearchService(settings, ArticleRepository(articles))
    service.rebuild()
    return service


def _misspelt(word: str, rng: random.Random) -> str:
    """``word`` with one or two random edits after its first letter."""
    letters = list(word)
    alphabet = "abcdeilmnoprstuvwxyzابتثجحخدرسشصطعفقكلمنهوي"
    for _ in range(rng.choice((1, 2))):
        if len(letters) < 2:
            break
        at = rng.randrange(1, len(letters))
        edit = rng.choice(("substitute", "insert", "delete", "swap"))
        if edit == "substitute":
            letters[at] = rng.choice(alphabet)
        elif edit == "insert":
            letters.insert(at, rng.choice(alphabet))
        elif edit == "delete" and len(letters) > 2:
            del letters[at]
        elif at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def _compare(service: SearchService, words: Iterable[str]) -> int:
    warm = service._index.warm
    checked = 0
    with warm.reading() as searcher:
        reader = searcher.reader()
        words_of_index = vocabulary(warm, searcher)
        for word in dict.fromkeys(words):
            if len(word) < 2:
                continue
            for distance in (1, 2):
                plain = IndexReader.terms_within(reader, "words", word, distance, prefix=1)
                expected = [str(term) for term in plain]
                got = words_of_index.within(word, distance)
                assert got == expected, (word, distance)
                own = {str(term) for term in reader.terms_within("words", word, distance, 1)}
                assert own <= set(got), (word, distance)
            checked += 1
    return checked


def test_within_matches_whoosh_on_the_starter_articles(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "articles", tmp_path / "articles")
    service = _service(tmp_path, tmp_path / "articles")
    try:
        warm = service._index.warm
        with warm.reading() as searcher:
            indexed = [str(t) for t in searcher.reader().lexicon("words")]
        rng = random.Random(3)  # noqa: S311  # a repeatable sample, not a secret
        sample = rng.sample(indexed, min(120, len(indexed)))
        typed = [
            *sample,
            *(_misspelt(word, rng) for word in sample),
            # the cases and words no article has
            "zzqxv", "خرطوش", "فضائي", "تطبغ", "طابعه", "vpnn", "pasword", "outlok",
            "ءءء", "ـــ", "x", "١٢٣٤",
        ]  # fmt: skip
        assert _compare(service, typed) > 200
        with warm.reading() as searcher:  # a transposition is one edit
            assert "طباعه" in vocabulary(warm, searcher).within("طابعه", 1)
    finally:
        service.close()


def _write(root: Path, corpus: Path, lang: str, count: int) -> None:
    for number, path in enumerate(sorted(corpus.rglob("*.md"))[:count]):
        text = path.read_text(encoding="utf-8", errors="replace")
        body = text.split("\n---", 1)[1] if text.startswith("---") and "\n---" in text else text
        title = re.search(r"^# (.+)$", body, re.MULTILINE)
        front = f"---\nid: c{number}\ntitle: {json.dumps(title.group(1) if title else path.stem)}\n"
        (root / f"c{number}.{lang}.md").write_text(
            f"{front}lang: {lang}\ncategory: corpus\n---\n\n{body}\n", encoding="utf-8"
        )


def _question_words() -> list[str]:
    arcd = json.loads((shared_data("arcd-ar") / "data_arcd.json").read_text(encoding="utf-8"))
    questions = [
        qa["question"]
        for article in arcd["data"][:15]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    semeval = shared_data("semeval2016-ql-en") / "SemEval2016-Task3-CQA-QL-dev.xml"
    root = ET.parse(semeval).getroot()  # noqa: S314  # the shared relevance set
    questions += [q.findtext("RelQSubject") or "" for q in root.iter("RelQuestion")][:60]
    return [
        word
        for question in questions
        for token, _start, _end in analysis.raw_tokens(question)
        if (word := analysis.term_of(token, stem=False)) is not None and len(word) >= 3
    ]


@pytest.mark.shared_data
def test_within_matches_whoosh_on_real_questions(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    _write(articles, shared_data("kb-ar-m365-insights"), "ar", 250)
    _write(articles, shared_data("kb-en-office-support"), "en", 250)
    service = _service(tmp_path, articles)
    try:
        assert _compare(service, _question_words()) > 150
    finally:
        service.close()


def _whoosh_fuzzy(service: SearchService, words: list[str]) -> tuple[list[float], int]:
    """Every score Whoosh gives the fuzzy query (scoring every match), best first; the total."""
    index = service._index
    fuzzy = index.fuzzy_query(words)
    assert fuzzy is not None
    with index.warm.reading() as searcher:
        inner = UnlimitedCollector()
        searcher.search_with_collector(fuzzy, inner)
        scores = sorted(inner.results().items(), key=lambda item: -item[1])
        return [score for _doc, score in scores], len(scores)


@pytest.mark.parametrize(
    "text",
    ["pasword resett", "outlok calender", "vpnn conection", "طابعه تطبغ", "كلمه المرو", "wifi"],
)
def test_fuzzy_search_scores_as_whoosh(tmp_path: Path, text: str) -> None:
    """The fuzzy fallback from cached term scores: Whoosh's scores, totals and facets."""
    shutil.copytree(PROJECT_ROOT / "articles", tmp_path / "articles")
    service = _service(tmp_path, tmp_path / "articles")
    try:
        words = [
            word
            for token, _start, _end in analysis.raw_tokens(text)
            if (word := analysis.term_of(token, stem=False)) is not None
        ]
        expected, total = _whoosh_fuzzy(service, words)
        got = service._index.fuzzy_search(words, Filter("all"), 0, 50)
        assert got.total == total > 0
        assert [round(h.score, 9) for h in got.hits] == [round(s, 9) for s in expected[:50]]
        fuzzy = service._index.fuzzy_query(words)
        assert fuzzy is not None
        whoosh_way = service._index.search(fuzzy, Filter("all"), 0, 5)
        assert got.facets == whoosh_way.facets
        assert got.total == whoosh_way.total
    finally:
        service.close()
