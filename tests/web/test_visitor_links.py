"""A visitor's private link: shown once and mailed through the outbox, it opens only its own
ticket for reading and answering; "send me a new link" replaces it; files on the new-ticket
form; the reopen form's required reason."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.db import transaction, utcnow
from portal.notify.outbox import OutboxMessage
from portal.tickets.conversation import get_ticket_detail
from portal.tickets.models import TicketVisitorLink
from portal.web.limits import enable_limits
from tests.support.web import PNG, ClientFor, MakeAccount, text_of

LINK = re.compile(r"http://[^\s\"<]+/tickets/visit/([A-Za-z0-9_-]{43})")


def outbox(web: Flask) -> list[OutboxMessage]:
    with transaction(web.extensions["sanad"].sessions) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
    return rows


def open_as_visitor(
    client: FlaskClient, email: str = "salma@example.com", **extra: object
) -> tuple[str, str]:
    """Open a ticket as a visitor; (reference, private link path) from the confirmation page."""
    response = client.post(
        "/tickets/new",
        data={
            "subject": "Cannot sign in",
            "body": "Since this morning.",
            "visitor_name": "Salma",
            "visitor_email": email,
            **extra,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, text_of(response)
    page = response.get_data(as_text=True)
    reference = re.search(r"HD-\d{6}", page)
    link = LINK.search(page)
    assert reference
    assert link
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return reference.group(0), f"/tickets/visit/{link.group(1)}"


def test_the_confirmation_page_shows_the_link_and_the_outbox_mails_it(
    web: Flask, client_for: ClientFor
) -> None:
    visitor = client_for(None)
    reference, link = open_as_visitor(visitor)
    page = text_of(visitor.get(link))
    assert reference in page
    assert "Since this morning." in page
    mails = outbox(web)
    assert [m.to_address for m in mails] == ["salma@example.com"]
    assert link in mails[0].text_body
    # Only the hash is stored: the token itself is nowhere in the database.
    token = link.rsplit("/", 1)[1]
    with transaction(web.extensions["sanad"].sessions) as session:
        stored = session.scalars(select(TicketVisitorLink.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored[0]


def test_the_summary_names_what_was_sent(web: Flask, client_for: ClientFor) -> None:
    response = client_for(None).post(
        "/tickets/new",
        data={
            "subject": "Printer jam",
            "body": "Paper stuck.",
            "visitor_name": "Salma",
            "visitor_email": "salma@example.com",
            "files": (io.BytesIO(PNG), "لقطة الشاشة.png"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "Printer jam" in page
    assert "salma@example.com" in page
    # The Arabic file name keeps its extension inside an isolate, its size beside it.
    assert '<bdi dir="auto">لقطة الشاشة.png</bdi>' in page
    assert "KB)</bdi>" in page


def test_the_visitor_answers_and_sees_the_agents_reply(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    visitor = client_for(None)
    reference, link = open_as_visitor(visitor)
    agent = client_for(make_account("agent"))
    agent.post(f"/agent/tickets/{reference}/reply", data={"body": "Which browser?"})
    agent.post(f"/agent/tickets/{reference}/reply", data={"body": "Secret triage", "internal": "1"})
    page = text_of(visitor.get(link))
    assert "Which browser?" in page
    assert "Secret triage" not in page  # internal notes never reach the visitor
    response = visitor.post(
        f"{link}/reply",
        data={"body": "Firefox.", "file": (io.BytesIO(PNG), "screen.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = visitor.get(link).get_data(as_text=True)
    assert "Firefox." in page
    # The image previews inline, served from the private link with a sandbox of its own.
    src = re.search(r'<img src="([^"]+\?inline=1)"', page)
    assert src is not None
    image = visitor.get(src.group(1).replace("&amp;", "&"))
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Referrer-Policy"] == "no-referrer"
    image.close()
    staff_view = text_of(agent.get(f"/agent/tickets/{reference}"))
    assert "Firefox." in staff_view
    assert "screen.png" in staff_view


def test_a_link_opens_only_its_own_ticket(web: Flask, client_for: ClientFor) -> None:
    visitor = client_for(None)
    first, first_link = open_as_visitor(visitor)
    second, second_link = open_as_visitor(visitor, email="omar@example.com")
    assert second not in text_of(visitor.get(first_link))
    assert client_for(None).get("/tickets/visit/" + "A" * 43).status_code == 404
    assert client_for(None).get("/tickets/visit/" + "A" * 500).status_code == 404
    # A file of another ticket is not reachable through this link.
    assert visitor.get(f"{first_link}/attachments/1").status_code == 404
    assert first != second
    assert first_link != second_link


def test_send_me_a_new_link_replaces_the_old_one(web: Flask, client_for: ClientFor) -> None:
    visitor = client_for(None)
    reference, link = open_as_visitor(visitor)
    response = visitor.post(f"{link}/renew")
    assert response.status_code == 200
    assert "stops working" in text_of(response)
    assert visitor.get(link).status_code == 404  # the old link is dead at once
    mails = outbox(web)
    assert len(mails) == 2
    assert mails[1].to_address == "salma@example.com"
    fresh = LINK.search(mails[1].text_body)
    assert fresh is not None
    assert reference in text_of(visitor.get(f"/tickets/visit/{fresh.group(1)}"))


def test_a_lost_link_is_mailed_again_and_the_page_tells_nobody_which_tickets_exist(
    web: Flask, client_for: ClientFor
) -> None:
    visitor = client_for(None)
    reference, link = open_as_visitor(visitor)
    stranger = client_for(None)
    wrong = stranger.post(
        "/tickets/link", data={"reference": reference, "email": "eve@example.com"}
    )
    right = stranger.post(
        "/tickets/link", data={"reference": reference.lower(), "email": "Salma@Example.com"}
    )
    assert wrong.status_code == right.status_code == 200
    assert text_of(wrong) == text_of(right)
    assert visitor.get(link).status_code == 404
    mails = outbox(web)
    assert [m.to_address for m in mails] == ["salma@example.com", "salma@example.com"]
    # Both fields are checked at once, with the fields marked.
    refused = stranger.post("/tickets/link", data={"reference": "", "email": "nope"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'aria-describedby="reference-error"' in page
    assert 'aria-describedby="email-error"' in page


def test_asking_for_links_is_rate_limited(web: Flask, client_for: ClientFor) -> None:
    enable_limits(web)
    stranger = client_for(None)
    answers = [
        stranger.post(
            "/tickets/link", data={"reference": "HD-000001", "email": "a@example.com"}
        ).status_code
        for _ in range(6)
    ]
    assert answers[:5] == [200] * 5
    assert answers[5] == 429


def test_solved_or_still_not_solved_from_the_link(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    visitor = client_for(None)
    reference, link = open_as_visitor(visitor)
    agent_account = make_account("agent")
    agent = client_for(agent_account)
    agent.post(f"/agent/tickets/{reference}/resolve", data={"note": "Cleared the cache."})
    page = text_of(visitor.get(link))
    assert "Cleared the cache." in page
    assert "Yes, it is solved" in page
    assert "No, it is still not solved" in page
    # The reason is required: the form asks what is still wrong.
    visitor.post(f"{link}/reopen", data={"reason": ""})
    assert "Write a reason." in text_of(visitor.get(link))
    visitor.post(f"{link}/reopen", data={"reason": "Still blank page."})
    with transaction(web.extensions["sanad"].sessions) as session:
        settings = web.extensions["sanad"].settings.tickets
        detail = get_ticket_detail(session, settings, agent_account, reference, now=utcnow())
    assert detail.ticket.status == "open"
    assert detail.messages[-1].body == "Still blank page."
    agent.post(f"/agent/tickets/{reference}/resolve", data={"note": "Again."})
    visitor.post(f"{link}/confirm")
    assert "Closed" in text_of(visitor.get(link))


def test_a_refused_file_on_the_new_ticket_form_keeps_the_text(
    web: Flask, client_for: ClientFor
) -> None:
    response = client_for(None).post(
        "/tickets/new",
        data={
            "subject": "Strange file",
            "body": "See attached.",
            "visitor_name": "Salma",
            "visitor_email": "salma@example.com",
            "files": (io.BytesIO(b"MZ\x00\x00binary"), "tool.exe"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-describedby="files-error"' in page
    assert "The file was not accepted" in page
    assert "See attached." in page
    assert outbox(web) == []


def test_too_long_input_is_refused_all_at_once(web: Flask, client_for: ClientFor) -> None:
    response = client_for(None).post(
        "/tickets/new",
        data={
            "subject": "x" * 300,
            "body": "",
            "visitor_name": "n" * 201,
            "visitor_email": "not-an-address",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("subject", "body", "visitor_name", "visitor_email"):
        assert f'aria-describedby="{field}-error"' in page, field
    assert "x" * 300 in page  # shown back whole, never cut to 200
