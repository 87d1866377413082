"""POST /api/v1/tickets/<reference>/rate|confirm|reopen: the requester's steps on a resolved
ticket, through the API, with the same rules as the ticket page's forms."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support.web import ClientFor, MakeAccount, open_ticket


def _resolved(client_for: ClientFor, make_account: MakeAccount) -> tuple[FlaskClient, str]:
    owner = client_for(make_account("requester"))
    reference = open_ticket(owner)
    agent = client_for(make_account("agent"))
    done = agent.post(f"/api/v1/tickets/{reference}/resolve", json={"note": "Restarted it"})
    assert done.status_code == 200, done.get_data(as_text=True)
    return owner, reference


def test_the_requester_rates_then_confirms(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    owner, reference = _resolved(client_for, make_account)
    bad = owner.post(f"/api/v1/tickets/{reference}/rate", json={"rating": 6})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "rating"
    assert owner.post(f"/api/v1/tickets/{reference}/rate", json={"rating": "5"}).status_code == 422
    assert owner.post(f"/api/v1/tickets/{reference}/rate", json={}).status_code == 422
    rated = owner.post(f"/api/v1/tickets/{reference}/rate", json={"rating": 4, "comment": "شكرًا"})
    assert rated.status_code == 200
    assert rated.get_json()["rating"] == 4
    assert owner.get(f"/api/v1/tickets/{reference}").get_json()["rating"] == 4
    closed = owner.post(f"/api/v1/tickets/{reference}/confirm")
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    # Closed is final: no reopening through the API either.
    again = owner.post(f"/api/v1/tickets/{reference}/reopen", json={"reason": "Still broken"})
    assert again.status_code == 409


def test_the_requester_reopens_saying_why(client_for: ClientFor, make_account: MakeAccount) -> None:
    owner, reference = _resolved(client_for, make_account)
    blank = owner.post(f"/api/v1/tickets/{reference}/reopen", json={"reason": " "})
    assert blank.status_code == 422
    assert blank.get_json()["error"]["field"] == "reason"
    assert owner.get(f"/api/v1/tickets/{reference}").get_json()["status"] == "resolved"
    opened = owner.post(f"/api/v1/tickets/{reference}/reopen", json={"reason": "Still drops"})
    assert opened.status_code == 200
    assert opened.get_json()["status"] == "open"
    messages = owner.get(f"/api/v1/tickets/{reference}").get_json()["messages"]
    assert messages[-1]["body"] == "Still drops"


def test_others_cannot_act_for_the_requester(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    _owner, reference = _resolved(client_for, make_account)
    stranger = client_for(make_account("requester"))
    assert stranger.post(f"/api/v1/tickets/{reference}/confirm").status_code == 404
    assert stranger.post(f"/api/v1/tickets/{reference}/rate", json={"rating": 1}).status_code == 404
    agent = client_for(make_account("agent"))
    assert agent.post(f"/api/v1/tickets/{reference}/rate", json={"rating": 1}).status_code == 403
    assert client_for(None).post(f"/api/v1/tickets/{reference}/confirm").status_code == 401
