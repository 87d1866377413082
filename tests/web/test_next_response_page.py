"""The agent's ticket page and the JSON API show the next-response deadline while a
requester's message waits for an answer, and drop it once an agent replies."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from portal.db import transaction
from portal.tickets.sla_models import SlaPolicy
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def test_the_next_response_deadline_shows_while_a_message_waits(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    with transaction(web.extensions["sanad"].sessions) as session:
        session.execute(update(SlaPolicy).values(next_response_minutes=240))
    requester = client_for(make_account(name="Mona"))
    staff = client_for(make_account("agent", name="Khalid"))
    reference = open_ticket(requester, subject="Printer jams")
    staff.post(f"/agent/tickets/{reference}/claim")
    staff.post(f"/agent/tickets/{reference}/reply", data={"body": "Open the tray."})
    assert "Next response due" not in text_of(staff.get(f"/agent/tickets/{reference}"))

    requester.post(f"/tickets/{reference}/reply", data={"body": "Still jams."})
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "Next response due" in page
    assert 'class="next-response-due"' in page
    sla = staff.get(f"/api/v1/tickets/{reference}").get_json()["sla"]
    assert sla["next_response_due"] is not None

    staff.post(f"/agent/tickets/{reference}/reply", data={"body": "Replaced the roller."})
    assert "Next response due" not in text_of(staff.get(f"/agent/tickets/{reference}"))
    assert staff.get(f"/api/v1/tickets/{reference}").get_json()["sla"]["next_response_due"] is None
