"""Canned responses: the staff's stock replies, one language each."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.tickets.access import require_staff
from portal.tickets.errors import CannedResponseNotFound, ValidationError
from portal.tickets.models import CannedResponse
from portal.tickets.validation import MAX_BODY, valid_text
from portal.tickets.values import CannedResponseInfo


def _canned(row: CannedResponse) -> CannedResponseInfo:
    return CannedResponseInfo(row.id, row.title, row.body, row.lang, row.updated_at)


def list_canned_responses(
    session: Session, viewer: UserInfo | None, *, lang: str | None = None
) -> tuple[CannedResponseInfo, ...]:
    require_staff(viewer)
    stmt = select(CannedResponse)
    if lang:
        stmt = stmt.where(CannedResponse.lang == lang)
    return tuple(_canned(r) for r in session.scalars(stmt.order_by(CannedResponse.title)).all())


# Placeholders a canned reply may carry, with Arabic aliases; filled when offered on a ticket.
PLACEHOLDERS: Mapping[str, str] = {
    "requester_name": "requester_name",
    "reference": "reference",
    "agent_name": "agent_name",
    "اسم_مقدم_الطلب": "requester_name",
    "رقم_التذكرة": "reference",
    "اسم_الموظف": "agent_name",
}
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


def fill_placeholders(body: str, values: Mapping[str, str]) -> str:
    """``{requester_name}``, ``{reference}``, ``{agent_name}`` (or their Arabic aliases) replaced
    by ``values``; an unknown placeholder, or one without a value, is left exactly as written."""

    def one(match: re.Match[str]) -> str:
        key = PLACEHOLDERS.get(match.group(1))
        value = values.get(key) if key else None
        return value if value else match.group(0)

    return _PLACEHOLDER.sub(one, body)


def canned_for_ticket(
    session: Session,
    viewer: UserInfo | None,
    *,
    ticket_lang: str,
    values: Mapping[str, str],
) -> tuple[CannedResponseInfo, ...]:
    """The canned replies offered on a ticket: those in the ticket's language first, then the
    rest, each with its placeholders filled for this ticket."""
    every = list_canned_responses(session, viewer)
    ordered = sorted(every, key=lambda r: r.lang != ticket_lang)  # stable: titles stay sorted
    return tuple(
        CannedResponseInfo(r.id, r.title, fill_placeholders(r.body, values), r.lang, r.updated_at)
        for r in ordered
    )


def save_canned_response(
    session: Session,
    viewer: UserInfo | None,
    *,
    title: str,
    body: str,
    lang: str,
    now: dt.datetime,
    response_id: int | None = None,
) -> CannedResponseInfo:
    """Create (``response_id=None``) or edit a canned response."""
    staff = require_staff(viewer)
    clean_title = valid_text("title", title, 200)
    clean_body = valid_text("body", body, MAX_BODY)
    if lang not in ("ar", "en"):
        raise ValidationError("lang", "Choose ar or en.", "choice")
    if response_id is None:
        row = CannedResponse(created_by_id=staff.id, created_at=now)
        session.add(row)
    else:
        found = session.get(CannedResponse, response_id)
        if found is None:
            raise CannedResponseNotFound(str(response_id))
        row = found
    row.title, row.body, row.lang, row.updated_at = clean_title, clean_body, lang, now
    session.flush()
    return _canned(row)


def delete_canned_response(session: Session, viewer: UserInfo | None, response_id: int) -> None:
    require_staff(viewer)
    row = session.get(CannedResponse, response_id)
    if row is None:
        raise CannedResponseNotFound(str(response_id))
    session.delete(row)
    session.flush()
