"""Ranking quality: the current ranking against each change, on three sets, in one run.

Sets (the first two are real third-party relevance sets in ../shared/data, never copied here):

- **ARCD** (Arabic question → paragraph): 1,395 questions, each against all 465 paragraphs
  indexed as articles (the paragraph is the body); Recall@10 and MRR@10.
- **SemEval-2016 Task 3 subtask B** (English question → question): for each original
  question, its 10 related questions are reranked by Sanad (all related questions of the
  file are indexed, subject as title, body as body; the original's subject and body are the
  query); MAP as the organisers' scorer computes it (PerfectMatch and Relevant are relevant;
  precision averaged over the relevant ranks within the top 10; a question without relevant
  ones counts 0). The organisers' search-engine order is printed as a check (0.7135 on dev).
- **Golden, graded** (``bench/golden_graded.yml``, our own judgments on the starter articles):
  nDCG@5 with grades 0–3, both languages, through ``SearchService`` (synonyms, the reader's
  interface language), plus the precision of the strong head (hits not in the weak tail).

Every variant is a ``Ranking`` (``portal.search.index.scoring``) run on the same indexes.

    .venv/bin/python bench/quality.py [--sets arcd,semeval,golden] [--analyzers]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.config import load_settings  # noqa: E402
from portal.kb.repository import ArticleRepository  # noqa: E402
from portal.search.analysis import parse_query  # noqa: E402
from portal.search.index import (  # noqa: E402
    PLAIN,
    Filter,
    IndexState,
    Ranking,
    SanadTokenizer,
    SearchIndex,
)
from portal.search.models import SearchQuery  # noqa: E402
from portal.search.services import RANKING, SearchService  # noqa: E402

# ../shared/data beside the repository (or beside a worktree's parent directory).
DATA = next(
    (p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
    ROOT.parent / "shared" / "data",
)
ARCD = DATA / "arcd-ar" / "data_arcd.json"
SEMEVAL = DATA / "semeval2016-ql-en"
SEMEVAL_FILES = ("SemEval2016-Task3-CQA-QL-dev.xml", "SemEval2016-Task3-CQA-QL-train-part2.xml")
GOLDEN = ROOT / "bench" / "golden_graded.yml"

# The current ranking first, then each change alone, then what is kept together.
VARIANTS: list[tuple[str, Ranking]] = [
    ("current (BM25F sum)", PLAIN),
    ("+ reader's language first", replace(PLAIN, language=True)),
    ("+ coverage ^1", replace(PLAIN, coverage=1.0)),
    ("+ coverage ^0.5", replace(PLAIN, coverage=0.5)),
    ("+ coverage ^2", replace(PLAIN, coverage=2.0)),
    ("+ proximity 0.3", replace(PLAIN, proximity=0.3)),
    ("+ proximity 1.0", replace(PLAIN, proximity=1.0)),
    ("+ common words (>30 %) dropped", replace(PLAIN, common=0.3)),
    ("+ common words (>15 %) dropped", replace(PLAIN, common=0.15)),
    ("+ weak tail (< 0.3 of best)", replace(PLAIN, tail=0.3)),
    ("+ coverage ^1 + proximity 0.3", replace(PLAIN, coverage=1.0, proximity=0.3)),
    ("kept (services.RANKING)", RANKING),
]


@dataclass
class Document:
    key: str
    lang: str
    title: str
    body: str


def _fields(doc: Document) -> dict[str, Any]:
    ident = doc.key.split("/", 1)[1]
    return {
        "key": doc.key,
        "id": ident,
        "lang": doc.lang,
        "category": "bench",
        "kind": "article",
        "status": "published",
        "audience": "public",
        "path": f"{ident}.md",
        "translation_of": "",
        "updated": None,
        "tag_list": [],
        "tag": "",
        "title": doc.title,
        "tags": "",
        "description": "",
        "body": doc.body,
        "words": f"{doc.title}\n{doc.body}",
        "title_words": doc.title,
        "title_sort": doc.title or ident,
    }


def build(directory: Path, documents: Iterable[Document]) -> SearchIndex:
    index = SearchIndex(directory)
    with index.writing():
        index.rebuild((_fields(doc) for doc in documents), IndexState(None, ()), 1)
    return index


def ranked_keys(
    index: SearchIndex, text: str, ranking: Ranking, limit: int, prefer: str | None = None
) -> list[str]:
    plan = parse_query(text[:500])
    if not plan.positive:
        return []
    found = index.search_plan(plan, Filter("all"), 0, limit, False, ranking, prefer)
    return [str(hit.fields["key"]) for hit in found.hits]


# --- ARCD ----------------------------------------------------------------------------------


def arcd(directory: Path) -> Callable[[Ranking], dict[str, float]]:
    data = json.loads(ARCD.read_text(encoding="utf-8"))
    documents: list[Document] = []
    questions: list[tuple[str, str]] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            key = f"ar/p{len(documents)}"
            documents.append(Document(key, "ar", "", paragraph["context"]))
            questions.extend((qa["question"], key) for qa in paragraph["qas"])
    index = build(directory / "arcd", documents)

    def run(ranking: Ranking) -> dict[str, float]:
        hits = 0
        reciprocal = 0.0
        for question, expected in questions:
            ranked = ranked_keys(index, question, ranking, 10)
            if expected in ranked:
                hits += 1
                reciprocal += 1 / (ranked.index(expected) + 1)
        return {"R@10": hits / len(questions), "MRR@10": reciprocal / len(questions)}

    return run


# --- SemEval-2016 subtask B ----------------------------------------------------------------


def average_precision(relevant: Sequence[bool], depth: int = 10) -> float:
    """The organisers' AP: mean precision at each relevant rank in the top ``depth``."""
    precisions: list[float] = []
    correct = 0
    for rank, is_relevant in enumerate(relevant[:depth], start=1):
        if is_relevant:
            correct += 1
            precisions.append(correct / rank)
    return sum(precisions) / len(precisions) if precisions else 0.0


def semeval(directory: Path, name: str) -> Callable[[Ranking], dict[str, float]]:
    root = ET.parse(SEMEVAL / name).getroot()  # noqa: S314  # the shared data set, not input
    documents: list[Document] = []
    by_id: dict[str, tuple[str, list[tuple[str, bool, int]]]] = {}
    for original in root.iter("OrgQuestion"):
        subject = original.findtext("OrgQSubject") or ""
        body = original.findtext("OrgQBody") or ""
        _text, related = by_id.setdefault(original.get("ORGQ_ID", ""), (f"{subject} {body}", []))
        for thread in original.iter("Thread"):
            question = thread.find("RelQuestion")
            if question is None:
                continue
            ident = question.get("RELQ_ID", "")
            key = f"en/{ident.lower().replace('_', '-')}"
            relevant = question.get("RELQ_RELEVANCE2ORGQ") in ("PerfectMatch", "Relevant")
            order = int(question.get("RELQ_RANKING_ORDER", "0"))
            related.append((key, relevant, order))
            documents.append(
                Document(
                    key,
                    "en",
                    question.findtext("RelQSubject") or "",
                    question.findtext("RelQBody") or "",
                )
            )
    originals = list(by_id.values())
    unique = {doc.key: doc for doc in documents}
    index = build(directory / name, unique.values())

    def engine() -> float:
        total = 0.0
        for _text, related in originals:
            ordered = sorted(related, key=lambda r: r[2])
            total += average_precision([r[1] for r in ordered])
        return total / len(originals)

    def run(ranking: Ranking) -> dict[str, float]:
        total = 0.0
        for text, related in originals:
            ranked = ranked_keys(index, text, ranking, len(unique))
            position = {key: number for number, key in enumerate(ranked)}
            ordered = sorted(related, key=lambda r: (position.get(r[0], len(ranked)), r[2]))
            total += average_precision([r[1] for r in ordered])
        return {"MAP": total / len(originals)}

    run.engine = engine  # type: ignore[attr-defined]
    return run


# --- the graded golden set -----------------------------------------------------------------


def ndcg(grades: Sequence[int], ideal: Sequence[int], depth: int = 5) -> float:
    def dcg(values: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values[:depth]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(grades) / best if best else 0.0


def golden(directory: Path, learning: bool = False) -> Callable[[Ranking], dict[str, float]]:
    """``learning``: every service blends what an (empty) learned store holds, through the
    same code path as the site (docs/search.md, "Learning from use")."""
    data = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    cases = data["queries"]
    settings = load_settings(
        {
            "articles_dir": ROOT / "articles",
            "index_dir": directory / "golden",
            "instance_dir": directory / "instance",
            "secret_key": "bench",
        }
    )
    services: dict[Ranking, SearchService] = {}
    first = SearchService(settings, ArticleRepository(ROOT / "articles"))
    first.rebuild()
    store = _empty_learned_store(directory) if learning else None

    def run(ranking: Ranking) -> dict[str, float]:
        service = services.get(ranking)
        if service is None:
            service = services[ranking] = SearchService(
                settings, ArticleRepository(ROOT / "articles"), ranking, learned=store
            )
        totals: dict[str, list[float]] = {"nDCG@5": [], "nDCG@5 ar": [], "nDCG@5 en": []}
        precision: list[float] = []
        for case in cases:
            grades: dict[str, int] = case["grades"]
            found = service.search(
                SearchQuery(str(case["q"]), per_page=10, visibility="all", reader_lang=case["ui"])
            )
            keys = [hit.entry.key for hit in found.hits]
            score = ndcg([grades.get(key, 0) for key in keys], list(grades.values()))
            totals["nDCG@5"].append(score)
            totals[f"nDCG@5 {case['ui']}"].append(score)
            strong = found.strong if found.strong is not None else found.total
            head = keys[: min(strong, 10)]
            if head:
                precision.append(sum(1 for key in head if grades.get(key, 0) > 0) / len(head))
        out = {name: sum(values) / len(values) for name, values in totals.items() if values}
        out["P(strong@10)"] = sum(precision) / len(precision) if precision else 0.0
        return out

    return run


def _empty_learned_store(directory: Path) -> Any:
    """A learned store over a freshly migrated, empty SQLite database."""
    from portal.db import make_engine, make_session_factory, upgrade_database
    from portal.search.learned import LearnedStore

    url = f"sqlite:///{directory / 'learned.db'}"
    upgrade_database(url)
    settings = load_settings({"secret_key": "bench", "instance_dir": directory / "instance"})
    return LearnedStore(make_session_factory(make_engine(url)), settings.search)


# --- the analyzer comparison (kept from the first version of this benchmark) ---------------


def analyzers() -> None:
    from whoosh import index, query
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    data = json.loads(ARCD.read_text(encoding="utf-8"))
    paragraphs = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    questions = [
        (qa["question"], number)
        for number, p in enumerate(p for a in data["data"] for p in a["paragraphs"])
        for qa in p["qas"]
    ]
    variants: list[tuple[str, Any]] = [
        ("sanad (light stemmer, default)", SanadTokenizer(stem=True, arabic_stemmer="light")),
        ("sanad (Snowball Arabic stemmer)", SanadTokenizer(stem=True, arabic_stemmer="snowball")),
        ("sanad (normalisation, no stemmer)", SanadTokenizer(stem=False)),
        ("whoosh StandardAnalyzer", StandardAnalyzer()),
    ]
    print(f"\nARCD analyzers (one field, OR query)\n{'analyzer':<36} {'R@10':>6} {'MRR@10':>7}")
    for name, analyzer in variants:
        with tempfile.TemporaryDirectory() as directory:
            ix = index.create_in(directory, Schema(n=ID(stored=True), body=TEXT(analyzer=analyzer)))
            writer = ix.writer()
            for number, text in enumerate(paragraphs):
                writer.add_document(n=str(number), body=text)
            writer.commit()
            hits, reciprocal = 0, 0.0
            with ix.searcher() as searcher:
                for question, expected in questions:
                    terms = list(dict.fromkeys(t.text for t in analyzer(question)))
                    if not terms:
                        continue
                    q = query.Or([query.Term("body", t) for t in terms])
                    ranked = [int(hit["n"]) for hit in searcher.search(q, limit=10)]
                    if expected in ranked:
                        hits += 1
                        reciprocal += 1 / (ranked.index(expected) + 1)
            ix.close()
        print(f"{name:<36} {hits / len(questions):>6.3f} {reciprocal / len(questions):>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="arcd,semeval,golden")
    parser.add_argument("--analyzers", action="store_true", help="also compare analyzers on ARCD")
    parser.add_argument(
        "--learning", action="store_true", help="golden set again with learning wired in"
    )
    parser.add_argument(
        "--variants", default="", help="comma-separated variant numbers (0 = current)"
    )
    args = parser.parse_args()
    wanted = set(args.sets.split(","))
    if {"arcd", "semeval"} & wanted and not DATA.exists():
        sys.exit(f"relevance sets not found at {DATA} (they ship in ../shared/data)")
    chosen = VARIANTS
    if args.variants:
        chosen = [VARIANTS[int(n)] for n in args.variants.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sets: list[tuple[str, Callable[[Ranking], dict[str, float]]]] = []
        if "arcd" in wanted:
            sets.append(("ARCD (ar, 1,395 q)", arcd(directory)))
        if "semeval" in wanted:
            for name in SEMEVAL_FILES:
                run = semeval(directory, name)
                label = "SemEval dev" if "dev" in name else "SemEval train2"
                print(f"{label}: the organisers' search-engine order MAP {run.engine():.4f}")  # type: ignore[attr-defined]
                sets.append((label, run))
        if "golden" in wanted:
            sets.append(("Golden graded (starter)", golden(directory)))
            if args.learning:
                label = "Golden graded, learning on (empty store)"
                sets.append((label, golden(directory, learning=True)))
        for label, run in sets:
            print(f"\n{label}")
            header_done = False
            for name, ranking in chosen:
                started = time.perf_counter()
                figures = run(ranking)
                seconds = time.perf_counter() - started
                if not header_done:
                    names = " ".join(f"{key:>12}" for key in figures)
                    print(f"{'variant':<34} {names} {'seconds':>8}")
                    header_done = True
                values = " ".join(f"{value:>12.4f}" for value in figures.values())
                print(f"{name:<34} {values} {seconds:>8.2f}")
    if args.analyzers:
        analyzers()


if __name__ == "__main__":
    main()
