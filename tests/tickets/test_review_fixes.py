"""Review fixes in the tickets services and mails: what a reviewer found and a test pins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.notify.messages import compose, days_phrase
from portal.tickets.errors import InvalidTransition
from portal.tickets.services import (
    add_attachment,
    add_reply,
    change_status,
    confirm_resolution,
    get_ticket_detail,
    open_ticket,
    requester_other_tickets,
    resolve_ticket,
)
from portal.tickets.values import TicketDraft
from tests.accounts.conftest import Run
from tests.tickets.conftest import MakeTicket

MakeUser = Callable[..., UserInfo]
MINUTE = dt.timedelta(minutes=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_other_tickets_panel_shows_only_tickets_the_agent_may_open(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    """An IT agent must not read the subjects of the same person's HR tickets."""
    settings = dataclasses.replace(ticket_settings, category_teams={"payroll": "hr"})
    hr_ticket = run(
        open_ticket,
        settings,
        requester=requester,
        draft=TicketDraft(subject="My salary was cut", body="Private", category="payroll"),
        now=now,
    ).ticket
    support_ticket = make_ticket("VPN again")
    current = make_ticket("VPN drops")
    others = run(requester_other_tickets, agent, current.reference)
    assert [t.reference for t in others] == [support_ticket.reference]
    admin = make_user("admin")
    seen = run(requester_other_tickets, admin, current.reference)
    assert {t.reference for t in seen} == {support_ticket.reference, hr_ticket.reference}


def test_saving_the_status_a_ticket_already_has_is_not_an_error(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
) -> None:
    """The status form arrives with the current status selected: pressing it is harmless."""
    ticket = make_ticket()
    run(change_status, agent, ticket.reference, status="pending", now=now)
    info = run(change_status, agent, ticket.reference, status="pending", now=now + MINUTE)
    assert info.status == "pending"


def test_requester_cannot_add_files_to_a_resolved_ticket_and_nobody_to_a_closed_one(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=now)
    with pytest.raises(InvalidTransition):
        run(
            add_attachment,
            ticket_settings,
            requester,
            ticket.reference,
            filename="shot.png",
            data=PNG,
            now=now + MINUTE,
        )
    # Staff may still add a file to a resolved ticket, and are offered it.
    detail = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now)
    assert "attach" in detail.actions
    run(confirm_resolution, requester, ticket.reference, now=now + MINUTE)
    detail = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now + MINUTE)
    assert "attach" not in detail.actions  # add_attachment refuses closed tickets


def test_visitor_mails_do_not_send_them_to_a_page_they_cannot_open(
    run: Run,
    ticket_settings: TicketSettings,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    draft = TicketDraft(
        subject="Printer", body="Jammed", visitor_name="Salma", visitor_email="salma@example.com"
    )
    opened = run(open_ticket, ticket_settings, requester=None, draft=draft, now=now)
    reference = opened.ticket.reference
    link = ticket_settings.ticket_url(reference)
    reply = run(add_reply, ticket_settings, agent, reference, body="Try this", now=now + MINUTE)
    resolved = run(resolve_ticket, ticket_settings, agent, reference, note="Done", now=now)
    mails = [*opened.mails, *reply.mails, *resolved.mails]
    assert len(mails) == 3
    for mail in mails:
        assert link not in mail.body
        assert reference in mail.body
    # The first mail goes to whatever address was typed: it repeats nothing typed with it.
    assert "Printer" not in opened.mails[0].subject + opened.mails[0].body
    assert "Salma" not in opened.mails[0].body
    assert "/tickets/new" in resolved.mails[0].body
    assert "reopen" not in resolved.mails[0].body.lower()


@pytest.mark.parametrize(
    ("days", "arabic", "english"),
    [
        (1, "يوم واحد", "1 day"),
        (2, "يومين", "2 days"),
        (7, "7 أيام", "7 days"),
        (14, "14 يومًا", "14 days"),
        (100, "100 يوم", "100 days"),
    ],
)
def test_the_reopen_window_reads_as_proper_arabic(days: int, arabic: str, english: str) -> None:
    assert days_phrase(days, "ar") == arabic
    assert days_phrase(days, "en") == english
    mail = compose(
        "ticket_resolved",
        "ar",
        "a@example.com",
        name="Reem",
        reference="HD-000001",
        subject="VPN",
        link="http://x/t",
        note="",
        days=days,
    )
    assert f"خلال {arabic} إذا" in mail.body
    assert "\n\n\n" not in mail.body  # no note: no gap of blank lines
