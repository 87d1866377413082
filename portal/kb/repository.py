"""The only code that touches article files and git.

CONTRACT (owned by portal.kb; portal.search, portal.web and portal.cli use these signatures).

The articles directory (``root``) is a git work tree or sits inside one (the project's own
``articles/`` lives inside the project repository). Git runs as a subprocess with argument
lists and ``-C root``; paths given to and returned from this module are always relative to
``root`` with POSIX separators, and nothing outside ``root`` is ever read or committed.

Front matter is split by hand rather than with python-frontmatter's regex: that regex lets
its boundary swallow blank lines (so YAML line numbers drift) and silently treats an
unterminated block as body text. Authors need the exact line of every mistake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Final

import yaml
from filelock import FileLock

from portal.kb.models import (
    AUDIENCES,
    KINDS,
    LANGS,
    STATUSES,
    Article,
    ArticleInvalid,
    ArticleNotFound,
    ArticleProblem,
    KbError,
    LoadResult,
    UnsafePath,
)

log = logging.getLogger("portal.kb")

# Letters of any script, digits, "-", "_" and "."; never starting with "." (no "..", no dotfiles).
_SLUG = re.compile(r"^(?!\.)[\w.-]{1,200}$")
_AUTHOR = re.compile(r"^[^<>\n]+ <[^<>\s]*>$")
_DEFAULT_IDENTITY: Final = ("-c", "user.name=Sanad", "-c", "user.email=sanad@localhost")
# The schema's keys, in the order a written article lists them (docs/articles.md).
_FRONT_MATTER_ORDER: Final = (
    "title",
    "id",
    "lang",
    "translation_of",
    "category",
    "tags",
    "kind",
    "audience",
    "status",
    "owner",
    "updated",
    "review_by",
    "description",
)
_KNOWN_KEYS: Final = frozenset(_FRONT_MATTER_ORDER)
# Builds the ArticleInvalid to raise for a line and message; finds a front-matter key's line.
_Fail = Callable[[int | None, str], ArticleInvalid]
_LineOf = Callable[[str], int]
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_slug(value: str) -> bool:
    """True for ids and categories that are safe in paths and URLs."""
    return bool(_SLUG.match(value))


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


class ArticleRepository:
    """A directory of Markdown articles that is, or sits inside, a git work tree."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._categories_cache: tuple[tuple[int, int], dict[str, Category]] | None = None

    # --- paths ---------------------------------------------------------------------------

    def safe_path(self, relative: str) -> Path:
        """The absolute path of ``relative`` under root; raises UnsafePath for anything else.

        Every feature that writes under the articles directory goes through here: no absolute
        paths, nothing that resolves (through ``..`` or symlinks) outside root, no ``.git``.
        """
        if not relative or "\0" in relative:
            raise UnsafePath(f"not a usable path: {relative!r}")
        pure = PurePosixPath(relative.replace("\\", "/"))
        if pure.is_absolute() or Path(relative).is_absolute() or re.match(r"^[A-Za-z]:", relative):
            raise UnsafePath(f"absolute paths are not allowed: {relative}")
        if any(part.lower() == ".git" for part in pure.parts):
            raise UnsafePath(f"paths inside .git are not allowed: {relative}")
        base = self.root.resolve()
        target = (base / pure).resolve()
        if target != base and base not in target.parents:
            raise UnsafePath(f"path leaves the articles directory: {relative}")
        inside = target.relative_to(base).parts
        if any(part.lower() == ".git" for part in inside):
            raise UnsafePath(f"paths inside .git are not allowed: {relative}")
        return target

    def relative(self, path: Path) -> str:
        """``path`` (absolute, under root) as a POSIX path relative to root."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def write_text(self, relative: str, text: str) -> Path:
        """Write a file under root (creating directories); the one way features write here."""
        target = self.safe_path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return target

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
                line = _key_line_of(self.root / relative, "id")
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

    # --- git -----------------------------------------------------------------------------

    def _git(
        self, *args: str, check: bool = True, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
        if check and result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise KbError(f"git {args[0]} failed: {message}")
        return result

    def _in_work_tree(self) -> bool:
        if not self.root.is_dir():
            return False
        result = self._git("rev-parse", "--is-inside-work-tree", check=False)
        return result.returncode == 0 and result.stdout.strip() == b"true"

    def ensure_git(self) -> None:
        """Create the directory and ``git init`` it when it is in no work tree yet."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not self._in_work_tree():
            self._git("init", "-q")
            log.info("initialised a git repository in %s", self.root)

    def head(self) -> str | None:
        """The commit the work tree is at, or None before the first commit."""
        if not self.root.is_dir():
            return None
        result = self._git("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        if result.returncode != 0:
            return None
        return result.stdout.decode().strip() or None

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

    def commit(self, paths: Iterable[str], message: str, author: str | None = None) -> str:
        """Commit exactly ``paths`` (inside the directory) and return the new commit id.

        Deleted paths are committed as deletions. Other staged changes are left alone. Raises
        UnsafePath for a path outside root or inside ``.git``, KbError when git refuses.
        """
        relatives = sorted({self.relative(self.safe_path(path)) for path in paths})
        if not relatives:
            raise KbError("nothing to commit: no paths given")
        if not message.strip():
            raise KbError("a commit needs a message")
        if author is not None and not _AUTHOR.match(author):
            raise KbError(f'author must look like "Name <email>": {author!r}')
        self.ensure_git()
        pathspec = b"".join(p.encode("utf-8") + b"\0" for p in relatives)
        spec_args = ("--pathspec-from-file=-", "--pathspec-file-nul")
        with FileLock(str(self._git_dir() / "sanad-commit.lock"), timeout=60):
            self._git("--literal-pathspecs", "add", "-A", *spec_args, stdin=pathspec)
            identity = () if self._has_identity() else _DEFAULT_IDENTITY
            author_args = (f"--author={author}",) if author else ()
            self._git(
                *identity,
                "--literal-pathspecs",
                "commit",
                "-q",
                "--no-verify",
                "-m",
                message,
                *author_args,
                "--only",
                *spec_args,
                stdin=pathspec,
            )
            new_head = self.head()
        if new_head is None:
            raise KbError("git commit reported success but there is no HEAD")
        return new_head

    def _git_dir(self) -> Path:
        out = self._git("rev-parse", "--absolute-git-dir").stdout.decode("utf-8").strip()
        return Path(out)

    def _has_identity(self) -> bool:
        name = self._git("config", "user.name", check=False)
        email = self._git("config", "user.email", check=False)
        return bool(name.stdout.strip()) and bool(email.stdout.strip())

    # --- draft plumbing (portal.kb.workflow) ----------------------------------------------
    # Drafts never touch the work tree: their commits are built from blobs and a temporary
    # index, and branches move only by compare-and-swap (``git update-ref <ref> <new> <old>``).

    def _plumb(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        return _plumbing(self, *args, env=env, stdin=stdin, check=check)

    def git_prefix(self) -> str:
        """Where root sits in its work tree (``articles/``, or ``""`` at the top)."""
        return self._plumb("rev-parse", "--show-prefix").stdout.decode("utf-8").strip()

    def git_path(self, relative: str) -> str:
        """A safe path relative to root as git names it from the top (``:/`` pathspec form)."""
        clean = self.relative(self.safe_path(relative))
        return self.git_prefix() + clean

    def live_ref(self) -> str:
        """The branch HEAD points at: the live site follows it."""
        result = self._plumb("symbolic-ref", "-q", "HEAD", check=False)
        ref = result.stdout.decode().strip()
        if result.returncode != 0 or not ref:
            raise KbError("the articles repository is not on a branch (detached HEAD)")
        return ref

    def resolve(self, rev: str) -> str | None:
        """The commit ``rev`` names, or None."""
        if not rev or rev.startswith("-"):
            return None
        result = self._plumb("rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False)
        return result.stdout.decode().strip() or None if result.returncode == 0 else None

    def read_blob(self, commit: str, relative: str) -> bytes | None:
        """A file's bytes at ``commit`` (None when absent there)."""
        if not is_oid(commit):
            found = self.resolve(commit)
            if found is None:
                return None
            commit = found
        spec = f"{commit}:{self.git_path(relative)}"
        kind = self._plumb("cat-file", "-t", spec, check=False)
        if kind.returncode != 0 or kind.stdout.strip() != b"blob":
            return None
        return self._plumb("cat-file", "blob", spec).stdout

    def last_commit_touching(self, rev: str, relative: str) -> str | None:
        """The newest first-parent commit of ``rev`` that changed the file (None: never)."""
        if self.resolve(rev) is None:
            return None
        result = self._plumb(
            "log", "-1", "--first-parent", "--format=%H", rev, "--",
            f":(top,literal){self.git_path(relative)}",
        )  # fmt: skip
        return result.stdout.decode().strip() or None

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a blob object and return its id."""
        return self._plumb("hash-object", "-w", "--stdin", stdin=data).stdout.decode().strip()

    def commit_file(
        self,
        *,
        tree_of: str | None,
        relative: str,
        blob: str,
        parents: tuple[str, ...],
        message: str,
        author: Identity,
        committer: Identity,
    ) -> str:
        """A commit whose tree is ``tree_of``'s with one file set to ``blob`` (no ref moves)."""
        path = self.git_path(relative)
        with tempfile.TemporaryDirectory(prefix="sanad-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if tree_of is not None:
                self._plumb("read-tree", tree_of, env=env)
            else:
                self._plumb("read-tree", "--empty", env=env)
            self._plumb("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = self._plumb("write-tree", env=env).stdout.decode().strip()
        parent_args = [arg for parent in parents for arg in ("-p", parent)]
        env = {**author.env("AUTHOR"), **committer.env("COMMITTER")}
        result = self._plumb(
            "commit-tree", tree, *parent_args, "-F", "-", env=env, stdin=message.encode()
        )
        return result.stdout.decode().strip()

    def move_ref(self, ref: str, new: str | None, old: str | None, reason: str = "") -> None:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new`` (None:
        delete). Retries only while git reports the ref locked; RefMoved on a real mismatch."""
        zero = "0" * 40
        if new is None:
            args = ["update-ref", "-d", ref, *([old] if old else [])]
        else:
            args = ["update-ref", "-m", reason or "sanad", ref, new, old or zero]
        for attempt in range(_LOCK_RETRIES):
            result = self._plumb(*args, check=False)
            if result.returncode == 0:
                return
            message = result.stderr.decode("utf-8", "replace")
            if "File exists" in message or "Unable to create" in message:
                time.sleep(min(0.002 * (attempt + 1), 0.05))
                continue
            current = self.resolve(ref)
            if current != old:
                raise RefMoved(ref, current)
            raise KbError(f"git update-ref failed: {message.strip()}")
        raise KbError(f"{ref} stayed locked: try again")

    def is_clean(self, relative: str) -> bool:
        """True when the work-tree file (and its index entry) matches HEAD, or is absent from
        both: there is no uncommitted change that a publish would overwrite."""
        path = f":(top,literal){self.git_path(relative)}"
        status = self._plumb("status", "--porcelain", "-z", "--untracked-files=all", "--", path)
        return not status.stdout.strip(b"\0")

    def checkout_blob(self, relative: str, blob: str) -> None:
        """Write ``blob`` to the work-tree file and its index entry (nothing else changes)."""
        data = self._plumb("cat-file", "blob", blob).stdout
        self.write_text(relative, data.decode("utf-8"))
        path = self.git_path(relative)
        for attempt in range(_LOCK_RETRIES):
            result = self._plumb(
                "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}",
                check=False,
            )  # fmt: skip
            if result.returncode == 0:
                break
            if b"File exists" not in result.stderr:
                raise KbError(f"git update-index failed: {result.stderr.decode().strip()}")
            time.sleep(min(0.002 * (attempt + 1), 0.05))
        # Refresh the stat data so `git status` sees the file as unchanged without rehashing.
        self._plumb("update-index", "-q", "--refresh", check=False)

    def file_log(self, rev: str, relative: str) -> list[LogEntry]:
        """First-parent commits of ``rev`` that changed the file, newest first."""
        if self.resolve(rev) is None:
            return []
        fields = (
            "%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f"
            "%(trailers:key=Reviewed-by,valueonly,separator=%x1d)%x1e"
        )
        result = self._plumb(
            "log", "--first-parent", f"--format={fields}", rev, "--",
            f":(top,literal){self.git_path(relative)}",
        )  # fmt: skip
        entries: list[LogEntry] = []
        for record in result.stdout.decode("utf-8", "replace").split("\x1e"):
            parts = record.strip("\n").split("\x1f")
            if len(parts) != 6:
                continue
            commit, name, email, date, subject, trailers = parts
            reviewed = trailers.split("\x1d")[0].strip() or None
            entries.append(
                LogEntry(commit, name, email, dt.datetime.fromisoformat(date), subject, reviewed)
            )
        return entries

    def commit_lock(self) -> FileLock:
        """The lock that serialises commits to the live branch on this host."""
        return FileLock(str(self._git_dir() / "sanad-commit.lock"), timeout=60)

    # --- data files ----------------------------------------------------------------------

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
        try:
            return yaml.load(text.removeprefix("\ufeff"), Loader=_Loader)  # noqa: S506  # safe loader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise KbError(f"{name}:{line}: {error.problem or error}") from None
        except (yaml.YAMLError, RecursionError) as error:
            raise KbError(f"{name}: {error}") from None

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


# --- parsing ------------------------------------------------------------------------------


def split_front_matter(relative: str, text: str) -> tuple[dict[str, Any], dict[str, int], str]:
    """Front matter as a dict, the file line of each top-level key, and the body.

    Raises ArticleInvalid (with the line) for an unterminated block or invalid YAML. Used
    by the importer to read other knowledge bases' files with the same care.
    """

    def fail(line: int | None, message: str) -> ArticleInvalid:
        return ArticleInvalid(ArticleProblem(relative, line, message))

    return _split_front_matter(text.removeprefix("\ufeff"), fail)


def parse_article(relative: str, data: bytes) -> Article:
    """Parse one article file's bytes; raises ArticleInvalid pointing at the line to fix."""

    def fail(line: int | None, message: str) -> ArticleInvalid:
        return ArticleInvalid(ArticleProblem(relative, line, message))

    content_hash = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise fail(line, f"not valid UTF-8 (byte 0x{data[error.start]:02x})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail(1, "empty file")
    if "\0" in text:
        raise fail(text[: text.index("\0")].count("\n") + 1, "contains a NUL character")

    meta, key_lines, body = _split_front_matter(text, fail)

    def line_of(key: str) -> int:
        return key_lines.get(key, 1)

    stem = PurePosixPath(relative).name.removesuffix(".md")
    suffix_lang = stem.rsplit(".", 1)[1] if "." in stem else None
    if suffix_lang not in LANGS:
        suffix_lang = None

    lang_value = meta.get("lang")
    if lang_value is None:
        if suffix_lang is None:
            raise fail(
                1, "no lang: add `lang: ar` or `lang: en`, or name the file <slug>.<lang>.md"
            )
        lang = suffix_lang
    else:
        lang = str(lang_value).strip().lower()
        if lang not in LANGS:
            raise fail(line_of("lang"), f"unknown lang {lang_value!r}: use one of {LANGS}")
        if suffix_lang is not None and lang != suffix_lang:
            raise fail(
                line_of("lang"), f"lang {lang!r} contradicts the file name suffix .{suffix_lang}"
            )

    default_id = stem.removesuffix(f".{suffix_lang}") if suffix_lang else stem
    article_id = _text(meta.get("id"), "id", line_of, fail) or default_id
    if not is_slug(article_id):
        raise fail(
            line_of("id"),
            f"id {article_id!r} is not a safe slug (letters, digits, '-', '_', '.')",
        )

    title = _text(meta.get("title"), "title", line_of, fail)
    if not title:
        raise fail(line_of("title"), "missing title: add `title: ...` to the front matter")

    parts = PurePosixPath(relative).parts
    category = _text(meta.get("category"), "category", line_of, fail) or (
        parts[0] if len(parts) > 1 else "general"
    )
    if not is_slug(category):
        raise fail(line_of("category"), f"category {category!r} is not a safe slug")

    kind = _choice(meta, "kind", KINDS, "article", line_of, fail)
    audience = _choice(meta, "audience", AUDIENCES, "public", line_of, fail)
    status = _choice(meta, "status", STATUSES, "published", line_of, fail)

    translation_of = _text(meta.get("translation_of"), "translation_of", line_of, fail)
    if translation_of and not is_slug(translation_of):
        raise fail(line_of("translation_of"), f"translation_of {translation_of!r} is not a slug")

    extra = {str(key): value for key, value in meta.items() if str(key) not in _KNOWN_KEYS}
    return Article(
        id=article_id,
        lang=lang,
        title=title,
        body=body,
        path=relative,
        category=category,
        tags=_tags(meta.get("tags"), line_of, fail),
        kind=kind,
        audience=audience,
        status=status,
        owner=_text(meta.get("owner"), "owner", line_of, fail),
        updated=_date(meta.get("updated"), "updated", line_of, fail),
        review_by=_date(meta.get("review_by"), "review_by", line_of, fail),
        translation_of=translation_of,
        description=_text(meta.get("description"), "description", line_of, fail),
        extra=MappingProxyType(extra),
        content_hash=content_hash,
    )


def _split_front_matter(text: str, fail: _Fail) -> tuple[dict[str, Any], dict[str, int], str]:
    """Front matter (as a dict), the file line of each top-level key, and the body."""
    # Line by line through the front matter only: splitting the whole file into lines and
    # joining the body back was most of the parse time of a long article.
    newline = text.find("\n")
    if (text if newline < 0 else text[:newline]).rstrip() != "---":
        return {}, {}, text
    end = 0  # line number of the closing ---, counting the opening one as 0
    start = newline + 1
    cursor = start
    while newline >= 0:
        end += 1
        newline = text.find("\n", cursor)
        current = text[cursor:] if newline < 0 else text[cursor:newline]
        if current.rstrip() in ("---", "..."):
            break
        cursor = newline + 1
    else:
        raise fail(1, "front matter is not terminated: add a line with --- after it")
    yaml_text = text[start : max(start, cursor - 1)]
    body = "" if newline < 0 else text[newline + 1 :].strip("\n")
    if not yaml_text.strip():
        return {}, {}, body
    try:
        loader = _Loader(yaml_text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}, {}, body
            if not isinstance(node, yaml.MappingNode):
                raise fail(2, "front matter must be a mapping of `key: value` lines")
            loader.flatten_mapping(node)  # resolves `<<:` merge keys
            meta: dict[str, Any] = {}
            key_lines: dict[str, int] = {}
            # Key by key, so that a value YAML cannot construct (a 13th month) has a line.
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 2
                if not isinstance(key_node, yaml.ScalarNode):
                    raise fail(line, "front matter keys must be plain words")
                key = str(loader.construct_object(key_node, deep=True))
                try:
                    value = loader.construct_object(value_node, deep=True)
                except (ValueError, TypeError, OverflowError) as error:
                    what = "not a date" if value_node.tag.endswith(":timestamp") else "unreadable"
                    raise fail(line, f"{key} {value_node.value!r} is {what}: {error}") from None
                key_lines.setdefault(key, line)
                meta[key] = value
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        raise fail(line, f"front matter is not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = yaml_text[: max(error.position, 0)].count("\n") + 2
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else "?"
        message = f"front matter contains a character YAML does not allow ({character})"
        raise fail(min(line, end), message) from None
    except yaml.YAMLError as error:
        raise fail(1, f"front matter is not valid YAML: {error}") from None
    except RecursionError:
        raise fail(1, "front matter is nested too deeply") from None
    return meta, key_lines, body


def _text(value: Any, key: str, line_of: _LineOf, fail: _Fail) -> str | None:
    """A scalar front-matter value as stripped text (None when absent or blank)."""
    if value is None:
        return None
    if isinstance(value, list | dict | set | tuple):
        raise fail(line_of(key), f"{key} must be a single value, not a list or mapping")
    text = str(value).strip()
    return text or None


def _choice(
    meta: Mapping[str, Any],
    key: str,
    allowed: tuple[str, ...],
    default: str,
    line_of: _LineOf,
    fail: _Fail,
) -> str:
    value = meta.get(key)
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in allowed:
        raise fail(line_of(key), f"unknown {key} {value!r}: use one of {', '.join(allowed)}")
    return text


def _tags(value: Any, line_of: _LineOf, fail: _Fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise fail(line_of("tags"), "tags must be a list, e.g. tags: [password, login]")
    tags: list[str] = []
    for item in items:
        if isinstance(item, list | dict):
            raise fail(line_of("tags"), "each tag must be a single word or phrase")
        text = "" if item is None else str(item).strip()
        if text and text not in tags:
            tags.append(text)
    return tuple(tags)


def _date(value: Any, key: str, line_of: _LineOf, fail: _Fail) -> dt.date | None:
    """YAML gives dates, datetimes or strings (quoted, or with a time): all become dates."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.fromisoformat(s).date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise fail(line_of(key), f"{key} {value!r} is not a date: use YYYY-MM-DD")


def _key_line_of(path: Path, key: str) -> int:
    """Line of a top-level front-matter key in a file that already parsed (1 if absent)."""
    try:
        lines = path.read_text(encoding="utf-8").removeprefix("\ufeff").split("\n")
    except (OSError, UnicodeDecodeError):
        return 1
    if not lines or lines[0].rstrip() != "---":
        return 1
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            break
        if line.startswith(f"{key}:"):
            return number
    return 1


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


# --- git plumbing for drafts (portal.kb.workflow) --------------------------------------------
#
# Drafts never touch the work tree: their commits are built from blobs and a temporary index,
# and branches move only by compare-and-swap (``git update-ref <ref> <new> <old>``).

_OID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_LOCK_RETRIES: Final = 200


class RefMoved(KbError):
    """A compare-and-swap on a ref failed: it is not at the expected commit any more."""

    def __init__(self, ref: str, current: str | None) -> None:
        super().__init__(f"{ref} has moved (now at {current or 'nothing'})")
        self.ref = ref
        self.current = current


@dataclass(frozen=True)
class Identity:
    """A git author or committer and the moment of the change."""

    name: str
    email: str
    when: dt.datetime

    def env(self, role: str) -> dict[str, str]:
        when = self.when if self.when.tzinfo else self.when.replace(tzinfo=dt.UTC)
        name = re.sub(r"[<>\n\r]+", " ", self.name).strip() or "Sanad"
        email = re.sub(r"[<>\s]+", "", self.email) or "sanad@localhost"
        return {
            f"GIT_{role}_NAME": name,
            f"GIT_{role}_EMAIL": email,
            f"GIT_{role}_DATE": f"{int(when.timestamp())} +0000",
        }


@dataclass(frozen=True)
class LogEntry:
    """One commit of ``git log`` on a file: who, when, what and the Reviewed-by trailer."""

    commit: str
    author_name: str
    author_email: str
    date: dt.datetime
    subject: str
    reviewed_by: str | None


def is_oid(value: str) -> bool:
    """A full commit id (SHA-1 or SHA-256), the only thing accepted as a ``base``."""
    return bool(_OID.match(value))


def render_article(meta: Mapping[str, Any], body: str) -> str:
    """An article file: YAML front matter (documented key order, then the rest) and the body."""
    ordered: dict[str, Any] = {}
    for key in _FRONT_MATTER_ORDER:
        value = meta.get(key)
        if value is not None and value != [] and value != ():
            ordered[key] = list(value) if isinstance(value, tuple) else value
    for key, value in meta.items():
        if key not in ordered and key not in _FRONT_MATTER_ORDER:
            ordered[str(key)] = value
    front = yaml.safe_dump(
        ordered, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000
    )
    return f"---\n{front}---\n\n{body.strip()}\n"


def _git_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def _plumbing(
    repository: ArticleRepository,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        ["git", "-C", str(repository.root), *args],
        input=stdin,
        capture_output=True,
        check=False,
        env=_git_env(env or {}),
    )
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise KbError(f"git {args[0]} failed: {message}")
    return result
