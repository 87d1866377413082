"""Draft rows and their branches: starting one, finding a draft, its tip, its trail, and the
view of it that crosses the service boundary. Shared by the use cases in ``workflow``,
``approval`` and ``article_edits``."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import replace
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.kb.draft_files import compose, input_from_article, one_line
from portal.kb.draft_model import (
    OPEN_STATUSES,
    DraftEventView,
    DraftFacts,
    DraftInput,
    DraftNotFound,
    DraftView,
    Editor,
    InvalidDraft,
    WorkflowError,
)
from portal.kb.frontmatter import parse_article
from portal.kb.git import Identity, RefMoved
from portal.kb.models import ArticleInvalid, UnsafePath
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft, DraftEvent

DRAFT_REF_PREFIX = "refs/heads/drafts/"


DISCARDED_REF_PREFIX = "refs/sanad/discarded/"


_DRAFT_ID = re.compile(r"^[a-z0-9]{6,32}$")


def draft_ref(draft_id: str) -> str:
    """The branch that holds a draft's text."""
    return DRAFT_REF_PREFIX + draft_id


def load_row(session: Session, draft_id: str, *, lock: bool = False) -> Draft:
    """The draft's row; DraftNotFound for a malformed or unknown id. ``lock`` holds the row
    until the transaction ends (``SELECT ... FOR UPDATE`` where the database has it), so an
    approval and a save of one draft take turns."""
    valid = _DRAFT_ID.match(draft_id or "")
    row = None
    if valid:
        row = (
            session.get(Draft, draft_id, with_for_update=True, populate_existing=True)
            if lock
            else session.get(Draft, draft_id)
        )
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
    row: Draft,
    data: DraftInput,
    tip: str,
    events: tuple[DraftEventView, ...],
    *,
    reviewed: str | None = None,
    editors: frozenset[str] = frozenset(),
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
        reviewed_version=reviewed,
        editors=editors,
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
        DraftEventView(r.action, r.actor_name, r.comment, r.commit, r.created_at, r.actor_id)
        for r in rows
    )


def facts(row: Draft, editors: frozenset[str] = frozenset()) -> DraftFacts:
    """What the access rules look at (``portal.kb.draft_access``)."""
    return DraftFacts(
        row.author_id, row.author_email or "", row.kind, row.status,
        promoted=bool(row.source_tickets), editors=editors,
    )  # fmt: skip


def reviewed_version(status: str, events: tuple[DraftEventView, ...]) -> str | None:
    """The version last put in front of reviewers before the current one: the commit of the
    latest submission that is over (while in review, the one before the current)."""
    submitted = [e.commit for e in events if e.action == "submitted" and e.commit]
    if status == "review" and submitted:
        submitted.pop()
    return submitted[-1] if submitted else None


def editors_since_review(
    repository: ArticleRepository,
    row: Draft,
    events: tuple[DraftEventView, ...],
    tip: str,
    reviewed: str | None,
) -> frozenset[str]:
    """Who changed the draft's text since ``reviewed`` (since it was started when None): the
    accounts of the saves in the trail and the authors of the commits on its branch, as
    ``id:<n>`` and ``email:<address>`` keys (``draft_access.changed_since_review``)."""
    keys: set[str] = set()
    start = 0
    if reviewed is not None:
        for index, event in enumerate(events):
            if event.action == "submitted" and event.commit == reviewed:
                start = index + 1
    for event in events[start:]:
        if event.action in ("created", "saved") and event.actor_id is not None:
            keys.add(f"id:{event.actor_id}")
    since = reviewed
    if since is None:
        first = next((e.commit for e in events if e.action == "created" and e.commit), None)
        if first is None:
            return frozenset(keys)
        since = repository.parent_of(first)
    keys.update(f"email:{email}" for email in repository.commit_authors(tip, since))
    return frozenset(keys)


def start_draft(
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
        repository.has_work_file(path)
        or (repository.resolve("HEAD") and repository.read_blob("HEAD", path) is not None)
    ):
        raise InvalidDraft({"article_id": f"An article file {path} already exists."})
    if source_tickets and "source_tickets" not in data.extra:
        data = replace(
            data, extra=MappingProxyType({**data.extra, "source_tickets": list(source_tickets)})
        )
    text = compose(data, article_id, path, status or ("draft" if is_new else "published"), now)
    blob = repository.write_blob(text)
    live = repository.resolve("HEAD")
    author = Identity(editor.name, editor.email, now)
    commit = repository.commit_file(
        tree_of=live,
        relative=path,
        blob=blob,
        parents=(live,) if live else (),
        message=f"Draft {data.lang}/{article_id}: {one_line(data.title)}\n",
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
    add_event(session, row, editor, "created", commit=commit, comment=comment, now=now)
    session.flush()
    return view_of(row, data, commit, events_of(session, row.id))


def find_path(repository: ArticleRepository, article_id: str, lang: str) -> str | None:
    for article in repository.load_all().articles:
        if article.id == article_id and article.lang == lang:
            return article.path
    return None


def find_any(repository: ArticleRepository, article_id: str) -> bool:
    return any(article.id == article_id for article in repository.load_all().articles)
