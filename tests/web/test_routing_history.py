"""The agent's ticket page says which routing rule fired and the words it matched."""

from __future__ import annotations

from flask import Flask

from portal.db import transaction
from portal.tickets.routing_models import RoutingRule
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def test_routed_ticket_history_names_the_rule_in_both_languages(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    with transaction(web.extensions["sanad"].sessions) as session:
        session.add(
            RoutingRule(name="Passwords", position=1, words=["كلمة المرور"], set_priority="high")
        )
    requester = make_account(name="Mona")
    staff = client_for(make_account("agent", name="Khalid"))
    reference = open_ticket(client_for(requester), subject="نسيت كلمه المرور")
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "routed the ticket: matched" in page
    assert "كلمة المرور" in page
    staff.set_cookie("sanad_locale", "ar")
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "وجّهت القاعدة" in page
    assert "طابقت" in page
