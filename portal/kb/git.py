"""Git for the articles directory: paths kept under root, commits of the work tree, and the
plumbing that drafts use (blobs, trees, commits and compare-and-swap ref moves).

The articles directory (``root``) is a git work tree or sits inside one (the project's own
``articles/`` lives inside the project repository). Git runs as a subprocess with argument
lists and ``-C root``; paths given to and returned from this module are always relative to
``root`` with POSIX separators, and nothing outside ``root`` is ever read or committed.

Drafts never touch the work tree: their trees are built with ``ls-tree``/``mktree`` and their
commits written as objects (``hash-object -t commit``), so neither a temporary index nor
``GIT_*`` environment variables are needed, and git inherits the process environment
unchanged (no copy of the process environment is made or edited here).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from filelock import FileLock

from portal.kb.models import KbError, UnsafePath

log = logging.getLogger("portal.kb")

_AUTHOR = re.compile(r"^[^<>\n]+ <[^<>\s]*>$")
_DEFAULT_IDENTITY: Final = ("-c", "user.name=Sanad", "-c", "user.email=sanad@localhost")
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

    def signature(self) -> str:
        """``Name <email> <seconds> +0000`` as a commit object's author/committer line has it."""
        when = self.when if self.when.tzinfo else self.when.replace(tzinfo=dt.UTC)
        name = re.sub(r"[<>\n\r]+", " ", self.name).strip() or "Sanad"
        email = re.sub(r"[<>\s]+", "", self.email) or "sanad@localhost"
        return f"{name} <{email}> {int(when.timestamp())} +0000"


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


class GitRepository:
    """A directory that is, or sits inside, a git work tree (``ArticleRepository`` adds the
    articles)."""

    def __init__(self, root: Path) -> None:
        self.root = root

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
    # Drafts never touch the work tree: their commits are built from blobs and trees, and
    # branches move only by compare-and-swap (``git update-ref <ref> <new> <old>``).

    def git_prefix(self) -> str:
        """Where root sits in its work tree (``articles/``, or ``""`` at the top)."""
        return self._git("rev-parse", "--show-prefix").stdout.decode("utf-8").strip()

    def git_path(self, relative: str) -> str:
        """A safe path relative to root as git names it from the top (``:/`` pathspec form)."""
        clean = self.relative(self.safe_path(relative))
        return self.git_prefix() + clean

    def live_ref(self) -> str:
        """The branch HEAD points at: the live site follows it."""
        result = self._git("symbolic-ref", "-q", "HEAD", check=False)
        ref = result.stdout.decode().strip()
        if result.returncode != 0 or not ref:
            raise KbError("the articles repository is not on a branch (detached HEAD)")
        return ref

    def resolve(self, rev: str) -> str | None:
        """The commit ``rev`` names, or None."""
        if not rev or rev.startswith("-"):
            return None
        result = self._git("rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False)
        return result.stdout.decode().strip() or None if result.returncode == 0 else None

    def read_blob(self, commit: str, relative: str) -> bytes | None:
        """A file's bytes at ``commit`` (None when absent there)."""
        if not is_oid(commit):
            found = self.resolve(commit)
            if found is None:
                return None
            commit = found
        spec = f"{commit}:{self.git_path(relative)}"
        kind = self._git("cat-file", "-t", spec, check=False)
        if kind.returncode != 0 or kind.stdout.strip() != b"blob":
            return None
        return self._git("cat-file", "blob", spec).stdout

    def last_commit_touching(self, rev: str, relative: str) -> str | None:
        """The newest first-parent commit of ``rev`` that changed the file (None: never)."""
        if self.resolve(rev) is None:
            return None
        result = self._git(
            "log", "-1", "--first-parent", "--format=%H", rev, "--",
            f":(top,literal){self.git_path(relative)}",
        )  # fmt: skip
        return result.stdout.decode().strip() or None

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a blob object and return its id."""
        return self._git("hash-object", "-w", "--stdin", stdin=data).stdout.decode().strip()

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
        parts = self.git_path(relative).split("/")
        tree = self._tree_with(tree_of, parts, blob)
        lines = [f"tree {tree}", *(f"parent {parent}" for parent in parents)]
        lines += [f"author {author.signature()}", f"committer {committer.signature()}"]
        body = "\n".join(lines) + "\n\n" + message
        result = self._git("hash-object", "-t", "commit", "-w", "--stdin", stdin=body.encode())
        return result.stdout.decode().strip()

    def _tree_with(self, tree: str | None, parts: list[str], blob: str) -> str:
        """The tree ``tree`` (a tree or commit id; None: empty) with the file at ``parts``
        (below it) set to ``blob``; missing directories are created."""
        entries: dict[bytes, bytes] = {}  # name → "mode type oid"
        if tree is not None:
            # --full-tree: run inside a subdirectory (root), ls-tree would list only it.
            listing = self._git("ls-tree", "--full-tree", "-z", tree).stdout
            for record in listing.split(b"\0"):
                if record:
                    head, _, name = record.partition(b"\t")
                    entries[name] = head
        name = parts[0].encode("utf-8")
        if len(parts) == 1:
            entries[name] = f"100644 blob {blob}".encode()
        else:
            _mode, kind, oid = (entries.get(name) or b"- - -").decode().split(" ")
            below = oid if kind == "tree" else None
            entries[name] = f"040000 tree {self._tree_with(below, parts[1:], blob)}".encode()
        listing = b"".join(head + b"\t" + key + b"\0" for key, head in entries.items())
        return self._git("mktree", "-z", stdin=listing).stdout.decode().strip()

    def move_ref(self, ref: str, new: str | None, old: str | None, reason: str = "") -> None:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new`` (None:
        delete). Retries only while git reports the ref locked; RefMoved on a real mismatch."""
        zero = "0" * 40
        if new is None:
            args = ["update-ref", "-d", ref, *([old] if old else [])]
        else:
            args = ["update-ref", "-m", reason or "sanad", ref, new, old or zero]
        for attempt in range(_LOCK_RETRIES):
            result = self._git(*args, check=False)
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
        status = self._git("status", "--porcelain", "-z", "--untracked-files=all", "--", path)
        return not status.stdout.strip(b"\0")

    def checkout_blob(self, relative: str, blob: str) -> None:
        """Write ``blob`` to the work-tree file and its index entry (nothing else changes)."""
        data = self._git("cat-file", "blob", blob).stdout
        self.write_text(relative, data.decode("utf-8"))
        path = self.git_path(relative)
        for attempt in range(_LOCK_RETRIES):
            result = self._git(
                "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}",
                check=False,
            )  # fmt: skip
            if result.returncode == 0:
                break
            if b"File exists" not in result.stderr:
                raise KbError(f"git update-index failed: {result.stderr.decode().strip()}")
            time.sleep(min(0.002 * (attempt + 1), 0.05))
        # Refresh the stat data so `git status` sees the file as unchanged without rehashing.
        self._git("update-index", "-q", "--refresh", check=False)

    def file_log(self, rev: str, relative: str) -> list[LogEntry]:
        """First-parent commits of ``rev`` that changed the file, newest first."""
        if self.resolve(rev) is None:
            return []
        fields = (
            "%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f"
            "%(trailers:key=Reviewed-by,valueonly,separator=%x1d)%x1e"
        )
        result = self._git(
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

    def trailer_commits(self, rev: str, key: str) -> dict[str, str]:
        """First-parent commits of ``rev`` carrying the trailer ``key``: value → newest commit.

        One ``git log`` for the whole history, so a start-up check of many drafts stays one
        process."""
        if self.resolve(rev) is None:
            return {}
        fields = f"%H%x1f%(trailers:key={key},valueonly,separator=%x1d)%x1e"
        result = self._git(
            "log", "--first-parent", f"--format={fields}", "--fixed-strings",
            f"--grep={key}: ", rev,
        )  # fmt: skip
        found: dict[str, str] = {}
        for record in result.stdout.decode("utf-8", "replace").split("\x1e"):
            commit, _, values = record.strip("\n").partition("\x1f")
            for value in values.split("\x1d"):
                value = value.strip()
                if commit and value and value not in found:
                    found[value] = commit
        return found

    def commit_authors(self, rev: str, since: str | None) -> set[str]:
        """The e-mail addresses (lower case) of the authors of commits in ``since..rev``
        (every commit of ``rev`` when ``since`` is None)."""
        if not is_oid(rev) or (since is not None and not is_oid(since)):
            return set()
        span = f"{since}..{rev}" if since else rev
        result = self._git("log", "--format=%ae", span, check=False)
        if result.returncode != 0:
            return set()
        return {line.strip().lower() for line in result.stdout.decode().splitlines() if line}

    def parent_of(self, commit: str) -> str | None:
        """The first parent of ``commit`` (None for a root commit or an unknown id)."""
        return self.resolve(f"{commit}^") if is_oid(commit) else None

    def committer_of(self, commit: str) -> tuple[str, str]:
        """The committer's name and e-mail address of ``commit``."""
        result = self._git("log", "-1", "--format=%cn%x1f%ce", commit, check=False)
        name, _, email = result.stdout.decode("utf-8", "replace").strip().partition("\x1f")
        return name or "Sanad", email

    def refs_under(self, prefix: str) -> dict[str, str]:
        """Refs below ``prefix`` (e.g. ``refs/heads/drafts/``): short name → commit."""
        result = self._git("for-each-ref", "--format=%(objectname) %(refname)", prefix)
        found: dict[str, str] = {}
        for line in result.stdout.decode().splitlines():
            commit, _, name = line.partition(" ")
            if name.startswith(prefix) and commit:
                found[name[len(prefix) :]] = commit
        return found

    def commit_lock(self) -> FileLock:
        """The lock that serialises commits to the live branch on this host."""
        return FileLock(str(self._git_dir() / "sanad-commit.lock"), timeout=60)

    # --- data files ----------------------------------------------------------------------
