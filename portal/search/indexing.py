"""Keeping the index in step with the articles: rebuild, sync from git, and self-healing.

The index is a cache of the articles: anything wrong with it (missing, half-written, garbage
in a segment) is cured by rebuilding from the files, which every read path does on its own
through ``Indexer.with_index``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any, Final, TypeVar

from portal.kb.models import ArticleInvalid, ArticleNotFound
from portal.kb.repository import ArticleRepository
from portal.search.answers import AnswerCache
from portal.search.entries import document
from portal.search.index import Filter, IndexCorrupt, IndexState, SearchIndex
from portal.search.models import IndexReport, IndexUnavailable

log = logging.getLogger("portal.search")

# Below this many articles a single-process writer is faster than forking helpers.
PARALLEL_REBUILD_FROM: Final = 2000
# A rebuild waits this long for another process's rebuild or sync to finish.
WRITE_WAIT_SECONDS: Final = 600.0

T = TypeVar("T")


class Indexer:
    """Writes the index from the repository; empties the answer cache after each write."""

    def __init__(
        self, index: SearchIndex, repository: ArticleRepository, answers: AnswerCache
    ) -> None:
        self.index = index
        self.repository = repository
        self.answers = answers

    def rebuild(self) -> IndexReport:
        """Build a fresh index in a new directory and swap it in atomically."""
        started = time.perf_counter()
        with self.index.writing(WRITE_WAIT_SECONDS):
            return self._rebuild_locked(started)

    def _rebuild_locked(self, started: float) -> IndexReport:
        head = self.repository.head()
        loaded = self.repository.load_all()
        dirty = self._dirty(head)
        procs = 2 if len(loaded.articles) >= PARALLEL_REBUILD_FROM and _cpus() > 1 else 1
        count = self.index.rebuild(
            (document(article) for article in loaded.articles),
            IndexState(head, tuple(sorted(dirty))),
            procs,
        )
        self.answers.clear()
        log.info("search index rebuilt: %d articles in %.2fs", count, time.perf_counter() - started)
        return IndexReport(
            mode="rebuild",
            added=count,
            updated=0,
            removed=0,
            problems=tuple(str(problem) for problem in loaded.problems),
            commit=head,
            seconds=time.perf_counter() - started,
        )

    def _dirty(self, head: str | None) -> set[str]:
        """Article paths whose work-tree content differs from ``head`` (uncommitted edits)."""
        if head is None:
            return set()
        changes = self.repository.changes_since(head)
        return set(changes.articles) if changes is not None else set()

    def sync(self) -> IndexReport:
        """Apply what changed since the indexed commit; rebuild if the index is missing/corrupt."""
        started = time.perf_counter()
        with self.index.writing(WRITE_WAIT_SECONDS):
            state = self.index.read_state()
            if state is None:
                return self._rebuild_locked(started)
            head = self.repository.head()
            changes = self.repository.changes_since(state.commit)
            if changes is None:
                return self._rebuild_locked(started)
            paths = set(changes.articles) | set(state.dirty)
            dirty = set(changes.articles) if head == state.commit else self._dirty(head)
            if not paths:
                if head != state.commit:
                    self.index.write_state(IndexState(head, ()))
                return IndexReport("noop", 0, 0, 0, (), head, time.perf_counter() - started)
            try:
                report = self._apply(sorted(paths), IndexState(head, tuple(sorted(dirty))))
            except IndexCorrupt as error:
                log.warning("sync found the index broken (%s); rebuilding", error)
                return self._rebuild_locked(started)
        self.answers.clear()
        added, updated, removed, problems = report
        return IndexReport(
            "sync", added, updated, removed, problems, head, time.perf_counter() - started
        )

    def _apply(self, paths: list[str], state: IndexState) -> tuple[int, int, int, tuple[str, ...]]:
        """Reindex ``paths``: every old document of a path goes, its current article comes."""
        everything = Filter("all")
        changed = set(paths)
        before: set[str] = set()
        documents: dict[str, dict[str, Any]] = {}
        problems: list[str] = []
        added = updated = 0
        for path in paths:
            before.update(str(f["key"]) for f in self.index.documents(everything, path=path))
            try:
                article = self.repository.load(path)
            except ArticleNotFound:
                continue
            except ArticleInvalid as invalid:
                problems.append(str(invalid.problem))
                continue
            existing = self.index.key_of(article.key)
            other = str(existing["path"]) if existing is not None else None
            if article.key in documents or (
                other is not None
                and other != path
                and other not in changed
                and (self.repository.root / other).is_file()
            ):
                first = documents[article.key]["path"] if article.key in documents else other
                problems.append(
                    f"{path}: duplicate id {article.id!r} in lang {article.lang!r}: "
                    f"already used by {first}"
                )
                continue
            documents[article.key] = document(article)
            if existing is None and article.key not in before:
                added += 1
            else:
                updated += 1
        self.index.apply(paths, list(documents.values()), state)
        removed = len(before - set(documents))
        return added, updated, removed, tuple(problems)

    def with_index(self, work: Callable[[], T]) -> T:
        """Run ``work``; if the index is missing or broken, rebuild it once and retry."""
        try:
            return work()
        except IndexCorrupt as error:
            log.warning("search index unusable (%s); rebuilding", error)
            self._recover(error.generation)
        try:
            return work()
        except IndexCorrupt as error:
            raise IndexUnavailable(str(error)) from error

    def _recover(self, generation: str | None) -> None:
        """Rebuild unless another process already replaced the broken generation."""
        started = time.perf_counter()
        with self.index.writing(WRITE_WAIT_SECONDS):
            current = self.index.current_path()
            if current is None or current.name == generation or self.index.read_state() is None:
                self._rebuild_locked(started)
        self.index.refresh_now()


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
