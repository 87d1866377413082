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

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from portal.config import Settings
from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository

# Who may do what (checked here, in the service, not only in views):
# - create/save/submit/discard drafts: knowledge_manager, admin, author; a trainer only for
#   kind "workshop"; an agent only through promote (``create_draft(..., promoted=True)``).
# - approve / request changes: knowledge_manager, admin (not their own draft unless
#   ``settings.review_self_approve``); a trainer may publish their own workshop guide directly
#   when ``settings.workshop_review`` is off.
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


def published_version(repository: ArticleRepository, path: str) -> str | None:
    """The live version of an article file: the last live-branch commit that touched it."""
    raise NotImplementedError


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
    raise NotImplementedError


def get_draft(session: Session, repository: ArticleRepository, draft_id: str) -> DraftView:
    """The draft with its current text (from its branch) and trail; raises DraftNotFound."""
    raise NotImplementedError


def list_drafts(
    session: Session,
    *,
    status: str | None = None,
    author_id: int | None = None,
    article_id: str | None = None,
) -> list[DraftView]:
    """Drafts, newest change first (text not loaded: ``data.markdown`` is empty)."""
    raise NotImplementedError


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
    raise NotImplementedError


def submit_draft(
    session: Session, settings: Settings, editor: Editor, draft_id: str, *, now: dt.datetime
) -> DraftView:
    """draft → review (the author or an editor)."""
    raise NotImplementedError


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
    raise NotImplementedError


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
    raise NotImplementedError


def discard_draft(
    session: Session,
    repository: ArticleRepository,
    editor: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """Abandon a draft; its branch is kept under ``refs/sanad/discarded/<id>`` for the record."""
    raise NotImplementedError


def article_history(repository: ArticleRepository, path: str) -> list[Version]:
    """Published versions of an article file, newest first."""
    raise NotImplementedError


def article_text_at(repository: ArticleRepository, path: str, commit: str) -> str | None:
    """The article file's full text at ``commit`` (None when it did not exist there)."""
    raise NotImplementedError


def diff_versions(
    repository: ArticleRepository, path: str, old: str | None, new: str | None
) -> FileDiff:
    """Line diff of the article file between two commits (None = the live work tree file)."""
    raise NotImplementedError


def diff_draft(repository: ArticleRepository, draft: DraftView) -> FileDiff:
    """The draft's file against the live version (all "add" for a new article)."""
    raise NotImplementedError


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
    raise NotImplementedError
