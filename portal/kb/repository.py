"""The only code that touches article files and git.

CONTRACT (owned by portal.kb; portal.search, portal.web and portal.cli use these signatures).

``ArticleRepository`` is the articles directory: listing and loading article files, the data
files beside them, and what changed since a commit. Git itself is in ``portal.kb.git`` (the
base class) and the file format in ``portal.kb.frontmatter``; the names other packages import
from here (``is_slug``, ``parse_article``, ``Identity``...) are re-exported so callers need
one import.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from portal.kb.frontmatter import (
    is_slug,
    key_line_of,
    load_yaml,
    parse_article,
    render_article,
    split_front_matter,
)
from portal.kb.git import GitRepository, Identity, LogEntry, RefMoved, is_oid
from portal.kb.models import (
    LANGS,
    Article,
    ArticleInvalid,
    ArticleNotFound,
    ArticleProblem,
    KbError,
    LoadResult,
    UnsafePath,
)

__all__ = [
    "ArticleRepository",
    "Category",
    "Changes",
    "Identity",
    "LogEntry",
    "RefMoved",
    "is_article_path",
    "is_data_path",
    "is_oid",
    "is_slug",
    "parse_article",
    "render_article",
    "split_front_matter",
]

log = logging.getLogger("portal.kb")


def is_article_path(relative: str) -> bool:
    """``*.md`` whose every path component starts with neither ``_`` nor ``.``."""
    parts = PurePosixPath(relative).parts
    return (
        bool(parts)
        and relative.endswith(".md")
        and not any(part.startswith(("_", ".")) for part in parts)
    )


def is_data_path(relative: str) -> bool:
    """A data file beside the articles: ``_<name>.yml`` / ``.yaml`` at the top of ``root``."""
    return "/" not in relative and relative.startswith("_") and relative.endswith((".yml", ".yaml"))


@dataclass(frozen=True)
class Category:
    """A category's display names and order, from ``_categories.yml``."""

    slug: str
    names: dict[str, str]  # lang → name
    descriptions: dict[str, str]
    order: int = 100
    icon: str = ""

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()), self.slug)


@dataclass(frozen=True)
class Changes:
    """What differs between a commit and the work tree, split by kind of file.

    ``articles`` are article paths (relative to root; both sides of a rename, deleted files
    included); ``data`` are data file names such as ``_synonyms.yml``.
    """

    articles: frozenset[str]
    data: frozenset[str]


class ArticleRepository(GitRepository):
    """A directory of Markdown articles that is, or sits inside, a git work tree."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._categories_cache: tuple[tuple[int, int], dict[str, Category]] | None = None

    def read_work_file(self, relative: str) -> str | None:
        """The work-tree file's text as it is now (None when absent or unsafe)."""
        try:
            return self.safe_path(relative).read_text(encoding="utf-8", errors="replace")
        except (OSError, UnsafePath):
            return None

    def has_work_file(self, relative: str) -> bool:
        """Is there a file (committed or not) at ``relative`` in the work tree?"""
        return self.safe_path(relative).exists()

    def article_paths(self) -> list[str]:
        """Every article file (``*.md`` not starting with ``_`` or ``.``), relative, sorted.

        Directories starting with ``_`` or ``.`` (``.git``, ``_includes``) are skipped, and so
        are symlinks: they could point outside the directory.
        """
        found: list[str] = []
        if not self.root.is_dir():
            return found
        stack = [(self.root, "")]
        while stack:
            directory, prefix = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError as error:
                log.warning("cannot list %s: %s", directory, error)
                continue
            for entry in entries:
                if entry.name.startswith(("_", ".")) or entry.is_symlink():
                    continue
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), relative + "/"))
                elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
                    found.append(relative)
        found.sort()
        return found

    # --- articles ------------------------------------------------------------------------

    def load_all(self) -> LoadResult:
        """Parse every article; broken files and duplicate (id, lang) pairs become problems."""
        articles: list[Article] = []
        problems: list[ArticleProblem] = []
        seen: dict[tuple[str, str], Article] = {}
        for relative in self.article_paths():
            try:
                article = self._load_path(relative)
            except ArticleInvalid as invalid:
                problems.append(invalid.problem)
                continue
            first = seen.get((article.id, article.lang))
            if first is not None:
                line = _key_line(self.root / relative, "id")
                problems.append(
                    ArticleProblem(
                        relative,
                        line,
                        f"duplicate id {article.id!r} in lang {article.lang!r}: "
                        f"already used by {first.path}",
                    )
                )
                continue
            seen[(article.id, article.lang)] = article
            articles.append(article)
        for problem in problems:
            log.warning("article problem: %s", problem)
        return LoadResult(tuple(articles), tuple(problems))

    def load(self, path: str) -> Article:
        """Parse one file; raises ArticleInvalid (with line) or ArticleNotFound."""
        try:
            target = self.safe_path(path)
        except UnsafePath as error:
            raise ArticleNotFound(str(error)) from error
        relative = self.relative(target)
        if not is_article_path(relative) or not target.is_file() or target.is_symlink():
            raise ArticleNotFound(f"no article file {path}")
        return self._load_path(relative)

    def _load_path(self, relative: str) -> Article:
        try:
            data = (self.root / relative).read_bytes()
        except OSError as error:
            raise ArticleInvalid(ArticleProblem(relative, None, f"cannot read: {error}")) from None
        try:
            return parse_article(relative, data)
        except ArticleInvalid:
            raise
        except Exception as error:  # any file content must become a problem
            problem = ArticleProblem(relative, 1, f"cannot parse: {type(error).__name__}: {error}")
            raise ArticleInvalid(problem) from None

    # --- what changed -------------------------------------------------------------------

    def changes_since(self, commit: str | None) -> Changes | None:
        """Article and data files changed since ``commit``; None when it cannot tell.

        Committed changes come from ``git diff commit HEAD``, uncommitted and untracked ones
        from ``git status``; renames are reported as a deletion plus an addition (both paths).
        """
        if not commit or not self.root.is_dir() or commit.startswith("-"):
            return None
        known = self._git("rev-parse", "--verify", "-q", f"{commit}^{{commit}}", check=False)
        if known.returncode != 0:
            return None
        head = self.head()
        paths: set[str] = set()
        if head is not None:
            diff = self._git(
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                "--relative",
                known.stdout.decode().strip(),
                head,
                "--",
                ".",
                check=False,
            )
            if diff.returncode != 0:
                return None
            paths.update(_split_z(diff.stdout))
        status = self._git(
            "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", ".",
            check=False,
        )  # fmt: skip
        if status.returncode != 0:
            return None
        prefix = self._git("rev-parse", "--show-prefix").stdout.decode("utf-8").strip()
        entries = _split_z(status.stdout)
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            code, path = entry[:2], entry[3:]
            # Renames and copies (only seen if --no-renames is ignored) carry their source next.
            if ("R" in code or "C" in code) and index < len(entries):
                paths.add(_strip_prefix(entries[index], prefix))
                index += 1
            paths.add(_strip_prefix(path, prefix))
        paths.discard("")
        return Changes(
            articles=frozenset(p for p in paths if is_article_path(p)),
            data=frozenset(p for p in paths if is_data_path(p)),
        )

    def changed_since(self, commit: str | None) -> set[str] | None:
        """Article paths changed since ``commit`` (committed or not); None = cannot tell.

        Data files (``_synonyms.yml`` …) are not included: see ``changed_data_since`` or
        ``changes_since``, which returns both from the same two git calls.
        """
        changes = self.changes_since(commit)
        return None if changes is None else set(changes.articles)

    def changed_data_since(self, commit: str | None) -> set[str] | None:
        """Data file names (``_synonyms.yml``, ``_golden.yml``, …) changed since ``commit``."""
        changes = self.changes_since(commit)
        return None if changes is None else set(changes.data)

    def read_data(self, name: str) -> Any:
        """Parsed YAML of a data file beside the articles (``_synonyms.yml``, ``_golden.yml``).

        None when the file is absent; KbError naming the file and line when it is broken.
        """
        target = self.safe_path(name)
        try:
            raw = target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise KbError(f"{name}: cannot read: {error}") from error
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise KbError(f"{name}:{line}: not valid UTF-8") from None
        return load_yaml(name, text)

    def read_data_token(self, name: str) -> tuple[int, int] | None:
        """Changes when a data file changes (modification time, size); None when absent."""
        try:
            stat = self.safe_path(name).stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def data_problems(self) -> list[ArticleProblem]:
        """Problems with the data files (bad YAML, wrong shape), for ``articles check``."""
        problems: list[ArticleProblem] = []
        shapes = {"_categories.yml": dict, "_synonyms.yml": dict, "_golden.yml": dict}
        names = sorted(
            entry.name
            for entry in (os.scandir(self.root) if self.root.is_dir() else ())
            if is_data_path(entry.name)
        )
        for name in names:
            try:
                data = self.read_data(name)
            except KbError as error:
                text = str(error)
                match = re.match(rf"^{re.escape(name)}:(\d+): (.*)$", text, re.DOTALL)
                if match:
                    problems.append(ArticleProblem(name, int(match[1]), match[2]))
                else:
                    problems.append(ArticleProblem(name, None, text.removeprefix(f"{name}: ")))
                continue
            expected = shapes.get(name)
            if expected is not None and data is not None and not isinstance(data, expected):
                problems.append(ArticleProblem(name, 1, "expected a mapping at the top level"))
        return problems

    def categories(self) -> dict[str, Category]:
        """Categories from ``_categories.yml`` (missing file → empty).

        A broken file is logged and treated as empty so that pages still render;
        ``sanad articles check`` reports it with its line. Cached until the file changes.
        """
        target = self.root / "_categories.yml"
        try:
            stat = target.stat()
        except OSError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._categories_cache is not None and self._categories_cache[0] == stamp:
            return dict(self._categories_cache[1])
        try:
            data = self.read_data("_categories.yml")
        except KbError as error:
            log.error("ignoring _categories.yml: %s", error)
            return {}
        categories = _parse_categories(data)
        self._categories_cache = (stamp, categories)
        return dict(categories)

    # --- live history for translations (portal.kb.translations) ---------------------------
    # The live branch's first-parent line is the order in which changes went live: a draft
    # approved as a merge counts from its merge, not from when its author began it.

    def live_changes(self) -> dict[str, list[tuple[int, str, dt.datetime]]]:
        """Each article path's live changes, newest first: (rank, commit, time), rank 0 = the
        newest commit. One ``git log --first-parent`` over the whole history."""
        if self.head() is None:
            return {}
        result = self._git(
            "-c", "core.quotePath=false", "log", "--first-parent", "--diff-merges=first-parent",
            "--relative", "--no-renames", "--name-only", "--format=%x01%H %ct", "--", ".",
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            return {}
        found: dict[str, list[tuple[int, str, dt.datetime]]] = {}
        rank, commit, when = -1, "", dt.datetime.min.replace(tzinfo=dt.UTC)
        for line in result.stdout.decode("utf-8", "surrogateescape").split("\n"):
            if line.startswith("\x01"):
                sha, _, stamp = line[1:].partition(" ")
                rank, commit = rank + 1, sha
                when = dt.datetime.fromtimestamp(int(stamp or 0), dt.UTC)
            elif line and rank >= 0 and is_article_path(line):
                found.setdefault(line, []).append((rank, commit, when))
        return found


def _parse_categories(data: Any) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    if not isinstance(data, dict):
        return categories
    for slug, entry in data.items():
        if not isinstance(entry, dict) or not is_slug(str(slug)):
            log.warning("_categories.yml: ignoring entry %r", slug)
            continue
        names: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        for lang in LANGS:
            texts = entry.get(lang)
            if isinstance(texts, dict):
                if texts.get("name"):
                    names[lang] = str(texts["name"])
                if texts.get("description"):
                    descriptions[lang] = str(texts["description"])
        order = entry.get("order", 100)
        categories[str(slug)] = Category(
            slug=str(slug),
            names=names,
            descriptions=descriptions,
            order=order if isinstance(order, int) and not isinstance(order, bool) else 100,
            icon=str(entry.get("icon") or ""),
        )
    return categories


def _split_z(output: bytes) -> list[str]:
    return [part.decode("utf-8", "surrogateescape") for part in output.split(b"\0") if part]


def _strip_prefix(path: str, prefix: str) -> str:
    """A top-level-relative path from ``git status`` made relative to root."""
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else ""


def _key_line(path: Path, key: str) -> int:
    """Line of a top-level front-matter key in a file that already parsed (1 if absent)."""
    try:
        return key_line_of(path.read_text(encoding="utf-8"), key)
    except (OSError, UnicodeDecodeError):
        return 1
