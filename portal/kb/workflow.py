"""Draft → review → published: git-native editing of articles.

CONTRACT (owned by portal.kb; portal.editorial, portal.tickets.promote, portal.web and
portal.cli call these signatures; docs/lifecycle.md explains the design).

Design:
- A draft is a branch ``refs/heads/drafts/<draft_id>`` in the articles repository. Each save
  is a commit on it, made with git plumbing (hash-object, a temporary index, commit-tree) so
  the work tree, which serves the live site, is never touched by an unapproved edit.
- Every save names the version it was based on (``base``: the branch tip the editor loaded).
  The branch moves with ``git update-ref <ref> <new> <base>``, git's own compare-and-swap, so
  of several saves from one base exactly one wins and every other raises ``StaleBase``, across
  processes and hosts sharing the repository.
- Approval is a merge commit on the live branch (first parent: the live tip; second: the draft
  tip) whose message carries ``Reviewed-by: Name <email>``; the live branch moves by the same
  compare-and-swap, then only the article's file is updated in the work tree and git index.
  It is refused (``StaleBase``) when the live file changed since the draft was started.
- The draft rows (``portal.kb.tables``) hold the workflow state and the review trail; git
  holds the text.

Roles are passed in, never looked up: ``Editor.roles`` is the set of role names of the person
acting (``knowledge_manager``, ``author``, ``trainer``, ``agent``, ``admin``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.kb.models import (
    AUDIENCES,
    KINDS,
    LANGS,
    Article,
    ArticleInvalid,
    KbError,
    UnsafePath,
)
from portal.kb.repository import (
    ArticleRepository,
    Identity,
    RefMoved,
    is_oid,
    is_slug,
    parse_article,
    render_article,
)
from portal.kb.tables import Draft, DraftEvent

# Who may do what (checked here, in the service, not only in views):
# - create/save/submit/discard drafts: knowledge_manager, admin, author; a trainer only for
#   kind "workshop"; an agent only through promote (``create_draft(..., promoted=True)``).
# - approve / request changes: knowledge_manager, admin (not their own draft unless
#   ``settings.knowledge.review_self_approve``); a trainer may publish their own workshop
#   guide directly when ``settings.knowledge.workshop_review`` is off.
EDITOR_ROLES = frozenset({"knowledge_manager", "admin", "author"})
REVIEWER_ROLES = frozenset({"knowledge_manager", "admin"})


class WorkflowError(KbError):
    """A draft operation that cannot be done; the message is fit to show the user."""


class DraftNotFound(WorkflowError):
    """No draft with that id (or not visible to this person)."""


class StaleBase(WorkflowError):
    """Saved or approved from an old version: someone else's change came first (HTTP 409).

    ``current`` is the version that is there now, so a client can reload and retry.
    """

    def __init__(self, message: str, current: str | None) -> None:
        super().__init__(message)
        self.current = current


class NotAllowed(WorkflowError):
    """This person may not do this to this draft (HTTP 403)."""


class InvalidDraft(WorkflowError):
    """The draft's fields are not a valid article; ``errors`` maps field → message (HTTP 400)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Editor:
    """The person acting; ``email`` and ``name`` become the git author or ``Reviewed-by``."""

    id: int | None
    name: str
    email: str
    roles: frozenset[str]


@dataclass(frozen=True)
class DraftInput:
    """Everything an editor can set: the front matter as fields, and the Markdown body."""

    title: str
    markdown: str  # the body only; front matter is built from the other fields
    lang: str
    category: str = "general"
    tags: tuple[str, ...] = ()
    kind: str = "article"
    audience: str = "public"
    owner: str | None = None
    review_by: dt.date | None = None
    translation_of: str | None = None
    description: str | None = None
    # Other front matter kept as is: a workshop's schedule, prerequisites, materials, modules;
    # ``source_tickets`` of a promoted draft.
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class DraftEventView:
    action: str  # created | saved | submitted | changes_requested | approved | discarded
    actor_name: str
    comment: str | None
    commit: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class DraftView:
    """A draft as the editor, the review queue and the API show it."""

    id: str
    article_id: str
    lang: str
    path: str
    status: str  # draft | review | published | discarded
    is_new: bool
    data: DraftInput
    base: str  # the branch tip: pass it back as ``base`` when saving
    published_base: str | None
    author_id: int | None
    author_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    source_tickets: tuple[str, ...] = ()
    events: tuple[DraftEventView, ...] = ()

    @property
    def title(self) -> str:
        return self.data.title

    @property
    def markdown(self) -> str:
        return self.data.markdown


@dataclass(frozen=True)
class PublishResult:
    """What approval did: the merge commit on the live branch and the article it changed."""

    draft_id: str
    article_id: str
    lang: str
    path: str
    commit: str
    source_tickets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Version:
    """One published version of an article file (``git log --first-parent`` on the live branch)."""

    commit: str
    author_name: str
    author_email: str
    date: dt.datetime
    message: str  # the subject line
    reviewed_by: str | None  # from the Reviewed-by trailer


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context" | "add" | "remove" | "hunk"
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class FileDiff:
    """A line diff of one article file between two versions (either may be missing)."""

    old_label: str
    new_label: str
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("add", "remove") for line in self.lines)


# --- implementation ---------------------------------------------------------------------------

DRAFT_REF_PREFIX = "refs/heads/drafts/"
DISCARDED_REF_PREFIX = "refs/sanad/discarded/"
OPEN_STATUSES = ("draft", "review")
_DRAFT_ID = re.compile(r"^[a-z0-9]{6,32}$")
_MAX_TITLE = 300
_MAX_BODY = 500_000
_APPROVE_ATTEMPTS = 5


class ArticleGone(DraftNotFound):
    """The article (or the version) to start a draft from does not exist (HTTP 404)."""


def draft_ref(draft_id: str) -> str:
    """The branch that holds a draft's text."""
    return DRAFT_REF_PREFIX + draft_id


def may_edit(editor: Editor, kind: str, *, promoted: bool = False) -> bool:
    """May ``editor`` create or change a draft of this kind (see the table above)?"""
    if editor.roles & EDITOR_ROLES:
        return True
    if "trainer" in editor.roles and kind == "workshop":
        return True
    return promoted and "agent" in editor.roles


def may_review(editor: Editor) -> bool:
    """May ``editor`` approve or request changes at all (own drafts aside)?"""
    return bool(editor.roles & REVIEWER_ROLES)


def published_version(repository: ArticleRepository, path: str) -> str | None:
    """The live version of an article file: the last live-branch commit that touched it."""
    try:
        if repository.resolve("HEAD") is None or repository.read_blob("HEAD", path) is None:
            return None
        return repository.last_commit_touching("HEAD", path)
    except UnsafePath:
        return None


def create_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    data: DraftInput,
    *,
    article_id: str | None = None,
    base: str | None = None,
    source_tickets: tuple[str, ...] = (),
    promoted: bool = False,
    now: dt.datetime,
) -> DraftView:
    """Start a draft: of the existing article ``article_id`` in ``data.lang`` (``base`` must be
    its ``published_version``, else StaleBase), or of a new article (``article_id`` None: the
    id is made from the title, unique in the repository). The first commit is on the draft
    branch; the live site is unchanged. ``promoted`` lets an agent create it (from a ticket).
    """
    if not may_edit(editor, data.kind, promoted=promoted):
        raise NotAllowed("You may not write this kind of article.")
    _check_input(data)
    repository.ensure_git()
    if article_id is None:
        new_id = _unique_id(session, repository, data.title)
        path = f"{data.category}/{new_id}.{data.lang}.md"
        return _start(
            session, repository, editor, data, new_id, path, None,
            source_tickets=source_tickets, now=now, comment=None,
        )  # fmt: skip
    if not is_slug(article_id):
        raise InvalidDraft({"article_id": "Not a valid article id."})
    existing = _find_path(repository, article_id, data.lang)
    if existing is None:
        if not _find_any(repository, article_id):
            raise ArticleGone(f"No article {article_id!r}.")
        # A new language version of an existing article (a translation).
        path = f"{data.category}/{article_id}.{data.lang}.md"
        return _start(
            session, repository, editor, data, article_id, path, None,
            source_tickets=source_tickets, now=now, comment=None,
        )  # fmt: skip
    current = published_version(repository, existing)
    if current is None:
        raise WorkflowError("This article has changes that are not committed yet: commit them.")
    if base is not None and base != current:
        raise StaleBase("The article changed since you opened it: reload it.", current)
    return _start(
        session, repository, editor, data, article_id, existing, current,
        source_tickets=source_tickets, now=now, comment=None,
    )  # fmt: skip


def get_draft(session: Session, repository: ArticleRepository, draft_id: str) -> DraftView:
    """The draft with its current text (from its branch) and trail; raises DraftNotFound."""
    row = _row(session, draft_id)
    tip = _tip(repository, row)
    data = _read_input(repository, row, tip)
    return _view(row, data, tip, _events(session, row.id))


def list_drafts(
    session: Session,
    *,
    status: str | None = None,
    author_id: int | None = None,
    article_id: str | None = None,
) -> list[DraftView]:
    """Drafts, newest change first (text not loaded: ``data.markdown`` is empty)."""
    query = select(Draft).order_by(Draft.updated_at.desc(), Draft.id)
    if status is not None:
        query = query.where(Draft.status == status)
    if author_id is not None:
        query = query.where(Draft.author_id == author_id)
    if article_id is not None:
        query = query.where(Draft.article_id == article_id)
    return [_view(row, _row_input(row), row.head, ()) for row in session.scalars(query)]


def save_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    draft_id: str,
    data: DraftInput,
    *,
    base: str,
    now: dt.datetime,
) -> DraftView:
    """Commit a new version on the draft branch if its tip is still ``base``; else StaleBase."""
    row = _row(session, draft_id)
    _check_open(row)
    if not (may_edit(editor, row.kind) and may_edit(editor, data.kind)):
        raise NotAllowed("You may not edit this draft.")
    if data.lang != row.lang:
        raise InvalidDraft({"lang": "The language of a draft cannot change."})
    _check_input(data)
    ref = draft_ref(row.id)
    if not is_oid(base):
        raise StaleBase("Not a version of this draft: reload it.", repository.resolve(ref))
    status = "archived" if _status_at(repository, base, row.path) == "archived" else None
    text = _compose(data, row.article_id, row.path, status or _file_status(row), now)
    blob = repository.write_blob(text)
    author = Identity(editor.name, editor.email, now)
    try:
        commit = repository.commit_file(
            tree_of=base,
            relative=row.path,
            blob=blob,
            parents=(base,),
            message=f"Edit {row.lang}/{row.article_id}: {data.title}\n",
            author=author,
            committer=author,
        )
    except KbError:  # base names no commit here
        raise StaleBase(
            "Not a version of this draft: reload it.", repository.resolve(ref)
        ) from None
    try:
        repository.move_ref(ref, commit, base, reason=f"sanad: save draft {row.id}")
    except RefMoved as moved:
        raise StaleBase(
            "Someone else saved this draft after you opened it: reload it and redo your change.",
            moved.current,
        ) from None
    row.head = commit
    row.title = data.title
    row.kind = data.kind
    row.updated_at = now
    _event(session, row, editor, "saved", commit=commit, now=now)
    session.flush()
    return _view(row, data, commit, _events(session, row.id))


def submit_draft(
    session: Session, settings: Settings, editor: Editor, draft_id: str, *, now: dt.datetime
) -> DraftView:
    """draft → review (the author or an editor). The view's ``data.markdown`` is empty."""
    row = _row(session, draft_id)
    own_promoted = _is_own(editor, row) and bool(row.source_tickets) and "agent" in editor.roles
    if not (may_edit(editor, row.kind) or own_promoted):
        raise NotAllowed("You may not submit this draft.")
    if row.status != "draft":
        raise WorkflowError(_status_message(row.status))
    row.status = "review"
    row.submitted_at = now
    row.updated_at = now
    _event(session, row, editor, "submitted", now=now)
    session.flush()
    return _view(row, _row_input(row), row.head, _events(session, row.id))


def request_changes(
    session: Session,
    settings: Settings,
    reviewer: Editor,
    draft_id: str,
    comment: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """review → draft with the reviewer's comment (required) in the trail."""
    row = _row(session, draft_id)
    if not may_review(reviewer):
        raise NotAllowed("Only a knowledge manager can review drafts.")
    if row.status != "review":
        raise WorkflowError(_status_message(row.status))
    if not comment or not comment.strip():
        raise InvalidDraft({"comment": "Say what should change."})
    row.status = "draft"
    row.reviewer_id = reviewer.id
    row.reviewer_name = reviewer.name
    row.reviewed_at = now
    row.updated_at = now
    _event(session, row, reviewer, "changes_requested", comment=comment.strip(), now=now)
    session.flush()
    return _view(row, _row_input(row), row.head, _events(session, row.id))


def approve_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    reviewer: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
) -> PublishResult:
    """Merge the draft into the live branch with ``Reviewed-by``; the caller then syncs the
    index (portal.editorial.publishing does both). NotAllowed for one's own draft unless
    configured; StaleBase when the live file changed since the draft was started."""
    row = _row(session, draft_id)
    own = _is_own(reviewer, row)
    trainer_self = (
        "trainer" in reviewer.roles
        and row.kind == "workshop"
        and own
        and not settings.knowledge.workshop_review
    )
    if may_review(reviewer):
        if own and not settings.knowledge.review_self_approve and not trainer_self:
            raise NotAllowed("You cannot approve your own change: another reviewer must.")
    elif not trainer_self:
        raise NotAllowed("Only a knowledge manager can approve drafts.")
    _check_open(row)
    if row.status != "review" and not trainer_self:
        raise WorkflowError("Submit the draft for review before approving it.")
    ref = draft_ref(row.id)
    tip = repository.resolve(ref)
    if tip is None:
        raise WorkflowError("The draft's branch is missing from the repository.")
    data = _read_input(repository, row, tip)
    archiving = _status_at(repository, tip, row.path) == "archived"
    text = _compose(data, row.article_id, row.path, "archived" if archiving else "published", now)
    blob = repository.write_blob(text)
    final = tip
    if repository.read_blob(tip, row.path) != text:
        # Status and date as they will be live, so the merged file is the draft's last version.
        who = Identity(reviewer.name, reviewer.email, now)
        final = repository.commit_file(
            tree_of=tip,
            relative=row.path,
            blob=blob,
            parents=(tip,),
            message=f"Ready to publish {row.lang}/{row.article_id}\n",
            author=who,
            committer=who,
        )
        try:
            repository.move_ref(ref, final, tip, reason=f"sanad: approve draft {row.id}")
        except RefMoved as moved:
            raise StaleBase(
                "The draft changed while you reviewed it: look again.", moved.current
            ) from None
    message = (
        f"{'Archive' if archiving else 'Publish'} {row.lang}/{row.article_id}: "
        f"{_one_line(data.title)}\n\n"
        f"Reviewed-by: {_one_line(reviewer.name)} <{_one_line(reviewer.email)}>\n"
    )
    with repository.commit_lock():
        merge = _merge(repository, row, final, blob, message, reviewer, now)
        repository.checkout_blob(row.path, blob)
    # The merge holds the draft's commits; a branch that could not be removed is harmless.
    with contextlib.suppress(RefMoved, KbError):
        repository.move_ref(ref, None, final, reason="sanad: merged")
    row.status = "published"
    row.head = final
    row.title = data.title
    row.reviewer_id = reviewer.id
    row.reviewer_name = reviewer.name
    row.reviewed_at = now
    row.updated_at = now
    row.published_commit = merge
    _event(session, row, reviewer, "approved", commit=merge, now=now)
    session.flush()
    return PublishResult(
        draft_id=row.id,
        article_id=row.article_id,
        lang=row.lang,
        path=row.path,
        commit=merge,
        source_tickets=tuple(row.source_tickets or ()),
    )


def discard_draft(
    session: Session,
    repository: ArticleRepository,
    editor: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """Abandon a draft; its branch is kept under ``refs/sanad/discarded/<id>`` for the record."""
    row = _row(session, draft_id)
    if not (may_edit(editor, row.kind) or _is_own(editor, row)):
        raise NotAllowed("You may not discard this draft.")
    _check_open(row)
    ref = draft_ref(row.id)
    tip = repository.resolve(ref) or row.head
    kept = DISCARDED_REF_PREFIX + row.id
    try:
        repository.move_ref(kept, tip, None, reason="sanad: discard")
    except RefMoved:
        repository.move_ref(kept, tip, repository.resolve(kept), reason="sanad: discard")
    try:
        repository.move_ref(ref, None, tip, reason="sanad: discard")
    except RefMoved as moved:
        raise StaleBase("The draft changed meanwhile: look again.", moved.current) from None
    row.status = "discarded"
    row.head = tip
    row.updated_at = now
    _event(session, row, editor, "discarded", commit=tip, now=now)
    session.flush()
    return _view(row, _row_input(row), tip, _events(session, row.id))


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
            try:
                return repository.safe_path(path).read_text(encoding="utf-8", errors="replace")
            except (OSError, UnsafePath):
                return ""
        return article_text_at(repository, path, commit) or ""

    return line_diff(text(old), text(new), _label(old), _label(new))


def diff_draft(repository: ArticleRepository, draft: DraftView) -> FileDiff:
    """The draft's file against the live version (all "add" for a new article)."""
    live = article_text_at(repository, draft.path, "HEAD") if repository.resolve("HEAD") else None
    mine = article_text_at(repository, draft.path, draft.base) or ""
    return line_diff(live or "", mine, "published", "draft")


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
    if not may_edit(editor, data.kind):
        raise NotAllowed("You may not write this kind of article.")
    relative = repository.relative(repository.safe_path(path))
    current = published_version(repository, relative)
    return _start(
        session, repository, editor, data, article.id, relative, current,
        source_tickets=(), now=now, comment=f"restored from {commit[:12]}",
    )  # fmt: skip


def live_input(repository: ArticleRepository, article_id: str, lang: str) -> DraftInput | None:
    """The published article's fields as a DraftInput (what an edit starts from), or None."""
    path = _find_path(repository, article_id, lang) if is_slug(article_id) else None
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
    path = _find_path(repository, article_id, lang) if is_slug(article_id) else None
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
    if not may_edit(editor, data.kind):
        raise NotAllowed("You may not write this kind of article.")
    return _start(
        session, repository, editor, data, article_id, path, current,
        source_tickets=(), now=now, comment="archive", status="archived",
    )  # fmt: skip


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


# --- helpers -----------------------------------------------------------------------------------


def _start(
    session: Session,
    repository: ArticleRepository,
    editor: Editor,
    data: DraftInput,
    article_id: str,
    path: str,
    published_base: str | None,
    *,
    source_tickets: tuple[str, ...],
    now: dt.datetime,
    comment: str | None,
    status: str | None = None,
) -> DraftView:
    """The first commit of a new draft branch, from the live tip, and its row."""
    try:
        path = repository.relative(repository.safe_path(path))
    except UnsafePath as error:
        raise InvalidDraft({"category": str(error)}) from None
    is_new = published_base is None
    if is_new and (
        repository.safe_path(path).exists()
        or (repository.resolve("HEAD") and repository.read_blob("HEAD", path) is not None)
    ):
        raise InvalidDraft({"article_id": f"An article file {path} already exists."})
    if source_tickets and "source_tickets" not in data.extra:
        data = replace(
            data, extra=MappingProxyType({**data.extra, "source_tickets": list(source_tickets)})
        )
    text = _compose(data, article_id, path, status or ("draft" if is_new else "published"), now)
    blob = repository.write_blob(text)
    live = repository.resolve("HEAD")
    author = Identity(editor.name, editor.email, now)
    commit = repository.commit_file(
        tree_of=live,
        relative=path,
        blob=blob,
        parents=(live,) if live else (),
        message=f"Draft {data.lang}/{article_id}: {_one_line(data.title)}\n",
        author=author,
        committer=author,
    )
    for _attempt in range(5):
        draft_id = secrets.token_hex(6)
        if session.get(Draft, draft_id) is not None:
            continue
        try:
            repository.move_ref(draft_ref(draft_id), commit, None, reason="sanad: new draft")
        except RefMoved:
            continue
        break
    else:  # pragma: no cover - 48 random bits colliding five times
        raise WorkflowError("Could not pick a draft id: try again.")
    row = Draft(
        id=draft_id,
        article_id=article_id,
        lang=data.lang,
        path=path,
        title=data.title,
        kind=data.kind,
        status="draft",
        is_new=is_new,
        author_id=editor.id,
        author_name=editor.name,
        author_email=editor.email,
        published_base=published_base,
        head=commit,
        source_tickets=list(source_tickets),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _event(session, row, editor, "created", commit=commit, comment=comment, now=now)
    session.flush()
    return _view(row, data, commit, _events(session, row.id))


def _merge(
    repository: ArticleRepository,
    row: Draft,
    final: str,
    blob: str,
    message: str,
    reviewer: Editor,
    now: dt.datetime,
) -> str:
    """The merge commit on the live branch; retried when another publish moved it first."""
    live_ref = repository.live_ref()
    for _attempt in range(_APPROVE_ATTEMPTS):
        live = repository.resolve(live_ref)
        current = published_version(repository, row.path)
        if row.is_new:
            if live is not None and repository.read_blob(live, row.path) is not None:
                raise StaleBase("An article was published at this path meanwhile.", current)
        elif current != row.published_base:
            raise StaleBase(
                "The published article changed since this draft was started: start a new "
                "draft from the current version.",
                current,
            )
        if not repository.is_clean(row.path):
            raise StaleBase(
                "The article's file has uncommitted changes in the articles directory.", current
            )
        merge = repository.commit_file(
            tree_of=live,
            relative=row.path,
            blob=blob,
            parents=(live, final) if live else (final,),
            message=message,
            author=Identity(row.author_name, row.author_email, now),
            committer=Identity(reviewer.name, reviewer.email, now),
        )
        try:
            repository.move_ref(live_ref, merge, live, reason=f"sanad: publish {row.id}")
        except RefMoved:
            continue
        return merge
    raise WorkflowError("The live branch keeps moving: try again.")


def _row(session: Session, draft_id: str) -> Draft:
    row = session.get(Draft, draft_id) if _DRAFT_ID.match(draft_id or "") else None
    if row is None:
        raise DraftNotFound(f"No draft {draft_id!r}.")
    return row


def _tip(repository: ArticleRepository, row: Draft) -> str:
    if row.status in OPEN_STATUSES:
        return repository.resolve(draft_ref(row.id)) or row.head
    return row.head


def _check_open(row: Draft) -> None:
    if row.status not in OPEN_STATUSES:
        raise WorkflowError(_status_message(row.status))


def _status_message(status: str) -> str:
    return {
        "draft": "This draft is not in review.",
        "review": "This draft is already in review.",
        "published": "This draft is already published.",
        "discarded": "This draft was discarded.",
    }.get(status, f"This draft is {status}.")


def _is_own(editor: Editor, row: Draft) -> bool:
    if editor.id is not None and row.author_id is not None:
        return editor.id == row.author_id
    return bool(editor.email) and editor.email.lower() == (row.author_email or "").lower()


def _status_at(repository: ArticleRepository, commit: str, path: str) -> str | None:
    """The ``status`` front-matter field of the file at ``commit`` (None: unreadable)."""
    try:
        raw = repository.read_blob(commit, path) if is_oid(commit) else None
        return parse_article(path, raw).status if raw is not None else None
    except (ArticleInvalid, KbError):
        return None


def _file_status(row: Draft) -> str:
    return "draft" if row.is_new else "published"


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n<>]+", " ", text).strip()


def _label(commit: str | None) -> str:
    return "live" if commit is None else commit[:10]


def _check_input(data: DraftInput) -> None:
    """Field errors an editor can fix, before any git work."""
    errors: dict[str, str] = {}
    title = data.title.strip() if isinstance(data.title, str) else ""
    if not title:
        errors["title"] = "A title is required."
    elif len(title) > _MAX_TITLE or "\n" in title or "\r" in title:
        errors["title"] = f"Use one line of at most {_MAX_TITLE} characters."
    if data.lang not in LANGS:
        errors["lang"] = f"Use one of {', '.join(LANGS)}."
    if not isinstance(data.category, str) or not is_slug(data.category):
        errors["category"] = "Use letters, digits and '-' only."
    if data.kind not in KINDS:
        errors["kind"] = f"Use one of {', '.join(KINDS)}."
    if data.audience not in AUDIENCES:
        errors["audience"] = f"Use one of {', '.join(AUDIENCES)}."
    if not isinstance(data.markdown, str) or not data.markdown.strip():
        errors["markdown"] = "The article needs some text."
    elif len(data.markdown) > _MAX_BODY or "\0" in data.markdown:
        errors["markdown"] = "The text is too long or contains a NUL character."
    if any(not isinstance(tag, str) or not tag.strip() or "\n" in tag for tag in data.tags):
        errors["tags"] = "Each tag must be a word or phrase on one line."
    if data.translation_of and not is_slug(data.translation_of):
        errors["translation_of"] = "Not a valid article id."
    for key in data.extra:
        if not isinstance(key, str) or key in _MANAGED_KEYS:
            errors["extra"] = f"{key!r} cannot be set as an extra field."
    if errors:
        raise InvalidDraft(errors)


_MANAGED_KEYS = frozenset(
    {"id", "title", "lang", "translation_of", "category", "tags", "kind", "audience", "status",
     "owner", "updated", "review_by", "description"}
)  # fmt: skip


def _compose(data: DraftInput, article_id: str, path: str, status: str, now: dt.datetime) -> bytes:
    """The article file for ``data``; InvalidDraft unless it parses back to the same article."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    default_id = stem.removesuffix(f".{data.lang}") if stem.endswith(f".{data.lang}") else stem
    meta: dict[str, Any] = {
        "title": data.title.strip(),
        "id": article_id if article_id != default_id else None,
        "lang": data.lang,
        "translation_of": data.translation_of or None,
        "category": data.category,
        "tags": [tag.strip() for tag in data.tags],
        "kind": data.kind,
        "audience": data.audience,
        "status": status,
        "owner": (data.owner or "").strip() or None,
        "updated": now.date(),
        "review_by": data.review_by,
        "description": (data.description or "").strip() or None,
    }
    meta.update({str(key): _plain(value) for key, value in data.extra.items()})
    try:
        text = render_article(meta, data.markdown).encode("utf-8")
    except (ValueError, TypeError, yaml.YAMLError) as error:
        raise InvalidDraft({"extra": f"cannot be written as YAML: {error}"}) from None
    try:
        article = parse_article(path, text)
    except ArticleInvalid as invalid:
        raise InvalidDraft({"markdown": invalid.problem.message}) from None
    if article.id != article_id or article.lang != data.lang:
        raise InvalidDraft({"article_id": "The file name and the article id disagree."})
    return text


def _plain(value: Any) -> Any:
    """Mapping proxies and tuples as plain YAML-able dicts and lists."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def input_from_article(article: Article) -> DraftInput:
    """An article's front matter and body as the fields an editor starts from."""
    return DraftInput(
        title=article.title,
        markdown=article.body,
        lang=article.lang,
        category=article.category,
        tags=article.tags,
        kind=article.kind,
        audience=article.audience,
        owner=article.owner,
        review_by=article.review_by,
        translation_of=article.translation_of,
        description=article.description,
        extra=MappingProxyType(dict(article.extra)),
    )


def _read_input(repository: ArticleRepository, row: Draft, tip: str) -> DraftInput:
    raw = repository.read_blob(tip, row.path)
    if raw is None:
        return _row_input(row)
    try:
        return input_from_article(parse_article(row.path, raw))
    except ArticleInvalid:
        return _row_input(row)


def _row_input(row: Draft) -> DraftInput:
    return DraftInput(title=row.title, markdown="", lang=row.lang, kind=row.kind)


def _view(row: Draft, data: DraftInput, tip: str, events: tuple[DraftEventView, ...]) -> DraftView:
    return DraftView(
        id=row.id,
        article_id=row.article_id,
        lang=row.lang,
        path=row.path,
        status=row.status,
        is_new=row.is_new,
        data=data,
        base=tip,
        published_base=row.published_base,
        author_id=row.author_id,
        author_name=row.author_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        source_tickets=tuple(row.source_tickets or ()),
        events=events,
    )


def _event(
    session: Session,
    row: Draft,
    actor: Editor,
    action: str,
    *,
    commit: str | None = None,
    comment: str | None = None,
    now: dt.datetime,
) -> None:
    session.add(
        DraftEvent(
            draft_id=row.id,
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            comment=comment,
            commit=commit,
            created_at=now,
        )
    )


def _events(session: Session, draft_id: str) -> tuple[DraftEventView, ...]:
    rows = session.scalars(
        select(DraftEvent).where(DraftEvent.draft_id == draft_id).order_by(DraftEvent.id)
    )
    return tuple(
        DraftEventView(r.action, r.actor_name, r.comment, r.commit, r.created_at) for r in rows
    )


def _find_path(repository: ArticleRepository, article_id: str, lang: str) -> str | None:
    for article in repository.load_all().articles:
        if article.id == article_id and article.lang == lang:
            return article.path
    return None


def _find_any(repository: ArticleRepository, article_id: str) -> bool:
    return any(article.id == article_id for article in repository.load_all().articles)


def _unique_id(session: Session, repository: ArticleRepository, title: str) -> str:
    """A slug from the title, unused by any article or open draft of a new article."""
    slug = re.sub(r"[^\w]+", "-", title.strip().lower(), flags=re.UNICODE).strip("-_.")[:80]
    slug = slug.strip("-_.") or "article"
    taken = {article.id for article in repository.load_all().articles}
    taken.update(
        session.scalars(
            select(Draft.article_id).where(Draft.is_new, Draft.status.in_(OPEN_STATUSES))
        )
    )
    candidate, number = slug, 2
    while candidate in taken or not is_slug(candidate):
        candidate, number = f"{slug}-{number}", number + 1
    return candidate
