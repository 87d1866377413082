"""Opening a ticket at most once per ``Idempotency-Key``: a client that lost the answer to
``POST /api/v1/tickets`` sends the same request again with the same key and gets the first
answer back instead of a second ticket.

The rule: a key belongs to the signed-in caller who sent it and lives for ``KEY_LIFETIME``.
The same key with the same request body replays the ticket it opened; with a different body
it is refused (422), since answering with a ticket the client did not ask for would hide a
bug in the client. Only an opened ticket is remembered: a refused request writes nothing, so
fixing the request and retrying with the same key works.

Concurrent retries open exactly one ticket because the key is claimed, by a row under a unique
constraint, before the ticket is opened and in the same transaction. On PostgreSQL a second
claim waits for the first transaction and then fails on the constraint, and this function
answers it with the committed ticket; on SQLite the write lock taken at ``BEGIN IMMEDIATE``
(``portal.db``) makes the second transaction see the committed row from the start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.db import Base, UtcDateTime, intpk
from portal.tickets.access import get_ticket_for
from portal.tickets.errors import ValidationError
from portal.tickets.intake import open_ticket
from portal.tickets.models import Ticket
from portal.tickets.values import SelfServiceTrail, TicketDraft, TicketResult

KEY_LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
FIELD = "Idempotency-Key"


class TicketIdempotencyKey(Base):
    """A caller's key and the ticket it opened; ``fingerprint`` is the SHA-256 of the body."""

    __tablename__ = "ticket_idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_ticket_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Empty only inside the transaction that claims the key and then opens the ticket.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class OpenedTicket:
    """The ticket a request opened, or (``replayed``) the one an earlier request with the
    same key opened; a replay sends no mail."""

    result: TicketResult
    replayed: bool = False


def fingerprint(body: Mapping[str, Any]) -> str:
    """The same JSON object gives the same digest whatever the order or spacing of its keys."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _checked_key(raw: str) -> str:
    key = raw.strip()
    if not key:
        raise ValidationError(FIELD, "The Idempotency-Key header is empty.", "required")
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            FIELD, f"Use an Idempotency-Key of at most {MAX_KEY_LENGTH} characters.", "too_long"
        )
    if not all(" " <= ch <= "~" for ch in key):
        raise ValidationError(
            FIELD, "Use only visible ASCII characters in the Idempotency-Key.", "invalid"
        )
    return key


def _replay(
    session: Session, requester: UserInfo, claim: TicketIdempotencyKey, digest: str
) -> OpenedTicket:
    if claim.fingerprint != digest:
        raise ValidationError(
            FIELD,
            "This Idempotency-Key was already used with a different request body; "
            "send a new key for a new ticket.",
            "reused",
        )
    reference = session.scalar(select(Ticket.reference).where(Ticket.id == claim.ticket_id))
    assert reference is not None, "a committed key always names its ticket"
    return OpenedTicket(TicketResult(get_ticket_for(session, requester, reference)), True)


def _claimed(session: Session, user_id: int, key: str) -> TicketIdempotencyKey | None:
    return session.scalars(
        select(TicketIdempotencyKey).where(
            TicketIdempotencyKey.user_id == user_id, TicketIdempotencyKey.key == key
        )
    ).first()


def open_ticket_once(
    session: Session,
    settings: TicketSettings,
    *,
    key: str | None,
    body: Mapping[str, Any],
    requester: UserInfo | None,
    draft: TicketDraft,
    trail: SelfServiceTrail = SelfServiceTrail(),  # noqa: B008  (frozen, so sharing is safe)
    now: dt.datetime,
) -> OpenedTicket:
    """``intake.open_ticket``, or the earlier answer when ``key`` was used by this caller for
    the same ``body`` within a day. Without a key, or without a signed-in caller to own the
    key, every request opens a ticket as before."""
    if key is None or requester is None:
        return OpenedTicket(
            open_ticket(session, settings, requester=requester, draft=draft, trail=trail, now=now)
        )
    key = _checked_key(key)
    digest = fingerprint(body)
    session.execute(
        delete(TicketIdempotencyKey).where(TicketIdempotencyKey.created_at <= now - KEY_LIFETIME)
    )
    earlier = _claimed(session, requester.id, key)
    if earlier is not None:
        return _replay(session, requester, earlier, digest)
    claim = TicketIdempotencyKey(
        user_id=requester.id, key=key, fingerprint=digest, ticket_id=None, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        # A concurrent request with this key committed first (PostgreSQL waited for it).
        earlier = _claimed(session, requester.id, key)
        assert earlier is not None, "the unique constraint names a committed claim"
        return _replay(session, requester, earlier, digest)
    result = open_ticket(session, settings, requester=requester, draft=draft, trail=trail, now=now)
    session.execute(
        update(TicketIdempotencyKey)
        .where(TicketIdempotencyKey.id == claim.id)
        .values(ticket_id=result.ticket.id)
    )
    return OpenedTicket(result)
