"""The rebuild's own writers produce the same index as Whoosh's, only faster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.writing import SegmentWriter

from portal.search.index import _SegmentWriter, make_schema

DOCS = [
    {
        "key": f"k{n}",
        "id": f"a{n}",
        "title": f"Reset password {n}",
        "body": "word " * (n % 17 + 1) + "كلمة المرور " * (n % 5),
        "words": "reset password " * (n % 3 + 1),
    }
    for n in range(300)
]


def build(directory: Path, writer_class: Any) -> dict[tuple[str, bytes], tuple[Any, ...]]:
    directory.mkdir()
    ix = index.create_in(str(directory), make_schema())
    writer = writer_class(ix, limitmb=16)
    for document in DOCS:
        writer.add_document(**document)
    writer.commit()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        found = {}
        for name, text in reader.all_terms():
            info = reader.term_info(name, text)
            found[(name, text)] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
            )
    ix.close()
    return found


def test_same_term_statistics_as_whoosh(tmp_path: Path) -> None:
    ours = build(tmp_path / "ours", _SegmentWriter)
    theirs = build(tmp_path / "theirs", SegmentWriter)
    assert ours == theirs
    assert ours[("body", b"word")][2:] != (0, 0)  # field lengths were really recorded
