"""Bulk actions of the agent queue: assign or resolve the ticked tickets in one request.

Each ticket goes through the very service function of its single-ticket action, with its
permission and state checks, inside a savepoint of its own: a refused ticket is left exactly
as it was and named with the reason, and the others are changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.tickets import assignment, resolution
from portal.tickets.access import require_staff
from portal.tickets.errors import TicketError, ValidationError
from portal.tickets.validation import valid_text
from portal.tickets.values import TicketResult

MAX_BULK = 100  # a page of the queue at its largest
BULK_ACTIONS = ("assign", "resolve")


@dataclass(frozen=True)
class BulkRefusal:
    """A ticket left as it was, and why (the error its single action raised)."""

    reference: str
    error: TicketError


@dataclass(frozen=True)
class BulkResult:
    changed: tuple[str, ...]
    refused: tuple[BulkRefusal, ...]
    mails: tuple[OutgoingMail, ...] = ()


def _references(references: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(r.strip().upper() for r in references if r and r.strip()))
    if not chosen:
        raise ValidationError("references", "Tick at least one ticket.", "required")
    if len(chosen) > MAX_BULK:
        raise ValidationError("references", f"Tick at most {MAX_BULK} tickets.", "too_many")
    return chosen


def _each(
    session: Session,
    references: Sequence[str],
    action: Callable[[str], object],
) -> BulkResult:
    changed: list[str] = []
    refused: list[BulkRefusal] = []
    mails: list[OutgoingMail] = []
    for reference in _references(references):
        try:
            with session.begin_nested():  # a refusal undoes this ticket only
                outcome = action(reference)
        except TicketError as error:
            refused.append(BulkRefusal(reference, error))
            continue
        changed.append(reference)
        if isinstance(outcome, TicketResult):
            mails.extend(outcome.mails)
    return BulkResult(tuple(changed), tuple(refused), tuple(mails))


def bulk_assign(
    session: Session,
    viewer: UserInfo | None,
    references: Sequence[str],
    *,
    assignee_id: int | None,
    now: dt.datetime,
    team: str | None = None,
) -> BulkResult:
    """Give each ticket to the agent ``assignee_id`` (None: back to its team's queue), as
    ``assignment.assign_ticket`` would one by one; or, with ``team``, move each to that
    team's queue (``assignment.transfer_ticket``)."""
    require_staff(viewer)
    if team is not None:
        return _each(
            session,
            references,
            lambda reference: assignment.transfer_ticket(
                session, viewer, reference, team=team, now=now
            ),
        )
    return _each(
        session,
        references,
        lambda reference: assignment.assign_ticket(
            session, viewer, reference, assignee_id=assignee_id, now=now
        ),
    )


def bulk_resolve(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    references: Sequence[str],
    *,
    note: str,
    now: dt.datetime,
    article_exists: Callable[[str], bool] | None = None,
) -> BulkResult:
    """Resolve each ticket with the same resolution note, as ``resolution.resolve_ticket``
    would one by one (a ticket that missed its service level still needs its own root cause,
    so it is refused here and resolved from its page)."""
    require_staff(viewer)
    text = valid_text("note", note, 20_000)
    return _each(
        session,
        references,
        lambda reference: resolution.resolve_ticket(
            session,
            settings,
            viewer,
            reference,
            note=text,
            now=now,
            article_exists=article_exists,
        ),
    )
