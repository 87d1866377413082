"""The ticket actions that a page and the API both offer, each one service call with the
same arguments whichever door it came through (docs/architecture.md, "Two front doors").

The door parses its input (a form, a JSON body), opens the transaction and renders the
answer; what is passed to the tickets service, and how, lives only here.
"""

from __future__ import annotations

from collections.abc import Sequence

from portal.accounts.models import UserInfo
from portal.db import Session, utcnow
from portal.editorial.promotion import PromotionOutcome, promote_ticket
from portal.kb.workflow import Editor
from portal.notify.mail import OutgoingMail
from portal.tickets import access, assignment, attachments, conversation, resolution
from portal.tickets.root_causes import RootCause
from portal.tickets.values import TicketInfo, TicketResult
from portal.web.context import services
from portal.web.tickets.shared import article_exists


def reply(
    session: Session,
    account: UserInfo | None,
    reference: str,
    *,
    body: str,
    internal: bool = False,
    attached: tuple[str, bytes] | None = None,
) -> tuple[OutgoingMail, ...]:
    """A reply or internal note, a file, or both (a file alone adds no empty message);
    the mails to send once the transaction commits."""
    settings = services().settings.tickets
    mails: tuple[OutgoingMail, ...] = ()
    if body or attached is None:
        result = conversation.add_reply(
            session, settings, account, reference, body=body, internal=internal, now=utcnow()
        )
        mails = result.mails
    if attached is not None:
        attachments.add_attachment(
            session,
            settings,
            account,
            reference,
            filename=attached[0],
            data=attached[1],
            internal=internal,
            now=utcnow(),
        )
    return mails


def escalate(
    session: Session, account: UserInfo | None, reference: str, *, reason: str
) -> TicketInfo:
    """To the next tier, with the reason kept as an internal note."""
    return assignment.escalate_ticket(
        session,
        account,
        reference,
        reason=reason,
        now=utcnow(),
        settings=services().settings.tickets,
    )


def resolve(
    session: Session,
    account: UserInfo | None,
    reference: str,
    *,
    article_ids: Sequence[str],
    note: str | None,
    root_cause: RootCause | None = None,
) -> TicketResult:
    """Resolved by these published articles and/or a note; unknown article ids are refused.
    A ticket that breached its service level also needs its root cause."""
    return resolution.resolve_ticket(
        session,
        services().settings.tickets,
        account,
        reference,
        article_ids=article_ids,
        note=note,
        now=utcnow(),
        article_exists=article_exists,
        root_cause=root_cause,
    )


def promote(session: Session, editor: Editor, reference: str) -> PromotionOutcome:
    """A resolved or closed ticket becomes a draft article (with the similar articles)."""
    wired = services()
    return promote_ticket(
        session, wired.repository, wired.search, wired.settings, editor, reference, now=utcnow()
    )


def check(
    session: Session,
    account: UserInfo | None,
    reference: str,
    action: str,
    *,
    internal: bool = False,
) -> None:
    """The tickets service's answer on who may do ``action`` to this ticket in its state now
    (404, 403, 409: raised from here), asked before a refused form or body reports its field
    errors, so that a field error never tells more, or otherwise, than the API."""
    access.may_act(
        session,
        services().settings.tickets,
        account,
        reference,
        action,
        now=utcnow(),
        internal=internal,
    )


def check_first(
    account: UserInfo | None, reference: str, action: str, *, internal: bool = False
) -> None:
    """``check`` in a read-only transaction of its own, for a form refused before any
    transaction was opened."""
    with services().sessions() as session:
        try:
            check(session, account, reference, action, internal=internal)
        finally:
            session.rollback()
