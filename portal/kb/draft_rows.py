"""Draft rows and their branches: finding a draft, its tip, its trail, and the view of it
that crosses the service boundary. Shared by the use cases in ``workflow`` and ``approval``."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.kb.draft_files import input_from_article
from portal.kb.draft_model import (
    OPEN_STATUSES,
    DraftEventView,
    DraftFacts,
    DraftInput,
    DraftNotFound,
    DraftView,
    Editor,
)
from portal.kb.frontmatter import parse_article
from portal.kb.models import ArticleInvalid
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft, DraftEvent

DRAFT_REF_PREFIX = "refs/heads/drafts/"


DISCARDED_REF_PREFIX = "refs/sanad/discarded/"


_DRAFT_ID = re.compile(r"^[a-z0-9]{6,32}$")


def draft_ref(draft_id: str) -> str:
    """The branch that holds a draft's text."""
    return DRAFT_REF_PREFIX + draft_id


def load_row(session: Session, draft_id: str) -> Draft:
    """The draft's row; DraftNotFound for a malformed or unknown id."""
    row = session.get(Draft, draft_id) if _DRAFT_ID.match(draft_id or "") else None
    if row is None:
        raise DraftNotFound(f"No draft {draft_id!r}.")
    return row


def tip_of(repository: ArticleRepository, row: Draft) -> str:
    """The draft's current version: its branch tip while open, else the last recorded one."""
    if row.status in OPEN_STATUSES:
        return repository.resolve(draft_ref(row.id)) or row.head
    return row.head


def read_input(repository: ArticleRepository, row: Draft, tip: str) -> DraftInput:
    """The draft's fields at ``tip`` (the row's own fields when the file cannot be read)."""
    raw = repository.read_blob(tip, row.path)
    if raw is None:
        return row_input(row)
    try:
        return input_from_article(parse_article(row.path, raw))
    except ArticleInvalid:
        return row_input(row)


def row_input(row: Draft) -> DraftInput:
    return DraftInput(title=row.title, markdown="", lang=row.lang, kind=row.kind)


def view_of(
    row: Draft, data: DraftInput, tip: str, events: tuple[DraftEventView, ...]
) -> DraftView:
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
        author_email=row.author_email or "",
    )


def add_event(
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


def events_of(session: Session, draft_id: str) -> tuple[DraftEventView, ...]:
    rows = session.scalars(
        select(DraftEvent).where(DraftEvent.draft_id == draft_id).order_by(DraftEvent.id)
    )
    return tuple(
        DraftEventView(r.action, r.actor_name, r.comment, r.commit, r.created_at) for r in rows
    )


def facts(row: Draft) -> DraftFacts:
    """What the access rules look at (``portal.kb.draft_access``)."""
    return DraftFacts(
        row.author_id, row.author_email or "", row.kind, row.status,
        promoted=bool(row.source_tickets),
    )  # fmt: skip
