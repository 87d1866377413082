"""The vocabulary of drafts and review: who acts, what they send, what they get back, and the
errors a refusal raises (each carries a message fit to show the person).

Split from ``portal.kb.workflow`` so the rules (``draft_access``), the file composer
(``draft_files``), history (``versions``) and the use cases can share it without importing
each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from portal.kb.models import KbError

OPEN_STATUSES = ("draft", "review")


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


class ArticleGone(DraftNotFound):
    """The article (or the version) to start a draft from does not exist (HTTP 404)."""


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
class DraftFacts:
    """The facts about a draft that decide who may see and act on it."""

    author_id: int | None
    author_email: str
    kind: str
    status: str
    promoted: bool = False  # started from tickets (an agent may then submit their own)
    # Who changed the text since the last review: "id:<user id>" and "email:<address>" keys
    # (``draft_rows.editors_since_review``). They may not approve it (two-person review).
    editors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DraftEventView:
    action: str  # created | saved | submitted | changes_requested | approved | discarded
    actor_name: str
    comment: str | None
    commit: str | None
    created_at: dt.datetime
    actor_id: int | None = None


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
    author_email: str = ""
    # The version last put in front of reviewers before the current one (None: never
    # reviewed): the review page shows what changed since.
    reviewed_version: str | None = None
    editors: frozenset[str] = frozenset()  # who changed the text since that review

    @property
    def facts(self) -> DraftFacts:
        """What the access rules look at (``portal.kb.draft_access``)."""
        return DraftFacts(
            self.author_id, self.author_email, self.data.kind, self.status,
            promoted=bool(self.source_tickets), editors=self.editors,
        )  # fmt: skip

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
