"""From first reply to closing: the agent's and the requester's steps, and their history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.access import get_ticket_for
from portal.tickets.assignment import (
    assign_ticket,
    change_status,
    claim_ticket,
    escalate_ticket,
    update_ticket,
)
from portal.tickets.conversation import add_reply, get_ticket_detail
from portal.tickets.errors import InvalidTransition, TicketForbidden, ValidationError
from portal.tickets.knowledge_feedback import article_link_counts, flag_article, list_article_flags
from portal.tickets.resolution import (
    close_resolved_tickets,
    confirm_resolution,
    link_article,
    rate_ticket,
    reopen_ticket,
    resolve_ticket,
)
from portal.tickets.values import TicketChanges
from tests.support.accounts import Run
from tests.support.mail import Inbox
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def test_the_first_public_reply_opens_the_ticket_and_is_mailed(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
    smtp_server: Inbox,
    deliver: Callable[[], int],
) -> None:
    ticket = make_ticket()
    note = run(
        add_reply,
        ticket_settings,
        agent,
        ticket.reference,
        body="Checking logs",
        internal=True,
        now=now + MINUTE,
    )
    assert (note.ticket.status, note.ticket.first_response_at, note.mails) == ("new", None, ())
    reply = run(
        add_reply,
        ticket_settings,
        agent,
        ticket.reference,
        body="Please restart the client.",
        now=now + 2 * MINUTE,
    )
    assert (reply.ticket.status, reply.ticket.first_response_at) == ("open", now + 2 * MINUTE)
    deliver()
    _opened, mail = smtp_server.messages  # the "we received it" mail, then the reply
    assert mail["To"] == requester.email
    assert "Please restart the client." in mail.get_body(("plain",)).get_content()
    later = run(
        add_reply, ticket_settings, agent, ticket.reference, body="Any luck?", now=now + 3 * MINUTE
    )
    assert later.ticket.first_response_at == now + 2 * MINUTE


def test_a_requester_reply_brings_a_pending_ticket_back(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(claim_ticket, agent, ticket.reference, now=now)
    assert run(change_status, agent, ticket.reference, status="pending", now=now).status == (
        "pending"
    )
    result = run(
        add_reply, ticket_settings, requester, ticket.reference, body="Done, still bad", now=now
    )
    assert result.ticket.status == "open"
    assert result.mails == ()  # the requester is not mailed their own words
    with pytest.raises(ValidationError) as caught:
        run(change_status, agent, ticket.reference, status="closed", now=now)
    assert caught.value.field == "status"
    with pytest.raises(TicketForbidden):
        run(change_status, requester, ticket.reference, status="on_hold", now=now)


def test_claim_assign_and_edit_are_recorded_in_the_history(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    colleague = make_user("agent", name="Colleague")
    outsider = make_user("agent", teams=("network",))
    claimed = run(claim_ticket, agent, ticket.reference, now=now)
    assert (claimed.assignee_name, claimed.status) == ("Adel Agent", "open")
    run(assign_ticket, agent, ticket.reference, assignee_id=colleague.id, now=now + MINUTE)
    with pytest.raises(ValidationError) as caught:
        run(assign_ticket, agent, ticket.reference, assignee_id=outsider.id, now=now)
    assert caught.value.field == "assignee_id"
    updated = run(
        update_ticket,
        agent,
        ticket.reference,
        TicketChanges(priority="urgent", category="network", tags=("vpn",)),
        now=now + 2 * MINUTE,
    )
    assert (updated.priority, updated.category, updated.tags) == ("urgent", "network", ("vpn",))
    history = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now).history
    changes = [
        (h.actor_name, h.action, h.field, h.old_value, h.new_value)
        for h in history
        if h.action != "opened"
    ]
    assert changes == [
        ("Adel Agent", "assign", "assignee", None, "Adel Agent"),
        ("Adel Agent", "status", "status", "new", "open"),
        ("Adel Agent", "assign", "assignee", "Adel Agent", "Colleague"),
        ("Adel Agent", "update", "priority", "normal", "urgent"),
        ("Adel Agent", "update", "category", None, "network"),
        ("Adel Agent", "update", "tags", "", "vpn"),
    ]


def test_saving_the_status_a_ticket_already_has_is_not_an_error(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
) -> None:
    """The status form arrives with the current status selected: pressing it is harmless."""
    ticket = make_ticket()
    run(change_status, agent, ticket.reference, status="pending", now=now)
    info = run(change_status, agent, ticket.reference, status="pending", now=now + MINUTE)
    assert info.status == "pending"


def test_escalation_needs_a_reason_and_stops_at_tier_three(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(claim_ticket, agent, ticket.reference, now=now)
    with pytest.raises(ValidationError) as empty:
        run(escalate_ticket, agent, ticket.reference, reason="  ", now=now)
    assert empty.value.field == "reason"
    escalated = run(
        escalate_ticket, agent, ticket.reference, reason="Needs VPN server access", now=now
    )
    assert (escalated.tier, escalated.assignee_id) == (2, None)
    run(escalate_ticket, agent, ticket.reference, reason="Vendor bug", now=now)
    with pytest.raises(ValidationError) as top:
        run(escalate_ticket, agent, ticket.reference, reason="More", now=now)
    assert top.value.field == "tier"
    staff_messages = run(
        get_ticket_detail, ticket_settings, agent, ticket.reference, now=now
    ).messages
    # The system's note is written in the ticket's language (Arabic here).
    assert [m.body for m in staff_messages] == [
        "صُعِّدت التذكرة إلى المستوى 2: Needs VPN server access",
        "صُعِّدت التذكرة إلى المستوى 3: Vendor bug",
    ]
    assert (
        run(get_ticket_detail, ticket_settings, requester, ticket.reference, now=now).messages == ()
    )


def test_the_escalation_note_of_an_english_ticket_is_english(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket(lang="en")
    assert ticket.lang == "en"
    run(escalate_ticket, agent, ticket.reference, reason="Needs VPN server access", now=now)
    messages = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now).messages
    assert [m.body for m in messages] == ["Escalated to tier 2: Needs VPN server access"]


def test_resolving_needs_an_article_or_a_note_and_counts_links(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    now: dt.datetime,
    smtp_server: Inbox,
    deliver: Callable[[], int],
) -> None:
    first, second = make_ticket(), make_ticket()
    with pytest.raises(ValidationError) as caught:
        run(
            resolve_ticket,
            ticket_settings,
            agent,
            first.reference,
            article_ids=[],
            note=" ",
            now=now,
        )
    assert caught.value.field == "article_ids"
    assert run(get_ticket_for, agent, first.reference).status == "new"
    with pytest.raises(ValidationError) as unknown:
        run(
            resolve_ticket,
            ticket_settings,
            agent,
            first.reference,
            article_ids=["nope"],
            now=now,
            article_exists=lambda article: article == "vpn-setup",
        )
    assert unknown.value.field == "article_ids"

    result = run(
        resolve_ticket,
        ticket_settings,
        agent,
        first.reference,
        article_ids=["vpn-setup", "vpn-setup", "vpn-client"],
        now=now + DAY,
    )
    assert (result.ticket.status, result.ticket.resolved_at) == ("resolved", now + DAY)
    run(link_article, agent, second.reference, article_id="vpn-setup", now=now)
    run(resolve_ticket, ticket_settings, agent, second.reference, note="Reset the profile", now=now)
    assert run(article_link_counts) == {"vpn-setup": 2, "vpn-client": 1}
    assert run(article_link_counts, ["vpn-client"]) == {"vpn-client": 1}
    detail = run(get_ticket_detail, ticket_settings, agent, first.reference, now=now)
    assert detail.linked_articles == ("vpn-setup", "vpn-client")
    deliver()
    # The resolved mail names the ticket, carries the agent's note, the days left to reopen
    # and the link to the page where the requester confirms and rates it.
    [resolved] = [
        m
        for m in smtp_server.messages
        if str(m["Subject"]).startswith(f"[{second.reference}] Resolved")
    ]
    plain, html = resolved.get_body(("plain",)), resolved.get_body(("html",))
    assert plain is not None
    assert html is not None
    text = plain.get_content()
    assert "7" in text
    assert "Reset the profile" in text
    assert ticket_settings.ticket_url(second.reference) in text
    assert ticket_settings.ticket_url(second.reference) in html.get_content()


def test_the_requester_confirms_rates_or_reopens_within_the_window(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    confirmed, reopened, late = make_ticket(), make_ticket(), make_ticket()
    for ticket in (confirmed, reopened, late):
        run(resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=now)

    with pytest.raises(TicketForbidden):
        run(confirm_resolution, agent, confirmed.reference, now=now)
    closed = run(confirm_resolution, requester, confirmed.reference, now=now + DAY)
    assert (closed.status, closed.closed_at) == ("closed", now + DAY)
    rated = run(rate_ticket, requester, confirmed.reference, rating=5, comment="Quick!", now=now)
    assert (rated.rating, rated.rating_comment) == (5, "Quick!")
    with pytest.raises(ValidationError) as bad:
        run(rate_ticket, requester, confirmed.reference, rating=6, now=now)
    assert bad.value.field == "rating"
    with pytest.raises(InvalidTransition):
        run(add_reply, ticket_settings, requester, confirmed.reference, body="hi", now=now)

    again = run(
        reopen_ticket,
        ticket_settings,
        requester,
        reopened.reference,
        reason="It came back",
        now=now + 7 * DAY,
    )
    assert (again.status, again.resolved_at) == ("open", None)
    with pytest.raises(InvalidTransition):
        run(rate_ticket, requester, reopened.reference, rating=3, now=now)

    with pytest.raises(InvalidTransition):
        run(reopen_ticket, ticket_settings, requester, late.reference, now=now + 8 * DAY)
    assert (
        "reopen"
        not in run(
            get_ticket_detail, ticket_settings, requester, late.reference, now=now + 8 * DAY
        ).actions
    )
    assert run(close_resolved_tickets, ticket_settings, now=now + 6 * DAY) == 0
    assert run(close_resolved_tickets, ticket_settings, now=now + 8 * DAY) == 1
    assert run(get_ticket_for, requester, late.reference).status == "closed"


def test_staff_may_reopen_a_resolved_ticket_after_the_window(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=now)
    assert (
        run(reopen_ticket, ticket_settings, agent, ticket.reference, now=now + 30 * DAY).status
        == "open"
    )


def test_flags_reach_the_knowledge_managers_queue(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, requester: UserInfo, now: dt.datetime
) -> None:
    ticket = make_ticket()
    with pytest.raises(TicketForbidden):
        run(flag_article, requester, ticket.reference, article_id="vpn-setup", reason="x", now=now)
    run(
        flag_article,
        agent,
        ticket.reference,
        article_id="vpn-setup",
        reason="Step 3 misses the new client",
        now=now,
    )
    [flag] = run(list_article_flags)
    assert (flag.ticket_reference, flag.article_id, flag.flagged_by_name) == (
        ticket.reference,
        "vpn-setup",
        "Adel Agent",
    )
    assert run(list_article_flags, article_id="other") == ()
