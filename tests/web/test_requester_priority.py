"""Requesters say who is affected; the priority is the rules' and the agents' (issue 15)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.db import transaction
from portal.tickets.models import Ticket
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of, token_for


def ticket_count(app: Flask) -> int:
    with transaction(app.extensions["sanad"].sessions) as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


@pytest.mark.parametrize("priority", ["urgent", "high", "low", "normal"])
def test_a_requester_sending_a_priority_gets_422_naming_the_field(
    web: Flask, make_account: MakeAccount, priority: str
) -> None:
    response = web.test_client().post(
        "/api/v1/tickets",
        headers=token_for(web, make_account()),
        json={"subject": "Everything is down", "body": "Help", "priority": priority},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["field"], error["code"]) == ("priority", "not_allowed")
    assert "impact" in error["message"]
    assert ticket_count(web) == 0


@pytest.mark.parametrize("field", ["status", "tier", "team", "assignee", "assignee_id", "tags"])
def test_fields_the_team_sets_are_refused_when_opening(
    web: Flask, make_account: MakeAccount, field: str
) -> None:
    response = web.test_client().post(
        "/api/v1/tickets",
        headers=token_for(web, make_account()),
        json={"subject": "VPN", "body": "Drops", field: 3 if field == "tier" else "x"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert ticket_count(web) == 0


@pytest.mark.parametrize(
    ("impact", "priority"),
    [(None, "normal"), ("me", "normal"), ("team", "high"), ("everyone", "high")],
)
def test_the_impact_a_requester_states_sets_the_priority_and_is_in_the_json(
    web: Flask, make_account: MakeAccount, impact: str | None, priority: str
) -> None:
    headers = token_for(web, make_account())
    client = web.test_client()
    body: dict[str, object] = {"subject": "Printer", "body": "Jammed"}
    if impact:
        body["impact"] = impact
    created = client.post("/api/v1/tickets", headers=headers, json=body)
    assert created.status_code == 201
    detail = client.get(created.headers["Location"], headers=headers).get_json()
    assert (detail["impact"], detail["priority"]) == (impact, priority)


def test_an_unknown_impact_is_422(web: Flask, make_account: MakeAccount) -> None:
    response = web.test_client().post(
        "/api/v1/tickets",
        headers=token_for(web, make_account()),
        json={"subject": "x", "body": "y", "impact": "galaxy"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "impact"


def test_staff_may_still_set_the_priority(web: Flask, make_account: MakeAccount) -> None:
    headers = token_for(web, make_account("agent"))
    client = web.test_client()
    created = client.post(
        "/api/v1/tickets", headers=headers, json={"subject": "x", "body": "y", "priority": "urgent"}
    )
    assert created.status_code == 201
    assert (
        client.get(created.headers["Location"], headers=headers).get_json()["priority"] == "urgent"
    )


def test_the_form_asks_who_is_affected_in_both_languages(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = make_account()
    client = client_for(requester)
    page = text_of(client.get("/tickets/new"))
    assert "Who is affected?" in page
    assert 'name="impact" value="me"' in page
    assert 'name="priority"' not in page
    in_arabic = client_for(requester)
    in_arabic.set_cookie("sanad_locale", "ar")
    assert "من المتأثر؟" in text_of(in_arabic.get("/tickets/new"))
    reference = open_ticket(client, impact="everyone", priority="urgent")
    staff = client_for(make_account("agent"))
    agent_page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "Everyone (the whole organisation)" in agent_page
    with transaction(client.application.extensions["sanad"].sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        assert (ticket.impact, ticket.priority) == ("everyone", "high")
