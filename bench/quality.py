"""Arabic retrieval quality on ARCD: each question against every paragraph as an article.

Prints Recall@10 and MRR@10 for Sanad's analyzer (light stemmer, Snowball stemmer, no stemmer)
and for Whoosh's plain StandardAnalyzer, built and queried the same way in the same run: one
text field, BM25F, an OR of the question's terms as Sanad builds it.

    .venv/bin/python bench/quality.py [--data ../shared/data/arcd-ar/data_arcd.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index, query
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.search.index import COORDINATION, SanadTokenizer  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "arcd-ar" / "data_arcd.json"


def load(path: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Paragraphs, and (question, index of its paragraph)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs: list[str] = []
    questions: list[tuple[str, int]] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            paragraphs.append(paragraph["context"])
            questions.extend((qa["question"], len(paragraphs) - 1) for qa in paragraph["qas"])
    return paragraphs, questions


def evaluate(
    name: str,
    analyzer: Callable[..., object],
    paragraphs: list[str],
    questions: list[tuple[str, int]],
) -> tuple[str, float, float, float]:
    with tempfile.TemporaryDirectory() as directory:
        ix = index.create_in(directory, Schema(n=ID(stored=True), body=TEXT(analyzer=analyzer)))
        writer = ix.writer()
        for number, text in enumerate(paragraphs):
            writer.add_document(n=str(number), body=text)
        writer.commit()
        started = time.perf_counter()
        hits = 0
        reciprocal = 0.0
        with ix.searcher() as searcher:
            for question, expected in questions:
                terms = list(dict.fromkeys(t.text for t in analyzer(question)))
                if not terms:
                    continue
                q = query.Or([query.Term("body", t) for t in terms], scale=COORDINATION)
                ranked = [int(hit["n"]) for hit in searcher.search(q, limit=10)]
                if expected in ranked:
                    hits += 1
                    reciprocal += 1 / (ranked.index(expected) + 1)
        seconds = time.perf_counter() - started
        ix.close()
    total = len(questions)
    return name, hits / total, reciprocal / total, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"ARCD not found at {args.data} (it ships in ../shared/data, beside the repo)")
    paragraphs, questions = load(args.data)
    print(f"ARCD: {len(questions)} questions over {len(paragraphs)} paragraphs")
    variants: list[tuple[str, Callable[..., object]]] = [
        ("sanad (light stemmer, default)", SanadTokenizer(stem=True, arabic_stemmer="light")),
        ("sanad (Snowball Arabic stemmer)", SanadTokenizer(stem=True, arabic_stemmer="snowball")),
        ("sanad (normalisation, no stemmer)", SanadTokenizer(stem=False)),
        ("whoosh StandardAnalyzer", StandardAnalyzer()),
    ]
    print(f"{'analyzer':<36} {'Recall@10':>9} {'MRR@10':>7} {'query s':>8}")
    for name, analyzer in variants:
        name, recall, mrr, seconds = evaluate(name, analyzer, paragraphs, questions)
        print(f"{name:<36} {recall:>9.3f} {mrr:>7.3f} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
