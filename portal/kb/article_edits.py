"""Drafts that start from a live article: an edit's starting fields, restoring an old
version, archiving; and finding the article a person may edit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portal.config import LOCALES, Settings
from portal.kb import draft_access
from portal.kb.draft_files import input_from_article
from portal.kb.draft_model import (
    ArticleGone,
    DraftInput,
    DraftView,
    Editor,
    InvalidDraft,
    StaleBase,
)
from portal.kb.draft_rows import find_path, start_draft
from portal.kb.frontmatter import is_slug, parse_article
from portal.kb.models import Article, ArticleInvalid, KbError, UnsafePath
from portal.kb.repository import ArticleRepository
from portal.kb.versions import published_version


def find_live_article(repository: ArticleRepository, lang: str, article_id: str) -> Article | None:
    """The live file of an article in one language (any status or audience), or None.

    By file name, not by parsing every article: the editor opens this on each page."""
    if lang not in LOCALES or not is_slug(article_id):
        return None
    name = f"{article_id}.{lang}.md"
    for path in repository.article_paths():
        if path.rsplit("/", 1)[-1] == name:
            try:
                return repository.load(path)
            except KbError:
                return None
    return None


def article_to_edit(
    repository: ArticleRepository, editor: Editor, lang: str, article_id: str
) -> Article:
    """The live article ``editor`` wants to edit, archive, restore or see the history of:
    ArticleGone when there is none, NotAllowed when they do not write its kind."""
    article = find_live_article(repository, lang, article_id)
    if article is None:
        raise ArticleGone(f"No article {article_id!r} in {lang!r}.")
    draft_access.check_edit_article(editor, article.kind)
    return article


def restore_version(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    path: str,
    commit: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """Start a new draft whose text is the article as it was at ``commit``."""
    try:
        raw = repository.read_blob(commit, path)
    except UnsafePath:
        raw = None
    if raw is None:
        raise ArticleGone("That version of the article does not exist.")
    try:
        article = parse_article(path, raw)
    except ArticleInvalid as invalid:
        raise InvalidDraft({"markdown": invalid.problem.message}) from None
    data = input_from_article(article)
    draft_access.check_edit_article(editor, data.kind)
    relative = repository.relative(repository.safe_path(path))
    current = published_version(repository, relative)
    return start_draft(
        session, repository, editor, data, article.id, relative, current,
        source_tickets=(), now=now, comment=f"restored from {commit[:12]}",
    )  # fmt: skip


def live_input(repository: ArticleRepository, article_id: str, lang: str) -> DraftInput | None:
    """The published article's fields as a DraftInput (what an edit starts from), or None."""
    path = find_path(repository, article_id, lang) if is_slug(article_id) else None
    raw = repository.read_blob("HEAD", path) if path and repository.resolve("HEAD") else None
    if path is None or raw is None:
        return None
    try:
        return input_from_article(parse_article(path, raw))
    except ArticleInvalid:
        return None


def archive_article(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    article_id: str,
    lang: str,
    *,
    base: str | None = None,
    now: dt.datetime,
) -> DraftView:
    """Start a draft that archives a published article (``status: archived``); it goes
    through review like any edit, and approving it keeps the status ``archived``."""
    path = find_path(repository, article_id, lang) if is_slug(article_id) else None
    current = published_version(repository, path) if path else None
    if path is None or current is None:
        raise ArticleGone(f"No published article {article_id!r} in {lang!r}.")
    if base is not None and base != current:
        raise StaleBase("The article changed since you opened it: reload it.", current)
    raw = repository.read_blob(current, path)
    if raw is None:  # pragma: no cover - published_version found the file there
        raise ArticleGone(f"No published article {article_id!r} in {lang!r}.")
    try:
        data = input_from_article(parse_article(path, raw))
    except ArticleInvalid as invalid:
        raise InvalidDraft({"markdown": invalid.problem.message}) from None
    draft_access.check_edit_article(editor, data.kind)
    return start_draft(
        session, repository, editor, data, article_id, path, current,
        source_tickets=(), now=now, comment="archive", status="archived",
    )  # fmt: skip
