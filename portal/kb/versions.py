"""Published versions of an article: the live version, its history on the live branch, the
text at a version, and line diffs between versions (or of a draft against the live file)."""

from __future__ import annotations

import difflib

from portal.kb.draft_model import DiffLine, DraftView, FileDiff, Version
from portal.kb.models import UnsafePath
from portal.kb.repository import ArticleRepository


def published_version(repository: ArticleRepository, path: str) -> str | None:
    """The live version of an article file: the last live-branch commit that touched it."""
    try:
        if repository.resolve("HEAD") is None or repository.read_blob("HEAD", path) is None:
            return None
        return repository.last_commit_touching("HEAD", path)
    except UnsafePath:
        return None


def article_history(repository: ArticleRepository, path: str) -> list[Version]:
    """Published versions of an article file, newest first."""
    try:
        entries = repository.file_log("HEAD", path)
    except UnsafePath:
        return []
    return [
        Version(
            commit=entry.commit,
            author_name=entry.author_name,
            author_email=entry.author_email,
            date=entry.date,
            message=entry.subject,
            reviewed_by=entry.reviewed_by,
        )
        for entry in entries
    ]


def article_text_at(repository: ArticleRepository, path: str, commit: str) -> str | None:
    """The article file's full text at ``commit`` (None when it did not exist there)."""
    try:
        data = repository.read_blob(commit, path)
    except UnsafePath:
        return None
    return None if data is None else data.decode("utf-8", "replace")


def diff_versions(
    repository: ArticleRepository, path: str, old: str | None, new: str | None
) -> FileDiff:
    """Line diff of the article file between two commits (None = the live work tree file)."""

    def text(commit: str | None) -> str:
        if commit is None:
            return repository.read_work_file(path) or ""
        return article_text_at(repository, path, commit) or ""

    return line_diff(text(old), text(new), _label(old), _label(new))


def diff_draft(repository: ArticleRepository, draft: DraftView) -> FileDiff:
    """The draft's file against the live version (all "add" for a new article)."""
    live = article_text_at(repository, draft.path, "HEAD") if repository.resolve("HEAD") else None
    mine = article_text_at(repository, draft.path, draft.base) or ""
    return line_diff(live or "", mine, "published", "draft")


def line_diff(old: str, new: str, old_label: str, new_label: str) -> FileDiff:
    """A unified line diff (three lines of context) as rows a template can show."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        lines.append(
            DiffLine(
                "hunk",
                None,
                None,
                f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    lines.append(
                        DiffLine("context", i1 + offset + 1, j1 + offset + 1, a[i1 + offset])
                    )
                continue
            for index in range(i1, i2):
                lines.append(DiffLine("remove", index + 1, None, a[index]))
            for index in range(j1, j2):
                lines.append(DiffLine("add", None, index + 1, b[index]))
    return FileDiff(old_label, new_label, tuple(lines))


def _label(commit: str | None) -> str:
    return "live" if commit is None else commit[:10]
