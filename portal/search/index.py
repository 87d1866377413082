"""The only importer of ``whoosh``: schema, on-disk generations, locking, searching.

Layout of the index directory (a rebuildable cache; delete it any time)::

    index_dir/
      write.lock          filelock: one writer at a time across every process
      current -> gen-…    symlink to the live generation, replaced atomically
      gen-<time_ns>/      a Whoosh index plus ``sanad-state.json`` (indexed commit, dirty paths)

Why this shape:

- Whoosh never fsyncs, so a crash can leave a half-written generation. ``rebuild`` therefore
  builds a *new* directory and swaps the ``current`` symlink with ``os.replace``: readers see
  the old index or the new one, never a half-built one. A broken index is detected on open or
  on search (``IndexCorrupt``) and the service rebuilds it.
- Writers take a ``filelock`` on ``write.lock`` and wait for it, so gunicorn workers, the CLI
  and a rebuild never fail on Whoosh's own ``LockError``. ``BufferedWriter`` is not used: it
  holds Whoosh's write lock for its whole life, which locks every other process out.
- Readers keep one warm searcher and check at most every ``REFRESH_SECONDS`` whether
  ``current`` points elsewhere or the generation grew, so an edit made by any process is
  searchable in well under a second.
- Searches run under a deadline (``GuardedCollector``): a slow query returns what it found so
  far with ``timed_out``. Not ``TimeLimitCollector``: wrapped around the ``FilterCollector``
  that ``Searcher.collector(filter=...)`` returns, it calls the child's ``collect`` directly
  and so silently drops the filter (drafts and internal articles leak into public results);
  and its alarm mode uses signals, which threaded servers cannot.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import json
import logging
import os
import shutil
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from filelock import FileLock
from whoosh import collectors, formats, index, multiproc, query, scoring
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from portal.search import analysis
from portal.search.analysis import DEFAULT_ARABIC_STEMMER, ArabicStemmer, QueryPlan, Unit
from portal.search.models import SearchError

log = logging.getLogger("portal.search")

CURRENT: Final = "current"
STATE_FILE: Final = "sanad-state.json"
LOCK_FILE: Final = "write.lock"
REFRESH_SECONDS: Final = 0.25
FORMAT: Final = 1  # bump when the schema or analysis changes: older generations are rebuilt
# Query-time field boosts: a title match outranks a tag match outranks a body match.
FIELD_BOOSTS: Final = {"title": 6.0, "tags": 3.0, "description": 2.0, "body": 1.0}
FACETS: Final = ("category", "kind", "lang")
# No coordination bonus (OrGroup.factory(0.9) would be 0.9): measured on ARCD it lowered
# Recall@10 from 0.944 to 0.939, left the golden queries unchanged, and disables Whoosh's
# block-skipping, costing a third of query time. BM25's sum already favours documents with
# more of the words. Set a float here to bring it back.
COORDINATION: Final[float | None] = None
MAX_FUZZY_EXPANSIONS: Final = 50
# Scored postings kept per searcher (document-score pairs over every cached word and phrase):
# a few tens of megabytes; the least recently used words go first.
SCORE_CACHE_ENTRIES: Final = 600_000

# Rebuild writer: memory for postings before Whoosh spills a sorted run to disk (per process;
# merging spilled runs cost a quarter of a 10k rebuild at 128 MB), and documents per job file
# handed to each helper process (100, Whoosh's default, kept the parent waiting on the queue).
REBUILD_LIMIT_MB: Final = 256
REBUILD_BATCH: Final = 500

Scores = dict[int, float]  # document number → score


class IndexCorrupt(SearchError):
    """The index is missing or unreadable; rebuilding it is the cure."""

    def __init__(self, message: str, generation: str | None = None) -> None:
        super().__init__(message)
        self.generation = generation  # the gen-… directory that failed, None = none found


# --- analysis ------------------------------------------------------------------------------


class SanadTokenizer(Tokenizer):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh face of :func:`portal.search.analysis.analyze` (tokens, normalisation, stems).

    Pickled into every index's table of contents, so it carries only its two options.
    """

    def __init__(self, stem: bool = True, arabic_stemmer: ArabicStemmer = "light") -> None:
        self.stem = stem
        self.arabic_stemmer = arabic_stemmer

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SanadTokenizer)
            and other.stem == self.stem
            and other.arabic_stemmer == self.arabic_stemmer
        )

    def __hash__(self) -> int:
        return hash((self.stem, self.arabic_stemmer))

    def has_morph(self) -> bool:
        return self.stem

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term, pos, start, end in analysis.analyze(value, self.stem, self.arabic_stemmer):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def make_schema(arabic_stemmer: ArabicStemmer = "light") -> Schema:
    """The fields of one article; ``words``/``title_words`` are unstemmed for spelling."""
    stemmed = SanadTokenizer(stem=True, arabic_stemmer=arabic_stemmer)
    plain = SanadTokenizer(stem=False)
    return Schema(
        key=ID(stored=True, unique=True),
        id=ID(stored=True),
        lang=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True),
        audience=ID(stored=True),
        path=ID(stored=True),
        translation_of=ID(stored=True),
        updated=STORED(),
        tag_list=STORED(),
        tag=KEYWORD(commas=True, lowercase=True, scorable=True),
        title=TEXT(analyzer=stemmed, stored=True),
        tags=TEXT(analyzer=stemmed),
        description=TEXT(analyzer=stemmed, stored=True),
        body=TEXT(analyzer=stemmed, stored=True),
        words=TEXT(analyzer=plain, phrase=False),
        title_words=TEXT(analyzer=plain, phrase=False),
        title_sort=ID(sortable=True),
    )


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


class _SegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
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
    """Whoosh's helper process of a multi-segment build, with :class:`_SegmentWriter`."""

    def run(self) -> None:  # as SubWriterTask.run, multisegment only
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = _SegmentWriter(ix, _lk=False, **self.kwargs)
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


class _ParallelWriter(multiproc.MpWriter):  # type: ignore[misc]  # whoosh is untyped
    """``procs`` helper processes, each writing its own segment (``multisegment=True``)."""

    def _new_task(self) -> Any:
        task = _SubWriterTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True
        )
        self.tasks.append(task)
        task.start()
        return task


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


# --- what callers pass and get back ---------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """Which documents a request may see: visibility plus optional facet restrictions."""

    visibility: str = "public"
    lang: str | None = None
    category: str | None = None
    kind: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class RawHit:
    fields: Mapping[str, Any]
    score: float


@dataclass(frozen=True)
class RawResults:
    total: int
    hits: tuple[RawHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    timed_out: bool = False


EMPTY: Final = RawResults(0, ())


@dataclass(frozen=True)
class IndexState:
    """What ``sanad-state.json`` records about a generation."""

    commit: str | None
    dirty: tuple[str, ...] = ()  # paths indexed from uncommitted work-tree content
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps({"commit": self.commit, "dirty": list(self.dirty), "format": FORMAT})


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _open_index(path: Path) -> Any:
    """Open a generation, or raise IndexCorrupt saying why.

    Whoosh leaks the handle of a table-of-contents file it cannot parse; it is collected here,
    with its ResourceWarning silenced, so that a corrupt index costs a rebuild and nothing else.
    """
    problem = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return index.open_dir(str(path))
        except Exception as error:  # any failure to open means "rebuild it"
            problem = repr(error)
        gc.collect()
    raise IndexCorrupt(f"cannot open the search index: {problem}", path.name)


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


def _sum(parts: Sequence[Scores]) -> Scores:
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


def _best(scores: Scores, numbers: set[int], count: int) -> list[int]:
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


def _intersect(parts: Sequence[Scores]) -> Scores:
    """Whoosh's ``And``: documents matching every part, scored by the sum."""
    ordered = sorted(parts, key=len)
    common = set(ordered[0])
    for part in ordered[1:]:
        common.intersection_update(part)
    return {number: sum(part[number] for part in ordered) for number in common}


# --- the index ------------------------------------------------------------------------------


class SearchIndex:
    """One index directory: generations, the write lock and a warm, self-refreshing searcher."""

    def __init__(
        self, directory: Path, time_limit: float = 1.0, arabic_stemmer: ArabicStemmer = "light"
    ) -> None:
        self.directory = directory
        self.time_limit = time_limit
        self.arabic_stemmer: ArabicStemmer = arabic_stemmer
        self._lock = threading.RLock()  # guards the searcher; whoosh readers share file state
        self._write_thread_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._generation: str | None = None  # name of the gen-… directory being read
        self._token: tuple[str, int] = ("", -1)
        self._checked = 0.0
        self._filters: dict[Filter, set[int] | None] = {}
        self._facets: dict[str, dict[str, set[int]]] | None = None
        self._scores = ScoreCache(SCORE_CACHE_ENTRIES)
        self._corrections: dict[str, str | None] = {}  # word → "did you mean", per searcher
        self._fuzzy: dict[str, tuple[str, ...]] = {}  # word → its fuzzy expansions, per searcher

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, timeout: float = 600.0) -> Iterator[None]:
        """Hold the cross-process write lock (waiting for it) for a read-modify-write."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._write_thread_lock, FileLock(str(self.directory / LOCK_FILE), timeout=timeout):
            yield

    def current_path(self) -> Path | None:
        try:
            target = os.readlink(self.directory / CURRENT)
        except OSError:
            return None
        path = self.directory / target
        return path if path.is_dir() else None

    def read_state(self) -> IndexState | None:
        """The live generation's state, or None when missing, outdated or unreadable."""
        path = self.current_path()
        if path is None:
            return None
        try:
            data = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
            state = IndexState(
                commit=data.get("commit"),
                dirty=tuple(str(p) for p in data.get("dirty", ())),
                format=int(data.get("format", 0)),
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        if state.format != FORMAT or not self._readable(path):
            return None
        return state

    def _readable(self, path: Path) -> bool:
        """Open the generation and touch its postings and stored fields."""
        try:
            ix = _open_index(path)
            with ix.searcher() as searcher:
                reader = searcher.reader()
                count = reader.doc_count_all()
                if count:
                    searcher.stored_fields(0)
                    searcher.stored_fields(count - 1)
                    for fieldname in ("title", "body"):
                        for term in list(reader.lexicon(fieldname))[:1]:
                            list(reader.postings(fieldname, term).all_ids())
            ix.close()
        except Exception as error:  # any failure means "rebuild it"
            log.warning("search index %s is unreadable: %r", path, error)
            return False
        return True

    def write_state(self, state: IndexState) -> None:
        path = self.current_path()
        if path is None:
            raise IndexCorrupt("no current index generation")
        _write_atomic(path / STATE_FILE, state.to_json())

    def rebuild(self, documents: Iterable[dict[str, Any]], state: IndexState, procs: int) -> int:
        """Build a new generation from ``documents`` and make it current; call under writing().

        Returns the number of documents. The previous generation is kept until the next
        rebuild (readers in other processes may be opening it right now); older ones go.
        """
        name = f"gen-{time.time_ns():020d}"
        path = self.directory / name
        path.mkdir(parents=True)
        count = 0
        try:
            ix = index.create_in(str(path), make_schema(self.arabic_stemmer))
            writer: Any
            if procs > 1:
                writer = _ParallelWriter(
                    ix,
                    procs=procs,
                    batchsize=REBUILD_BATCH,
                    multisegment=True,
                    limitmb=REBUILD_LIMIT_MB,
                )
            else:
                writer = _SegmentWriter(ix, limitmb=REBUILD_LIMIT_MB)
            try:
                for document in documents:
                    writer.add_document(**document)
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
            _write_atomic(path / STATE_FILE, state.to_json())
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        previous = self.current_path()
        link = self.directory / f".{CURRENT}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(name, link)
        os.replace(link, self.directory / CURRENT)
        keep = {name, previous.name if previous else ""}
        for old in self.directory.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        self.refresh_now()
        return count

    def apply(
        self,
        delete_paths: Iterable[str],
        documents: Sequence[dict[str, Any]],
        state: IndexState,
    ) -> None:
        """Delete every document of ``delete_paths``, add/replace ``documents``; under writing()."""
        path = self.current_path()
        if path is None:
            raise IndexCorrupt("no current index generation")
        try:
            ix = _open_index(path)
            writer = ix.writer(timeout=30.0)
            try:
                for relative in delete_paths:
                    writer.delete_by_term("path", relative)
                for document in documents:
                    writer.update_document(**document)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
        except (SearchError, KeyboardInterrupt):
            raise
        except Exception as error:
            raise IndexCorrupt(f"cannot update the index: {error!r}", path.name) from error
        _write_atomic(path / STATE_FILE, state.to_json())
        self.refresh_now()

    # --- the warm searcher -----------------------------------------------------------------

    def refresh_now(self) -> None:
        """Make the next read check for a newer generation (after a write in this process)."""
        self._checked = 0.0

    def _current(self) -> Searcher:
        """The warm searcher, refreshed when ``current`` moved or the index grew; under _lock."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < REFRESH_SECONDS:
            return self._searcher
        path = self.current_path()
        if path is None:
            raise IndexCorrupt("the search index has not been built")
        if (
            self._searcher is None
            or path.name != self._generation
            or not self._searcher.up_to_date()
        ):
            # A fresh searcher, never Searcher.refresh(): refresh reuses the readers of
            # unchanged segments and so keeps serving documents deleted since (whoosh 2.7.5).
            try:
                searcher = _open_index(path).searcher()
            except IndexCorrupt:
                self._drop_searcher()
                raise
            self._drop_searcher()
            self._searcher, self._generation = searcher, path.name
            self._filters.clear()
            self._facets = None
            self._scores.clear()
            self._corrections.clear()
            self._fuzzy.clear()
        self._token = (path.name, self._searcher.reader().generation())
        self._checked = now
        return self._searcher

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher = None
        self._generation = None

    def token(self) -> tuple[str, int]:
        """Identifies the content searched right now: (generation dir, Whoosh generation)."""
        with self._lock:
            self._current()
            return self._token

    def close(self) -> None:
        with self._lock:
            self._drop_searcher()
            self._filters.clear()
            self._facets = None
            self._scores.clear()
            self._corrections.clear()
            self._fuzzy.clear()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Searcher]:
        """The current searcher; any Whoosh failure inside becomes IndexCorrupt."""
        with self._lock:
            searcher = self._current()
            try:
                yield searcher
            except (SearchError, collectors.TimeLimit):
                raise
            except Exception as error:
                generation = self._generation
                self._drop_searcher()
                raise IndexCorrupt(f"the search index failed: {error!r}", generation) from error

    def _allowed(self, searcher: Searcher, flt: Filter) -> set[int] | None:
        """Document numbers ``flt`` lets through (None = all), cached per searcher.

        A plain set because Whoosh accepts sets as filters; callers never mutate it.
        """
        if flt in self._filters:
            return self._filters[flt]
        parts: list[query.Query] = []
        if flt.visibility in ("public", "internal"):
            parts.append(query.Term("status", "published"))
        if flt.visibility == "public":
            parts.append(query.Term("audience", "public"))
        for name in ("lang", "category", "kind"):
            value = getattr(flt, name)
            if value:
                parts.append(query.Term(name, value))
        if flt.tag:
            parts.append(query.Term("tag", flt.tag.strip().lower()))
        allowed = set(searcher.docs_for_query(query.And(parts))) if parts else None
        if len(self._filters) > 256:
            self._filters.clear()
        self._filters[flt] = allowed
        return allowed

    # --- queries ---------------------------------------------------------------------------

    def _text_query(self, terms: tuple[str, ...]) -> query.Query:
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

    def build_query(self, plan: QueryPlan) -> query.Query | None:
        """The Whoosh query for a parsed plan; None when nothing positive is left."""
        optional: list[query.Query] = []
        required: list[query.Query] = []
        excluded: list[query.Query] = []
        for unit in plan.units:
            alternatives = [self._text_query(alt) for alt in unit.alternatives]
            unit_query = alternatives[0] if len(alternatives) == 1 else query.Or(alternatives)
            if unit.excluded:
                excluded.append(unit_query)
            elif unit.required:
                required.append(unit_query)
            else:
                optional.append(unit_query)
        positive: query.Query | None = None
        if optional:
            positive = optional[0] if len(optional) == 1 else query.Or(optional, scale=COORDINATION)
        if required:
            must = required[0] if len(required) == 1 else query.And(required)
            positive = must if positive is None else query.AndMaybe(must, positive)
        if positive is None:
            return None
        if excluded:
            positive = query.AndNot(positive, query.Or(excluded))
        return positive

    def search_plan(
        self, plan: QueryPlan, flt: Filter, offset: int, limit: int, facets: bool = True
    ) -> RawResults:
        """Like ``search(build_query(plan), …)``, with the same scores, from cached word scores.

        Each word or phrase is scored by Whoosh once per searcher over every document (see
        ``ScoreCache``); a query then sums, intersects and subtracts those dicts, which gives
        the total and the facet counts of the whole matching set for free and leaves only the
        page's stored fields to read. Words not yet cached are scored under the deadline.
        """
        if COORDINATION is not None:  # the sums below are plain BM25F sums, no bonus
            whoosh_query = self.build_query(plan)
            return EMPTY if whoosh_query is None else self.search(whoosh_query, flt, offset, limit)
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            if allowed is not None and not allowed:
                return EMPTY
            deadline = time.monotonic() + self.time_limit
            optional: list[Scores] = []
            required: list[Scores] = []
            excluded: list[Scores] = []
            timed_out = False
            for unit in plan.units:
                try:
                    scores = self._unit_scores(searcher, unit, deadline)
                except collectors.TimeLimit:
                    timed_out = True
                    break
                if unit.excluded:
                    excluded.append(scores)
                elif unit.required:
                    required.append(scores)
                else:
                    optional.append(scores)
            if timed_out and not (optional or required):
                return RawResults(0, (), {}, True)
            matched = _sum(optional)
            if required:
                must = _intersect(required)
                get = matched.get
                matched = {number: score + get(number, 0.0) for number, score in must.items()}
            for scores in excluded:
                for number in scores.keys() & matched.keys():
                    del matched[number]
            visible: Iterable[int] = matched.keys()
            if allowed is not None:
                visible = matched.keys() & allowed
            numbers = visible if isinstance(visible, set) else set(visible)
            top = _best(matched, numbers, offset + limit)
            hits = tuple(
                RawHit(searcher.stored_fields(number), matched[number])
                for number in top[offset : offset + limit]
            )
            counts: dict[str, dict[str, int]] = {}
            if facets and not timed_out:
                for name, groups in self._facet_sets(searcher).items():
                    counts[name] = {
                        value: size
                        for value, members in groups.items()
                        if (size := len(numbers & members)) > 0
                    }
            return RawResults(len(numbers), hits, counts, timed_out)

    def _unit_scores(self, searcher: Searcher, unit: Unit, deadline: float) -> Scores:
        """One query unit: the sum of its alternatives (a synonym group), each cached."""
        parts = [self._alternative_scores(searcher, terms, deadline) for terms in unit.alternatives]
        return parts[0] if len(parts) == 1 else _sum(parts)

    def _alternative_scores(
        self, searcher: Searcher, terms: tuple[str, ...], deadline: float
    ) -> Scores:
        """A word or phrase across the boosted text fields, scored by Whoosh, cached."""
        found = self._scores.get(terms)
        if found is not None:
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise collectors.TimeLimit
        weighting = searcher.weighting
        if len(terms) == 1 and type(weighting) is scoring.BM25F and not weighting._field_B:
            scores = _sum(
                [
                    self._term_scores(searcher, name, terms[0], boost, weighting)
                    for name, boost in FIELD_BOOSTS.items()
                ]
            )
        else:  # phrases: Whoosh's own matchers, posting by posting
            inner = collectors.UnlimitedCollector()
            searcher.search_with_collector(
                self._text_query(terms), GuardedCollector(inner, None, None, remaining)
            )
            scores = {number: score for score, number in inner.items}
        self._scores.put(terms, scores)
        return scores

    def _term_scores(
        self, searcher: Searcher, fieldname: str, text: str, boost: float, weighting: Any
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
        lengths = self._field_lengths(searcher, fieldname)
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

    def _field_lengths(self, searcher: Searcher, fieldname: str) -> list[float]:
        """Each document's length of ``fieldname`` as Whoosh scores it, read once per searcher."""
        found = self._scores.lengths.get(fieldname)
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
            self._scores.lengths[fieldname] = found
        return found

    def fuzzy_query(self, words: Sequence[str]) -> query.Query | None:
        """Typo-tolerant OR over the unstemmed words: edit distance 1 (≤ 5 letters) or 2."""
        parts: list[query.Query] = []
        for word in words:
            if len(word) < 3:
                parts.append(query.Term("words", word))
            else:
                # What FuzzyTerm(maxdist, prefixlength=1, constantscore=False) matches, with the
                # vocabulary walk (a Levenshtein automaton, ~5 ms) done once per searcher.
                expanded = [query.Term("words", term) for term in self._fuzzy_terms(word)]
                if len(expanded) == 1:
                    parts.append(expanded[0])
                elif expanded:
                    parts.append(query.Or(expanded))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.Or(parts, scale=COORDINATION)

    def _fuzzy_terms(self, word: str) -> tuple[str, ...]:
        """Indexed words within distance 1 (≤ 5 letters) or 2 of ``word``, same first letter."""
        with self._reading() as searcher:
            found = self._fuzzy.get(word)
            if found is None:
                distance = 1 if len(word) <= 5 else 2
                reader = searcher.reader()
                found = tuple(
                    str(term) for term in reader.terms_within("words", word, distance, prefix=1)
                )
                if len(self._fuzzy) > 10_000:
                    self._fuzzy.clear()
                self._fuzzy[word] = found
            return found

    def search(
        self,
        q: query.Query,
        flt: Filter,
        offset: int,
        limit: int,
        facets: bool = True,
    ) -> RawResults:
        """Hits ``offset:offset+limit`` with total and facet counts, under the time guard.

        Scoring every match to count facets (Whoosh's ``groupedby``) costs most of a query on
        a large index. Instead the matching set is gathered unscored, intersected with the
        allowed set and with each facet value's documents (set operations in C), and only the
        top of the ranking is scored, with Whoosh's block-skipping optimisation.
        """
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            if allowed is not None and not allowed:
                return EMPTY
            inner = searcher.collector(limit=offset + limit)
            guard = GuardedCollector(inner, allowed, None, self.time_limit)
            timed_out = False
            try:
                searcher.search_with_collector(q, guard)
            except collectors.TimeLimit:
                timed_out = True
            results = guard.results()
            hits = tuple(
                RawHit(dict(results[i].fields()), float(results[i].score or 0.0))
                for i in range(offset, min(len(results.top_n), offset + limit))
            )
            if timed_out:
                return RawResults(len(results.top_n), hits, {}, True)
            matched = set(searcher.docs_for_query(q))
            if allowed is not None:
                matched &= allowed
            counts: dict[str, dict[str, int]] = {}
            if facets:
                for name, groups in self._facet_sets(searcher).items():
                    counts[name] = {
                        value: size
                        for value, members in groups.items()
                        if (size := len(matched & members)) > 0
                    }
            return RawResults(len(matched), hits, counts, False)

    def _facet_sets(self, searcher: Searcher) -> dict[str, dict[str, set[int]]]:
        """Facet → value → document numbers, read once per searcher from the columns."""
        if self._facets is None:
            reader = searcher.reader()
            sets: dict[str, dict[str, set[int]]] = {}
            for name in FACETS if _has_documents(reader) else ():
                column = reader.column_reader(name)
                groups: dict[str, set[int]] = {}
                for number in reader.all_doc_ids():
                    value = column[number]
                    if isinstance(value, bytes):
                        value = value.decode("utf-8")
                    if value:
                        groups.setdefault(str(value), set()).add(number)
                sets[name] = groups
            self._facets = sets
        return self._facets

    def vocabulary_suggestions(self, words: Sequence[str]) -> dict[str, str]:
        """Corrections for words the index has never seen, from the unstemmed vocabulary."""
        corrections: dict[str, str] = {}
        with self._reading() as searcher:
            reader = searcher.reader()
            corrector = None
            for word in words:
                if len(word) < 3:
                    continue
                # ~10 ms a word (a Levenshtein automaton over the vocabulary): once per searcher.
                if word not in self._corrections:
                    correction = None
                    if not reader.doc_frequency("words", word):
                        if corrector is None:
                            corrector = searcher.corrector("words")
                        found = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
                        correction = str(found[0]) if found else None
                    if len(self._corrections) > 10_000:
                        self._corrections.clear()
                    self._corrections[word] = correction
                correction = self._corrections[word]
                if correction is not None:
                    corrections[word] = correction
        return corrections

    def known(self, word: str) -> bool:
        with self._reading() as searcher:
            return bool(searcher.reader().doc_frequency("words", word))

    def prefix_titles(
        self, before: Sequence[str], last: str, flt: Filter, limit: int
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
            results = self.search(q, flt, 0, limit, facets=False)
            for hit in results.hits:
                key = str(hit.fields["key"])
                if key not in seen:
                    seen.add(key)
                    found.append(hit.fields)
            if len(found) >= limit:
                break
        return found[:limit]

    def documents(self, flt: Filter, **terms: str) -> list[Mapping[str, Any]]:
        """Stored fields of every allowed document matching all ``terms`` (field → value)."""
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            q = query.And([query.Term(name, value) for name, value in terms.items()])
            numbers = sorted(searcher.docs_for_query(q))
            return [searcher.stored_fields(n) for n in numbers if allowed is None or n in allowed]

    def listing(self, flt: Filter, offset: int, limit: int) -> tuple[int, list[Mapping[str, Any]]]:
        """Allowed documents sorted by normalised title: (total, one page)."""
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            reader = searcher.reader()
            numbers = list(allowed) if allowed is not None else list(reader.all_doc_ids())
            if not numbers:
                return 0, []
            column = reader.column_reader("title_sort")
            numbers.sort(key=lambda n: (column[n], n))
            page = numbers[offset : offset + limit]
            return len(numbers), [searcher.stored_fields(n) for n in page]

    def counts(self, fieldname: str, flt: Filter) -> dict[str, int]:
        """Value → number of allowed documents, for a sortable field."""
        with self._reading() as searcher:
            allowed = self._allowed(searcher, flt)
            reader = searcher.reader()
            numbers = allowed if allowed is not None else reader.all_doc_ids()
            out: dict[str, int] = {}
            if not _has_documents(reader):
                return out
            column = reader.column_reader(fieldname)
            for number in numbers:
                value = column[number]
                if isinstance(value, bytes):
                    value = value.decode("utf-8")
                if value:
                    out[str(value)] = out.get(str(value), 0) + 1
            return out

    def more_like(
        self, key: str, flt: Filter, tags: Sequence[str], category: str, limit: int
    ) -> list[Mapping[str, Any]]:
        """Similar documents: key terms of the body, shared tags and the same category."""
        with self._reading() as searcher:
            number = searcher.document_number(key=key)
            if number is None:
                return []
            body = searcher.stored_fields(number).get("body") or ""
            parts: list[query.Query] = [
                query.Term("body", term, boost=weight)
                for term, weight in searcher.key_terms_from_text("body", body, numterms=12)
            ]
            parts += [query.Term("tag", tag.lower(), boost=2.0) for tag in tags]
            parts.append(query.ConstantScoreQuery(query.Term("category", category), 0.5))
            allowed = self._allowed(searcher, flt)
            if allowed is not None:
                allowed = allowed - {number}
            guard = GuardedCollector(
                searcher.collector(limit=limit), allowed, {number}, self.time_limit
            )
            with contextlib.suppress(collectors.TimeLimit):
                searcher.search_with_collector(query.Or(parts), guard)
            return [hit.fields() for hit in guard.results()[:limit]]

    def key_of(self, key: str) -> Mapping[str, Any] | None:
        """Stored fields of the document with this unique key, whatever its visibility."""
        with self._reading() as searcher:
            found: Mapping[str, Any] | None = searcher.document(key=key)
            return found


def _has_documents(reader: Any) -> bool:
    """Whoosh's reader of an empty index has no columns: column_reader raises there."""
    return bool(reader.doc_count_all())
