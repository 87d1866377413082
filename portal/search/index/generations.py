"""The index directory on disk: generations, the ``current`` link, the write lock, state.

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
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from filelock import FileLock
from whoosh import index

from portal.search.analysis import ArabicStemmer
from portal.search.index.schema import FORMAT, make_schema
from portal.search.index.writer import rebuild_writer
from portal.search.models import SearchError

log = logging.getLogger("portal.search")

CURRENT: Final = "current"
STATE_FILE: Final = "sanad-state.json"
LOCK_FILE: Final = "write.lock"


class IndexCorrupt(SearchError):
    """The index is missing or unreadable; rebuilding it is the cure."""

    def __init__(self, message: str, generation: str | None = None) -> None:
        super().__init__(message)
        self.generation = generation  # the gen-… directory that failed, None = none found


@dataclass(frozen=True)
class IndexState:
    """What ``sanad-state.json`` records about a generation."""

    commit: str | None
    dirty: tuple[str, ...] = ()  # paths indexed from uncommitted work-tree content
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps({"commit": self.commit, "dirty": list(self.dirty), "format": FORMAT})


def write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def open_index(path: Path) -> Any:
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


class Generations:
    """One index directory's generations: which is live, its state, and how a new one is made.

    Every method that writes expects the caller to hold :meth:`writing`. Reading is
    ``portal.search.index.reader.SearchIndex``'s business; it opens ``current_path()``.
    """

    def __init__(self, directory: Path, arabic_stemmer: ArabicStemmer = "light") -> None:
        self.directory = directory
        self.arabic_stemmer: ArabicStemmer = arabic_stemmer
        self._write_thread_lock = threading.Lock()

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
        if state.format != FORMAT or not _readable(path):
            return None
        return state

    def write_state(self, state: IndexState) -> None:
        path = self.current_path()
        if path is None:
            raise IndexCorrupt("no current index generation")
        write_atomic(path / STATE_FILE, state.to_json())

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
            writer = rebuild_writer(ix, procs)
            try:
                for document in documents:
                    writer.add_document(**document)
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
            write_atomic(path / STATE_FILE, state.to_json())
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
            ix = open_index(path)
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
        write_atomic(path / STATE_FILE, state.to_json())


def _readable(path: Path) -> bool:
    """Open the generation and touch its postings and stored fields."""
    try:
        ix = open_index(path)
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
