"""Which notification mails a person gets.

A row of ``mail_opt_outs`` says that one user does not want one kind of mail; no row means
they get it, so a new kind reaches everybody until they turn it off. Security mails (a
password reset, a lock-out notice, an address change) are not in ``KINDS`` and cannot be
turned off. Every sender asks ``wants_mail`` (by address: a visitor or an address of
``_owners.yml`` without an account always gets their mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.accounts.errors import ValidationError
from portal.accounts.models import STAFF_ROLES, User, UserInfo
from portal.db import Base, intpk

# The kinds a requester may choose, then those only staff get (and may choose).
REQUESTER_KINDS = ("ticket_opened", "ticket_reply", "ticket_resolved")
STAFF_KINDS = ("sla_warning", "sla_breach", "ticket_assigned", "attention", "weekly_summary")
KINDS = REQUESTER_KINDS + STAFF_KINDS
# Who gets the staff kinds: agents and admins (SLA), knowledge managers (attention); admins
# and knowledge managers the weekly summary (portal.reports.weekly).
STAFF_MAIL_ROLES = STAFF_ROLES | {"knowledge_manager"}


class MailOptOut(Base):
    """One kind of notification a user turned off."""

    __tablename__ = "mail_opt_outs"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))


@dataclass(frozen=True)
class MailChoices:
    """The kinds a user may choose (in order) and those they receive."""

    offered: tuple[str, ...]
    wanted: frozenset[str]


def offered_kinds(viewer: UserInfo) -> tuple[str, ...]:
    """What ``viewer`` may choose: every requester kind, and the staff kinds for staff."""
    if viewer.roles & STAFF_MAIL_ROLES:
        return KINDS
    return REQUESTER_KINDS


def mail_choices(session: Session, viewer: UserInfo) -> MailChoices:
    off = set(session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == viewer.id)))
    offered = offered_kinds(viewer)
    return MailChoices(offered, frozenset(k for k in offered if k not in off))


def set_mail_choices(session: Session, viewer: UserInfo, wanted: Iterable[str]) -> MailChoices:
    """Keep exactly ``wanted`` among the kinds ``viewer`` may choose; a kind they may not
    choose (or that does not exist) is refused."""
    chosen = set(wanted)
    offered = offered_kinds(viewer)
    unknown = sorted(chosen - set(offered))
    if unknown:
        raise ValidationError("kinds", f"Unknown notification: {', '.join(unknown)}.", "unknown")
    session.execute(
        delete(MailOptOut).where(MailOptOut.user_id == viewer.id, MailOptOut.kind.in_(offered))
    )
    session.add_all(MailOptOut(user_id=viewer.id, kind=k) for k in offered if k not in chosen)
    session.flush()
    return mail_choices(session, viewer)


def wants_mail(session: Session, address: str, kind: str) -> bool:
    """Whether the person at ``address`` gets mail of ``kind``; True for an address without
    an account and for every kind not in ``KINDS`` (security mail)."""
    if kind not in KINDS:
        return True
    muted = session.scalar(
        select(MailOptOut.id)
        .join(User, User.id == MailOptOut.user_id)
        .where(User.email == address.strip().lower(), MailOptOut.kind == kind)
        .limit(1)
    )
    return muted is None
