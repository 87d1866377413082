"""A ticket's history reads as sentences in the reader's language, with labels for codes."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from portal.db import transaction, utcnow
from portal.tickets.resolution import close_resolved_tickets
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def history_of(client: FlaskClient, reference: str) -> list[str]:
    page = text_of(client.get(f"/agent/tickets/{reference}"))
    block = page.split('<details class="history">', 1)[1].split("</details>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def worked_ticket(client_for: ClientFor, make_account: MakeAccount) -> tuple[FlaskClient, str]:
    requester = make_account(name="Mona")
    agent = make_account("agent", name="Khalid")
    staff = client_for(agent)
    reference = open_ticket(client_for(requester), subject="Reset password does not work")
    staff.post(f"/agent/tickets/{reference}/claim")
    staff.post(
        f"/agent/tickets/{reference}/update",
        data={"priority": "high", "category": "accounts", "tags": "password"},
    )
    staff.post(f"/agent/tickets/{reference}/status", data={"status": "pending"})
    staff.post(f"/agent/tickets/{reference}/escalate", data={"reason": "Needs an admin"})
    return staff, reference


def test_history_lines_are_english_sentences_with_labels(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff, reference = worked_ticket(client_for, make_account)
    text = " | ".join(history_of(staff, reference))
    assert "Mona opened the ticket (Web)" in text
    assert "Khalid took the ticket" in text
    assert "Khalid changed the status from New to Open" in text
    assert "Khalid changed the priority from Normal to High" in text
    assert "Khalid set the category to Accounts and passwords" in text
    assert "Khalid changed the status from Open to Waiting for you" in text
    assert "Khalid escalated the ticket to tier 2 — Needs an admin" in text
    # Never the stored codes.
    for raw in ("status status", "update priority", "→", "assign assignee", "accounts →"):
        assert raw not in text, raw


def test_history_lines_are_arabic_sentences_for_an_arabic_reader(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff, reference = worked_ticket(client_for, make_account)
    staff.set_cookie("sanad_locale", "ar")
    text = " | ".join(history_of(staff, reference))
    assert "Khalid غيّر الحالة من جديدة إلى مفتوحة" in text
    assert "Khalid جعل التصنيف الحسابات وكلمات المرور" in text
    assert "Khalid تولّى التذكرة" in text
    assert "changed" not in text


def test_a_ticket_closed_by_time_says_so(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    agent = make_account("agent", name="Khalid")
    staff = client_for(agent)
    reference = open_ticket(client_for(make_account(name="Mona")), subject="Printer jams")
    staff.post(f"/agent/tickets/{reference}/claim")
    staff.post(f"/agent/tickets/{reference}/resolve", data={"note": "Cleared the tray."})
    wired = web.extensions["sanad"]
    later = utcnow() + wired.settings.tickets.reopen_window * 2
    with transaction(wired.sessions) as session:
        assert close_resolved_tickets(session, wired.settings.tickets, now=later) == 1
    lines = history_of(staff, reference)
    assert lines[-2].endswith("Khalid resolved the ticket — Cleared the tray.")
    assert lines[-1].endswith("The ticket closed by itself: the time to reopen it had passed")


def test_the_status_menu_of_a_new_ticket_shows_new(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    agent = client_for(make_account("agent"))
    reference = open_ticket(client_for(make_account()), subject="Wi-Fi is slow")
    page = text_of(agent.get(f"/agent/tickets/{reference}"))
    menu = page.split('<select id="status"', 1)[1].split("</select>", 1)[0]
    selected = re.search(r"<option[^>]*selected[^>]*>([^<]+)</option>", menu)
    assert selected is not None
    assert selected.group(1) == "New"
    assert "<dd>Support team</dd>" in page  # the team's label, not its key
