"""Root causes: a ticket that missed its service level is resolved only with the cause named,
a code from the list admins keep and/or free text (the note is required)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.tickets.errors import ValidationError
from portal.tickets.models import Ticket
from portal.tickets.service_levels import breached
from portal.tickets.sla_models import RootCauseCode
from portal.tickets.validation import valid_text

MAX_NOTE = 4000


@dataclass(frozen=True)
class RootCause:
    note: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class RootCauseCodeInfo:
    id: int
    code: str
    label_en: str
    label_ar: str
    active: bool

    def label(self, lang: str) -> str:
        return self.label_ar if lang == "ar" else self.label_en


def list_root_cause_codes(session: Session, *, active_only: bool = True) -> list[RootCauseCodeInfo]:
    stmt = select(RootCauseCode).order_by(RootCauseCode.code)
    if active_only:
        stmt = stmt.where(RootCauseCode.active.is_(True))
    return [
        RootCauseCodeInfo(r.id, r.code, r.label_en, r.label_ar, r.active)
        for r in session.scalars(stmt)
    ]


def checked_root_cause(
    session: Session, ticket: Ticket, given: RootCause | None, now: dt.datetime
) -> RootCause | None:
    """The root cause to record, or a ValidationError (422) naming what is missing."""
    code = (given.code or "").strip() if given else ""
    note = valid_text("root_cause", (given.note or "") if given else "", MAX_NOTE, required=False)
    if code:
        known = session.scalar(
            select(RootCauseCode.id).where(
                RootCauseCode.code == code, RootCauseCode.active.is_(True)
            )
        )
        if known is None:
            raise ValidationError(
                "root_cause.code", f"There is no root-cause code {code!r}.", "unknown"
            )
    if not breached(ticket, now):
        return RootCause(note or None, code or None) if (note or code) else None
    if not note:
        raise ValidationError(
            "root_cause",
            "This ticket missed its service level: describe the root cause in a note "
            "(and choose a code if one fits) to resolve it.",
            "root_cause_required",
        )
    return RootCause(note, code or None)
