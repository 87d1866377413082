"""Canned responses: the staff's stock replies, one language each."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.search.analysis import normalize_arabic
from portal.tickets.access import load_as_staff, require_staff
from portal.tickets.errors import CannedResponseNotFound, ValidationError
from portal.tickets.models import CannedResponse
from portal.tickets.validation import MAX_BODY, valid_text
from portal.tickets.values import CannedResponseInfo, ticket_info


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


CANNED_PER_PAGE = 20
MAX_CANNED_QUERY = 200


@dataclass(frozen=True, slots=True)
class CannedPage:
    """One page of canned responses; ``pages`` is at least 1 even when nothing matches."""

    items: tuple[CannedResponseInfo, ...]
    page: int
    pages: int
    total: int


def _folded(text: str) -> str:
    """The form a search compares: case folded, Arabic normalised as the search index does."""
    return normalize_arabic(text.casefold())


def search_canned_responses(
    session: Session,
    viewer: UserInfo | None,
    *,
    q: str = "",
    lang: str | None = None,
    page: int = 1,
    per_page: int = CANNED_PER_PAGE,
) -> CannedPage:
    """Staff only: canned responses whose title or body holds every word of ``q``.

    Matching ignores case, tashkeel, tatweel and hamza/alef/yeh/teh marbuta forms (the search
    index's normaliser), so "اهلا" finds "أهلاً". With ``lang`` the responses in that language
    come first, then the others; each group by title. Stock replies number in the hundreds,
    so the filter runs over the rows in Python rather than in SQL.
    """
    require_staff(viewer)
    if lang is not None and lang not in ("ar", "en"):
        raise ValidationError("lang", "Choose ar or en.", "choice")
    if len(q) > MAX_CANNED_QUERY:
        raise ValidationError("q", f"Use at most {MAX_CANNED_QUERY} characters.", "too_long")
    words = _folded(q).split()
    rows = session.scalars(select(CannedResponse).order_by(CannedResponse.title)).all()
    found = [r for r in rows if all(word in _folded(f"{r.title} {r.body}") for word in words)]
    if lang:
        found.sort(key=lambda r: r.lang != lang)  # stable: titles stay in order within a group
    pages = max(1, math.ceil(len(found) / per_page))
    start = (page - 1) * per_page
    items = tuple(_canned(r) for r in found[start : start + per_page])
    return CannedPage(items, page, pages, len(found))


def canned_for_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    q: str = "",
    page: int = 1,
    per_page: int = CANNED_PER_PAGE,
) -> CannedPage:
    """One page of the canned replies offered on ticket ``reference``: those in the ticket's
    language first, then the rest, each with its placeholders filled for this ticket (the
    requester's name, the reference, the viewer's name).

    Only staff who may work the ticket: others get 403 (not staff) or, for a ticket they may
    not see, ``TicketNotFound`` as for a missing one, so names cannot be read through it.
    """
    staff = require_staff(viewer)
    ticket = ticket_info(load_as_staff(session, staff, reference, lock=False))
    found = search_canned_responses(
        session, staff, q=q, lang=ticket.lang, page=page, per_page=per_page
    )
    values = {
        "requester_name": ticket.requester_name,
        "reference": ticket.reference,
        "agent_name": staff.name,
    }
    items = tuple(
        CannedResponseInfo(r.id, r.title, fill_placeholders(r.body, values), r.lang, r.updated_at)
        for r in found.items
    )
    return CannedPage(items, found.page, found.pages, found.total)


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
