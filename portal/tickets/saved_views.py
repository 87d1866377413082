"""Saved views of the agent queue: an agent names the filters and sort they are looking at,
and finds them again as a tab. Each view belongs to one agent; nobody else sees, uses or
deletes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.tickets.access import require_staff
from portal.tickets.errors import SavedViewNotFound, ValidationError
from portal.tickets.validation import valid_text
from portal.tickets.workspace_models import SavedView

MAX_NAME = 80
MAX_VIEWS = 30  # per agent: tabs, not an archive
# The queue's query-string parameters a view may keep, and how long each value may be.
VIEW_PARAMS: Mapping[str, int] = {
    "status": 20,
    "priority": 20,
    "tier": 2,
    "team": 100,
    "assignee": 20,
    "category": 100,
    "q": 200,
    "sort": 20,
    "dir": 4,
    "tab": 20,
}


@dataclass(frozen=True)
class SavedViewInfo:
    id: int
    name: str
    params: Mapping[str, str]


def _info(row: SavedView) -> SavedViewInfo:
    return SavedViewInfo(id=row.id, name=row.name, params=dict(row.params or {}))


def view_params(params: Mapping[str, str]) -> dict[str, str]:
    """Only the queue's own parameters, non-empty, each cut to its size (an unknown key or a
    long value is dropped, never stored)."""
    kept = {}
    for key, limit in VIEW_PARAMS.items():
        value = str(params.get(key, "") or "").strip()
        if value and len(value) <= limit and "\0" not in value:
            kept[key] = value
    return kept


def list_saved_views(session: Session, viewer: UserInfo | None) -> tuple[SavedViewInfo, ...]:
    """The viewer's saved views, in the order they were saved."""
    staff = require_staff(viewer)
    rows = session.scalars(
        select(SavedView).where(SavedView.user_id == staff.id).order_by(SavedView.id)
    ).all()
    return tuple(_info(row) for row in rows)


def save_view(
    session: Session,
    viewer: UserInfo | None,
    *,
    name: str,
    params: Mapping[str, str],
    now: dt.datetime,
) -> SavedViewInfo:
    """Save the current filters and sort under ``name`` (Arabic or English, unique for this
    agent, at most ``MAX_NAME`` characters)."""
    staff = require_staff(viewer)
    cleaned = " ".join(valid_text("name", name, MAX_NAME).split())
    if "\0" in cleaned:
        raise ValidationError("name", "A name cannot hold control characters.", "invalid")
    mine = select(SavedView).where(SavedView.user_id == staff.id)
    same = session.scalars(
        mine.where(func.lower(SavedView.name) == cleaned.lower()).limit(1)
    ).first()
    if same is not None:
        raise ValidationError("name", "You already have a view with this name.", "duplicate")
    count = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    if count >= MAX_VIEWS:
        raise ValidationError(
            "name", f"You have {MAX_VIEWS} saved views: delete one first.", "too_many"
        )
    row = SavedView(user_id=staff.id, name=cleaned, params=view_params(params), created_at=now)
    try:
        with session.begin_nested():  # two tabs saving the same name at once: one wins
            session.add(row)
    except IntegrityError as clash:
        raise ValidationError(
            "name", "You already have a view with this name.", "duplicate"
        ) from clash
    return _info(row)


def delete_view(session: Session, viewer: UserInfo | None, view_id: int) -> str:
    """Delete one of the viewer's own views; its name, for the message."""
    staff = require_staff(viewer)
    row = session.get(SavedView, view_id)
    if row is None or row.user_id != staff.id:
        raise SavedViewNotFound(str(view_id))
    name = row.name
    session.delete(row)
    session.flush()
    return name
