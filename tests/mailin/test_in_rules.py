"""The "In" rules that need a ticket already there: files-only mail from its requester
reopens a pending ticket in their name, and a genuine token used by someone not on the
ticket (a forwarded notification) becomes an internal note the agents see and the
requester never does."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from flask import Flask
from sqlalchemy import select

from portal.db import transaction, utcnow
from portal.mailin.intake import take_mail
from portal.tickets.conversation import get_ticket_detail
from portal.tickets.models import Ticket, TicketHistory
from portal.tickets.reply_tokens import reply_token
from tests.support.accounts import MakeUser

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
# A 1x1 PNG: a real image the upload checks accept.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {**app_overrides, "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>"}


def take(app: Flask, message: EmailMessage) -> str:
    services = app.extensions["sanad"]
    return take_mail(services.sessions, services.settings, message.as_bytes(), now=utcnow()).outcome


def message(sender: str, subject: str, body: str, to: str = SUPPORT) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = make_msgid(domain="mail.example.net")
    mail.set_content(body)
    return mail


def open_pending(app: Flask, sender: str) -> Ticket:
    assert take(app, message(sender, "Printer offline", "It says offline.")) == "opened"
    with transaction(app.extensions["sanad"].sessions) as session:
        ticket = session.scalars(select(Ticket)).one()
        ticket.status = "pending"  # an agent asked a question and waits
        session.flush()
        session.expunge(ticket)
    return ticket


def token_address(app: Flask, ticket: Ticket, address: str) -> str:
    token = reply_token(app.extensions["sanad"].settings.tickets, ticket.id, address)
    return f"help+{token}@example.org"


def test_files_only_from_the_requester_reopen_a_pending_ticket_in_their_name(
    app: Flask, make_user: MakeUser
) -> None:
    requester = make_user("requester", email="reem@example.net", name="Reem")
    ticket = open_pending(app, "reem@example.net")
    files_only = message(
        "reem@example.net",
        "Re: Printer offline",
        "",
        token_address(app, ticket, "reem@example.net"),
    )
    files_only.clear_content()
    files_only.add_attachment(PNG, maintype="image", subtype="png", filename="screen.png")
    assert take(app, files_only) == "replied"
    with transaction(app.extensions["sanad"].sessions) as session:
        assert session.get(Ticket, ticket.id).status == "open"  # type: ignore[union-attr]
        reopened = session.scalars(
            select(TicketHistory).where(
                TicketHistory.ticket_id == ticket.id, TicketHistory.new_value == "open"
            )
        ).one()
        assert (reopened.actor_id, reopened.actor_name) == (requester.id, "Reem")


def test_a_forwarded_token_makes_a_note_agents_see_and_the_requester_never(
    app: Flask, make_user: MakeUser
) -> None:
    requester = make_user("requester", email="reem@example.net", name="Reem")
    agent = make_user("agent", teams=("support",))
    ticket = open_pending(app, "reem@example.net")
    forwarded = message(
        "boss@example.net",
        "Fwd: Printer offline",
        "Please fix this one first.",
        token_address(app, ticket, "reem@example.net"),  # Reem's token, not the boss's
    )
    assert take(app, forwarded) == "noted"
    services = app.extensions["sanad"]
    with transaction(services.sessions) as session:
        as_agent = get_ticket_detail(
            session, services.settings.tickets, agent, ticket.reference, now=utcnow()
        )
        as_requester = get_ticket_detail(
            session, services.settings.tickets, requester, ticket.reference, now=utcnow()
        )
        status = session.get(Ticket, ticket.id).status  # type: ignore[union-attr]
    notes = [m for m in as_agent.messages if "fix this one first" in m.body]
    assert [(m.internal, m.author_name) for m in notes] == [(True, "boss@example.net")]
    assert not any("fix this one first" in m.body for m in as_requester.messages)
    assert status == "pending"  # a stranger's note does not reopen the ticket
