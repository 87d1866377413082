"""The rebuild's own writers produce the same index as Whoosh's, only faster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index
from whoosh.writing import SegmentWriter

from portal.kb.repository import ArticleRepository
from portal.search import analysis, entries
from portal.search.index import make_schema
from portal.search.index.writer import FastSegmentWriter, ParallelWriter

ROOT = Path(__file__).resolve().parents[2]

SYNTHETIC = [
    {
        "key": f"k{n}",
        "id": f"a{n}",
        "title": f"Reset password {n}",
        "body": "word " * (n % 17 + 1) + "كلمة المرور " * (n % 5),
        "words": "reset password " * (n % 3 + 1),
    }
    for n in range(300)
]

# Edge cases of the fast path: stop words only, empty text, lines, tatweel and diacritics,
# mixed scripts inside a word, a line repeated in several fields, Arabic-Indic digits.
EDGES = [
    {"key": "e1", "id": "e1", "title": "the of and", "body": "", "words": "\n\n"},
    {"key": "e2", "id": "e2", "title": "كلمـــة المَرور", "body": "بالVPN و VPN\n\nVPN ١٢٣"},
    {
        "key": "e3",
        "id": "e3",
        "title": "Printer",
        "tags": "printer ; الطابعة",
        "body": "printer printer jammed",
        "words": "Printer\nprinter ; الطابعة\n\nprinter printer jammed",
        "title_words": "Printer",
    },
    {"key": "e4", "id": "e4", "title": "x" * 90, "body": "١٢٣ ۴۵ " + "a" * 45, "words": "x"},
]


def starter_documents() -> list[dict[str, Any]]:
    """The index documents of the shipped knowledge base, as a rebuild makes them."""
    loaded = ArticleRepository(ROOT / "articles").load_all()
    assert len(loaded.articles) > 50
    return [entries.document(article) for article in loaded.articles]


def build(directory: Path, writer_class: Any, documents: list[dict[str, Any]]) -> Any:
    directory.mkdir()
    ix = index.create_in(str(directory), make_schema())
    if writer_class is ParallelWriter:
        writer = ParallelWriter(ix, procs=2, batchsize=20, multisegment=True, limitmb=16)
    else:
        writer = writer_class(ix, limitmb=16)
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    return ix


def snapshot(ix: Any) -> dict[str, Any]:
    """Every term with its statistics and postings (weights and encoded values), every
    document's stored fields and field lengths: what searches can observe."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = {}
        for name, text in reader.all_terms():
            info = reader.term_info(name, text)
            matcher = reader.postings(name, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            terms[(name, text)] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                tuple(postings),
            )
        count = reader.doc_count_all()
        names = [name for name in ix.schema.names() if ix.schema[name].scorable]
        lengths = {
            (n, name): reader.doc_field_length(n, name) for n in range(count) for name in names
        }
        stored = [searcher.stored_fields(n) for n in range(count)]
        spelled = sorted(str(term) for term in reader.lexicon("words"))
    return {"terms": terms, "lengths": lengths, "stored": stored, "spelled": spelled}


@pytest.mark.parametrize("documents", ["synthetic", "edges", "starter"])
def test_same_index_as_whoosh(tmp_path: Path, documents: str) -> None:
    docs = {"synthetic": SYNTHETIC, "edges": EDGES}.get(documents) or starter_documents()
    ours = snapshot(build(tmp_path / "ours", FastSegmentWriter, docs))
    theirs = snapshot(build(tmp_path / "theirs", SegmentWriter, docs))
    assert ours["terms"] == theirs["terms"]
    assert ours["lengths"] == theirs["lengths"]
    assert ours["stored"] == theirs["stored"]
    assert ours["spelled"] == theirs["spelled"]
    if documents != "edges":
        assert any(value for value in ours["lengths"].values())  # lengths were really recorded


def test_parallel_build_finds_what_whoosh_finds(tmp_path: Path) -> None:
    """Two helper processes, each with the fast writer: same documents behind each term."""
    docs = starter_documents()
    ours = snapshot(build(tmp_path / "ours", ParallelWriter, docs))
    theirs = snapshot(build(tmp_path / "theirs", SegmentWriter, docs))
    assert ours["terms"].keys() == theirs["terms"].keys()
    for key, found in ours["terms"].items():
        # Segments may number documents in another order; compare by the document key.
        assert found[:2] == theirs["terms"][key][:2], key
    assert sorted(f["key"] for f in ours["stored"]) == sorted(f["key"] for f in theirs["stored"])


def test_term_pairs_match_both_analyses() -> None:
    text = "Resetting the passwords: كَلِمَـــةُ المرور والحسابات بالVPN ٣ of"
    stemmed, plain = analysis.term_pairs(text)
    assert stemmed == analysis.terms(text, stem=True)
    assert plain == analysis.terms(text, stem=False)
    assert "reset" in stemmed
    assert "resetting" in plain
