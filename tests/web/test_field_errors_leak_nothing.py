"""A refused form or JSON body never tells anything about a ticket the viewer may not see:
the answer is the same 404 as for a reference that does not exist, with no field error
flashed and nothing typed kept for it (``portal.tickets.access.may_act`` is asked first)."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.db import transaction
from tests.support.accounts import CHEAP
from tests.support.accounts import PASSWORD as ACCOUNT_PASSWORD
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

MISSING = "HD-999999"
# Every form below is refused by its own fields for someone who may act on the ticket.
REQUESTER_FORMS = {
    "reply": {"body": "   "},
    "reopen": {"reason": "x" * 100_000},
    "rate": {"rating": "eleven", "comment": "Typed by an outsider."},
}
AGENT_FORMS = {
    "assign": {"assignee_id": "abc"},
    "update": {"priority": "whenever"},
    "status": {"status": "gone"},
    "escalate": {"reason": "  "},
    "reply": {"body": ""},
    "link": {"article_id": ""},
    "resolve": {"article_id": "no such article!", "note": "Typed by an outsider."},
    "flag": {"article_id": "", "reason": "Typed by an outsider."},
}


# A CSRF token carries the second it was signed in: two pages a second apart differ there.
_CSRF = re.compile(r'(name="csrf_token" value=|name="csrf-token" content=)"[^"]*"')


def page_text(response: object) -> str:
    return _CSRF.sub(r'\1""', text_of(response))


def other_team_agent(web: Flask) -> UserInfo:
    with transaction(web.extensions["sanad"].sessions) as session:
        user: UserInfo = create_user(
            session,
            CHEAP,
            email="network-agent@example.com",
            name="Nour Network",
            password=ACCOUNT_PASSWORD,
            roles=("agent",),
            lang="en",
            tier=1,
            teams=("network",),
            now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC),
        )
    return user


def nothing_flashed_or_kept(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return not session.get("_flashes") and not any(
            key.startswith("typed") or key.startswith("kept") for key in session
        )


def test_refused_ticket_forms_answer_like_a_missing_ticket(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    owner = client_for(make_account())
    reference = open_ticket(owner)
    outsider = client_for(make_account())
    stranger_agent = client_for(other_team_agent(web))
    tried = []
    for client, prefix, forms in (
        (outsider, "/tickets", REQUESTER_FORMS),
        (stranger_agent, "/agent/tickets", AGENT_FORMS),
    ):
        for action, form in forms.items():
            real = client.post(f"{prefix}/{reference}/{action}", data=form)
            missing = client.post(f"{prefix}/{MISSING}/{action}", data=form)
            assert real.status_code == missing.status_code == 404, (prefix, action)
            assert page_text(real).replace(reference, MISSING) == page_text(missing)
            assert nothing_flashed_or_kept(client), (prefix, action)
            tried.append(action)
    assert len(tried) == len(REQUESTER_FORMS) + len(AGENT_FORMS)
    # The same forms from people who may act are refused by their fields, on the page.
    agent = client_for(make_account("agent"))
    answer = agent.post(f"/agent/tickets/{reference}/escalate", data=AGENT_FORMS["escalate"])
    assert answer.status_code == 303
    assert not nothing_flashed_or_kept(agent)
    answer = owner.post(f"/tickets/{reference}/reply", data=REQUESTER_FORMS["reply"])
    assert answer.status_code == 303
    assert not nothing_flashed_or_kept(owner)


def test_refused_api_bodies_answer_like_a_missing_ticket(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    reference = open_ticket(client_for(make_account()))
    for client in (client_for(make_account()), client_for(other_team_agent(web))):
        for action, body in (
            ("replies", {}),
            ("replies", {"internal": "maybe"}),
            ("escalate", {}),
            ("resolve", {"article_ids": "not a list"}),
        ):
            real = client.post(f"/api/v1/tickets/{reference}/{action}", json=body)
            missing = client.post(f"/api/v1/tickets/{MISSING}/{action}", json=body)
            assert real.status_code == missing.status_code == 404, (action, body)
            assert real.get_json() == missing.get_json()
    # Someone who may act gets the field error.
    agent = client_for(make_account("agent"))
    answer = agent.post(f"/api/v1/tickets/{reference}/escalate", json={})
    assert answer.status_code == 422
