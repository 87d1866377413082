"""The rebuild's writers: Whoosh's segment writer and helper processes, made faster.

Same postings, same stored fields, same index as Whoosh's own writer, built in a fraction of
the time (``tests/search/test_rebuild_writer.py`` compares every posting). Only
``Generations.rebuild`` uses them; incremental updates go through Whoosh's plain writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from whoosh import formats, multiproc
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from portal.search import analysis
from portal.search.analysis import DEFAULT_ARABIC_STEMMER, ArabicStemmer
from portal.search.index.schema import SanadTokenizer

# Memory for postings before Whoosh spills a sorted run to disk (per process; merging spilled
# runs cost a quarter of a 10k rebuild at 128 MB), and documents per job file handed to each
# helper process (100, Whoosh's default, kept the parent waiting on the queue).
REBUILD_LIMIT_MB: Final = 256
REBUILD_BATCH: Final = 500


class _PreloadedLengths:
    """A segment's per-document reader whose field lengths are read once into lists.

    When a segment is written, Whoosh asks the length of the posting's field in its document
    for every single posting (to record the shortest and longest per block), each time through
    the length column's reader: 15–20 % of a rebuild. Same values, one list lookup each.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[float | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: Any = 0) -> Any:
        try:
            lengths = self._lengths[fieldname]
        except KeyError:
            lengths = self._lengths[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]

    def _load(self, fieldname: str) -> list[float | None] | None:
        column_name = f"_{fieldname}_len"
        if not self._reader.has_column(column_name):
            return None
        column = self._reader.column_reader(column_name, LENGTHS_COLUMN)
        # As W3PerDocReader.doc_field_length: a zero byte gives None, others the decoded length.
        table: list[float | None] = [None] + [byte_to_length(b) for b in range(1, 256)]
        return [table[column[number]] for number in range(self._reader.doc_count_all())]

    def close(self) -> None:
        self._reader.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class _DocumentTerms:
    """One document's analysed text, each line tokenised once for every field that holds it.

    ``words`` (spelling) repeats the title, tags, description and body unstemmed, and
    ``title_words`` the title: with a memo per line and :func:`analysis.term_pairs` giving the
    stemmed and unstemmed terms of a line in one pass, each body is tokenised once, not twice.
    Splitting on newlines changes nothing: a newline is never part of a token, so the terms
    of a text are the terms of its lines, in order.
    """

    def __init__(self, arabic_stemmer: ArabicStemmer) -> None:
        self.arabic_stemmer: ArabicStemmer = arabic_stemmer
        self._lines: dict[str, tuple[list[str], list[str]]] = {}

    def terms(self, text: str, stem: bool) -> list[str]:
        lines = text.split("\n")
        if len(lines) == 1:
            return self._line(text)[0 if stem else 1]
        out: list[str] = []
        for line in lines:
            out.extend(self._line(line)[0 if stem else 1])
        return out

    def _line(self, line: str) -> tuple[list[str], list[str]]:
        found = self._lines.get(line)
        if found is None:
            found = self._lines[line] = analysis.term_pairs(line, self.arabic_stemmer)
        return found


def _fast_postings(field: Any, value: Any, memo: _DocumentTerms) -> Any:
    """``field.index(value)`` for a Sanad-analysed text field: the same tuples, fewer steps.

    Whoosh's path yields a Token object per word through three generators; this builds the
    same ``(term bytes, frequency, weight, encoded value)`` from the analysed term list, with
    the format's own ``encode``. Anything else takes Whoosh's path.
    """
    analyzer = field.analyzer
    fmt = field.format
    kind = type(fmt)
    if (
        not isinstance(value, str)
        or type(analyzer) is not SanadTokenizer
        or (analyzer.stem and analyzer.arabic_stemmer != memo.arabic_stemmer)
        or kind not in (formats.Positions, formats.Frequency)
    ):
        return field.index(value)
    terms = memo.terms(value, analyzer.stem)
    boost = fmt.field_boost
    if kind is formats.Frequency:
        counts: dict[str, int] = {}
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
        return [
            (term.encode("utf-8"), count, float(count) * boost, pack_uint(count))
            for term, count in counts.items()
        ]
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(terms):
        found = positions.get(term)
        if found is None:
            positions[term] = [position]
        else:
            found.append(position)
    encode = fmt.encode
    return [
        (term.encode("utf-8"), len(where), float(len(where)) * boost, encode(where))
        for term, where in positions.items()
    ]


class _PostingPool(PostingPool):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's pool of postings, taking a document's postings in one call.

    ``PostingPool.add`` checks and sizes each posting in its own call (~8 % of a rebuild);
    the same size estimate summed over a list, and the same spill to a sorted run when the
    pool passes its limit (checked per document rather than per posting).
    """

    def add_many(self, fieldnames: Iterable[str], items: list[tuple[Any, ...]]) -> None:
        self.fieldnames.update(fieldnames)
        # PostingPool.add's estimate: tuple 48, field name 21 + n, text 26 + 2n, docnum 18,
        # weight 16, value 21 + n.
        self.currentsize += sum(
            150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"") for item in items
        )
        self.current.extend(items)
        if self.currentsize > self.limit:
            self.save()


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's segment writer, faster where a rebuild spends its time, same index.

    Documents of Sanad's schema are analysed once per line (:class:`_DocumentTerms`) and
    turned into postings without Token objects (:func:`_fast_postings`); field lengths are
    read once when the postings are written (:class:`_PreloadedLengths`).
    ``tests/search/test_rebuild_writer.py`` compares every posting with Whoosh's own writer.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", W3Codec(compression=0))
        super().__init__(ix, **kwargs)
        pool: Any = getattr(self, "pool")  # noqa: B009  # whoosh is untyped
        self.pool: Any = _PostingPool(pool.tempstore, pool.segment, limitmb=pool.limit // 2**20)
        # The stemmer of the schema's stemmed fields: what each document's memo analyses with.
        self._arabic_stemmer: ArabicStemmer = next(
            (
                field.analyzer.arabic_stemmer
                for _name, field in self.schema.items()
                if type(getattr(field, "analyzer", None)) is SanadTokenizer and field.analyzer.stem
            ),
            DEFAULT_ARABIC_STEMMER,
        )

    def add_document(self, **fields: Any) -> None:
        if any(name.startswith("_") for name in fields):  # boosts, custom stored values
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        postings: list[tuple[Any, ...]] = []
        add_post = postings.append
        indexed: list[str] = []  # fields that gave postings, as PostingPool.add records
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        memo = _DocumentTerms(self._arabic_stemmer)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                if field.separate_spelling() or field.vector:  # not in Sanad's schema
                    raise TypeError(f"field {fieldname!r} needs Whoosh's own writer")
                length = 0
                if field.indexed:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in _fast_postings(field, value, memo):
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight, vbytes))
                    if postings and postings[-1][0] == fieldname:
                        indexed.append(fieldname)
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        self.pool.add_many(indexed, postings)
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def per_document_reader(self) -> Any:
        return _PreloadedLengths(super().per_document_reader())


class _SubWriterTask(multiproc.SubWriterTask):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's helper process of a multi-segment build, with :class:`FastSegmentWriter`."""

    def run(self) -> None:  # as SubWriterTask.run, multisegment only
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
        else:
            fieldnames = writer.pool.fieldnames
            segment = writer._finalize_segment()
            self.resultqueue.put((None, fieldnames, segment), timeout=5)


class ParallelWriter(multiproc.MpWriter):  # type: ignore[misc]  # whoosh is untyped
    """``procs`` helper processes, each writing its own segment (``multisegment=True``)."""

    def _new_task(self) -> Any:
        task = _SubWriterTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True
        )
        self.tasks.append(task)
        task.start()
        return task


def rebuild_writer(ix: Any, procs: int) -> Any:
    """The writer a rebuild fills: ``procs`` helper processes, or this process alone."""
    if procs > 1:
        return ParallelWriter(
            ix, procs=procs, batchsize=REBUILD_BATCH, multisegment=True, limitmb=REBUILD_LIMIT_MB
        )
    return FastSegmentWriter(ix, limitmb=REBUILD_LIMIT_MB)
