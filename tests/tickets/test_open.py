"""Opening tickets: self-service (with the trail), visitors, and on someone's behalf."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.config import TicketSettings, load_settings
from portal.events import Event
from portal.tickets.conversation import add_reply, get_ticket_detail
from portal.tickets.errors import LoginRequired, TicketForbidden, ValidationError
from portal.tickets.intake import open_ticket, open_ticket_on_behalf
from portal.tickets.models import Ticket
from portal.tickets.resolution import resolve_ticket
from portal.tickets.values import SelfServiceTrail, TicketDraft, TrailSearch, TrailView
from tests.support.accounts import Run
from tests.support.mail import Inbox
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]
MINUTE = dt.timedelta(minutes=1)


def count_tickets(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_a_requester_opens_a_ticket_with_the_trail_they_kept(
    run: Run,
    ticket_settings: TicketSettings,
    requester: UserInfo,
    now: dt.datetime,
    sessions: sessionmaker[Session],
) -> None:
    trail = SelfServiceTrail(
        searches=(
            TrailSearch("vpn يتقطع", 3, now - dt.timedelta(minutes=5)),
            TrailSearch("vpn reconnect", 0),
        ),
        views=(TrailView("vpn-setup", "ar", "إعداد VPN", now - dt.timedelta(minutes=4)),),
    )
    result = run(
        open_ticket,
        ticket_settings,
        requester=requester,
        draft=TicketDraft(
            subject="  VPN   drops ",
            body="**Every** hour",
            category="network",
            impact="team",
            tags=("VPN", "vpn", "Remote"),
        ),
        trail=trail,
        visitor="v-123",
        now=now,
    )
    ticket = result.ticket
    assert re.fullmatch(r"HD-\d{6}", ticket.reference)
    assert (ticket.subject, ticket.status, ticket.priority, ticket.tier) == (
        "VPN drops",
        "new",
        "high",
        1,
    )
    assert (ticket.team, ticket.channel, ticket.tags) == ("support", "web", ("vpn", "remote"))
    assert ticket.requester_name == "Reem Requester"
    # The default support policy: an answer within 48 working hours (10:00–16:00 Riyadh).
    assert ticket.first_response_due == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    detail = run(get_ticket_detail, ticket_settings, requester, ticket.reference, now=now)
    assert detail.trail == trail
    assert [h.action for h in detail.history] == []  # history is for staff
    with sessions() as session:
        event = session.scalars(select(Event).where(Event.kind == "ticket")).one()
    assert (event.visitor, event.user_id) == ("v-123", requester.id)
    assert event.data == {
        "reference": ticket.reference,
        "channel": "web",
        "viewed_articles": 1,
        "searches": 2,
    }


def test_references_follow_each_other(make_ticket: MakeTicket) -> None:
    first, second = make_ticket(), make_ticket()
    assert int(second.reference[3:]) == int(first.reference[3:]) + 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": ""}, "body"),
        ({"priority": "asap"}, "priority"),
        ({"priority": "urgent"}, "priority"),  # a requester never sets it
        ({"impact": "galaxy"}, "impact"),
        ({"category": "../etc"}, "category"),
        ({"tags": ("x" * 41,)}, "tags"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_an_invalid_field_is_named_and_nothing_is_written(
    run: Run,
    ticket_settings: TicketSettings,
    requester: UserInfo,
    now: dt.datetime,
    sessions: sessionmaker[Session],
    change: dict[str, object],
    field: str,
) -> None:
    values: dict[str, object] = {"subject": "Printer", "body": "Jammed"} | change
    with pytest.raises(ValidationError) as caught:
        run(open_ticket, ticket_settings, requester=requester, draft=TicketDraft(**values), now=now)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert count_tickets(sessions) == 0


def test_a_bad_trail_entry_rolls_back_the_whole_ticket(
    run: Run,
    ticket_settings: TicketSettings,
    requester: UserInfo,
    now: dt.datetime,
    sessions: sessionmaker[Session],
    make_ticket: MakeTicket,
) -> None:
    with pytest.raises(ValidationError) as caught:
        run(
            open_ticket,
            ticket_settings,
            requester=requester,
            draft=TicketDraft(subject="S", body="B"),
            trail=SelfServiceTrail(views=(TrailView("../../secret"),)),
            now=now,
        )
    assert caught.value.field == "viewed_articles"
    assert count_tickets(sessions) == 0
    assert make_ticket().reference == "HD-000001"  # the counter rolled back too


def test_visitors_give_a_name_and_address_unless_switched_off(
    run: Run, ticket_settings: TicketSettings, now: dt.datetime
) -> None:
    draft = TicketDraft(
        subject="Wi-Fi",
        body="No signal",
        visitor_name="Guest",
        visitor_email="Guest@Example.com",
        lang="en",
    )
    ticket = run(open_ticket, ticket_settings, requester=None, draft=draft, now=now).ticket
    assert (ticket.requester_id, ticket.requester_email) == (None, "guest@example.com")
    with pytest.raises(ValidationError) as caught:
        run(
            open_ticket,
            ticket_settings,
            requester=None,
            draft=TicketDraft(subject="S", body="B", visitor_name="G", visitor_email="nope"),
            now=now,
        )
    assert caught.value.field == "visitor_email"
    closed = TicketSettings(
        attachments_dir=ticket_settings.attachments_dir, visitor_tickets_enabled=False
    )
    with pytest.raises(LoginRequired):
        run(open_ticket, closed, requester=None, draft=draft, now=now)
    assert (
        load_ticket_settings(
            ticket_settings.attachments_dir, {"SANAD_VISITOR_TICKETS": "off"}
        ).visitor_tickets_enabled
        is False
    )


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
    # Their first mail carries their private link; later ones say how to get it again.
    assert "/tickets/visit/" in opened.mails[0].body
    assert "/tickets/link" in resolved.mails[0].body
    assert "reopen" not in resolved.mails[0].body.lower()


def test_categories_can_route_to_another_team(
    run: Run, ticket_settings: TicketSettings, requester: UserInfo, now: dt.datetime
) -> None:
    routed = load_ticket_settings(
        ticket_settings.attachments_dir, {"SANAD_CATEGORY_TEAMS": "network=NetOps, email=messaging"}
    )
    ticket = run(
        open_ticket,
        routed,
        requester=requester,
        draft=TicketDraft(subject="S", body="B", category="network"),
        now=now,
    ).ticket
    assert ticket.team == "netops"


def test_an_agent_opens_tickets_for_phone_and_walk_in_contacts(
    run: Run,
    ticket_settings: TicketSettings,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    known = run(
        open_ticket_on_behalf,
        ticket_settings,
        agent,
        requester_email=requester.email.upper(),
        draft=TicketDraft(subject="Password", body="Called in"),
        channel="phone",
        now=now,
    ).ticket
    assert (known.requester_id, known.channel, known.opened_by_id) == (
        requester.id,
        "phone",
        agent.id,
    )
    unknown = run(
        open_ticket_on_behalf,
        ticket_settings,
        agent,
        requester_email="walkin@example.com",
        draft=TicketDraft(subject="Laptop", body="Screen", visitor_name="Visitor"),
        channel="walk_in",
        now=now,
    ).ticket
    assert (unknown.requester_id, unknown.requester_email) == (None, "walkin@example.com")
    with pytest.raises(ValidationError) as caught:
        run(
            open_ticket_on_behalf,
            ticket_settings,
            agent,
            requester_email=requester.email,
            draft=TicketDraft(subject="S", body="B"),
            channel="web",
            now=now,
        )
    assert caught.value.field == "channel"
    with pytest.raises(TicketForbidden):
        run(
            open_ticket_on_behalf,
            ticket_settings,
            requester,
            requester_email=requester.email,
            draft=TicketDraft(subject="S", body="B"),
            channel="phone",
            now=now,
        )


def test_the_confirmation_mail_reaches_the_requester_in_their_language(
    run: Run,
    ticket_settings: TicketSettings,
    make_user: MakeUser,
    now: dt.datetime,
    smtp_server: Inbox,
    deliver: Callable[[], int],
) -> None:
    arabic = make_user(lang="ar", name="ريم")
    result = run(
        open_ticket,
        ticket_settings,
        requester=arabic,
        draft=TicketDraft(subject="الطابعة لا تعمل", body="..."),
        now=now,
    )
    assert deliver() == 1
    [mail] = smtp_server.messages
    assert mail["To"] == arabic.email
    assert mail["Subject"] == f"[{result.ticket.reference}] استلمنا طلبك: الطابعة لا تعمل"
    assert f"/tickets/{result.ticket.reference}" in mail.get_body(("plain",)).get_content()


def load_ticket_settings(attachments_dir: Path, environ: dict[str, str]) -> TicketSettings:
    """The ticket settings an operator's environment gives (and nothing from this process's)."""
    given = {"instance_dir": attachments_dir.parent, "tickets.attachments_dir": attachments_dir}
    return load_settings(given, environ=environ).tickets
