"""The ticket JSON API: shapes, validation errors naming the field, access, CSRF and tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.db import transaction
from portal.tickets.models import Ticket
from tests.support.web import ClientFor, MakeAccount, open_ticket, read_and_search, token_for


def ticket_count(app: Flask) -> int:
    with transaction(app.extensions["sanad"].sessions) as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


def create(client: FlaskClient, **body: object) -> str:
    response = client.post("/api/v1/tickets", json={"subject": "VPN", "body": "Drops", **body})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["reference"])


def test_create_answers_201_with_reference_status_and_url(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    client = client_for(make_account())
    read_and_search(client)
    response = client.post(
        "/api/v1/tickets",
        json={"subject": "VPN drops", "body": "Every hour", "category": "network"},
    )
    assert response.status_code == 201
    assert response.get_json() == {
        "reference": "HD-000001",
        "status": "new",
        "url": "/tickets/HD-000001",
    }
    assert response.headers["Location"].endswith("/api/v1/tickets/HD-000001")
    # In a browser session the trail comes from the session, whatever the body says.
    detail = client.get("/api/v1/tickets/HD-000001").get_json()
    assert [v["id"] for v in detail["trail"]["viewed_articles"]] == [
        "reset-password",
        "vpn-connect",
    ]
    assert [s["query"] for s in detail["trail"]["searches"]] == ["كلمة المرور"]
    assert detail["trail"]["searches"][0]["hits"] >= 1


def test_token_clients_send_their_own_trail(web: Flask, make_account: MakeAccount) -> None:
    requester = make_account()
    client = web.test_client()
    headers = token_for(web, requester)
    response = client.post(
        "/api/v1/tickets",
        headers=headers,
        json={
            "subject": "Password",
            "body": "Reset fails",
            "impact": "team",
            "viewed_articles": ["reset-password"],
            "searches": ["reset password"],
        },
    )
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    detail = client.get("/api/v1/tickets/HD-000001", headers=headers).get_json()
    assert detail["priority"] == "high"
    assert detail["requester"]["email"] == requester.email
    viewed = detail["trail"]["viewed_articles"]
    assert [(v["id"], v["url"] is not None) for v in viewed] == [("reset-password", True)]
    assert detail["trail"]["searches"][0]["query"] == "reset password"
    assert detail["linked_articles"] == []
    assert detail["messages"] == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"body": "no subject"}, 422, "subject"),
        ({"subject": "x"}, 422, "body"),
        ({"subject": " ", "body": "blank subject"}, 422, "subject"),
        ({"subject": 5, "body": "x"}, 422, "subject"),
        ({"subject": "x", "body": "y", "priority": "asap"}, 422, "priority"),
        ({"subject": "x", "body": "y", "category": "../etc"}, 422, "category"),
        (
            {"subject": "x", "body": "y", "viewed_articles": "reset-password"},
            422,
            "viewed_articles",
        ),
        ({"subject": "x", "body": "y", "viewed_articles": ["../../x"]}, 422, "viewed_articles"),
        ({"subject": "x", "body": "y", "searches": [1, 2]}, 422, "searches"),
        ({"subject": "x" * 201, "body": "y"}, 422, "subject"),
    ],
)
def test_create_validation_names_the_field_and_writes_nothing(
    web: Flask, make_account: MakeAccount, body: dict[str, object], status: int, field: str
) -> None:
    client = web.test_client()
    response = client.post("/api/v1/tickets", headers=token_for(web, make_account()), json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert ticket_count(web) == 0


def test_a_body_that_is_not_a_json_object_is_400(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    client = client_for(make_account())
    for kwargs in ({"data": "subject=x"}, {"json": ["x"]}, {"json": "x"}):
        response = client.post("/api/v1/tickets", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 400
        assert response.get_json()["error"]["status"] == 400


def test_visitors_get_401(web: Flask) -> None:
    client = web.test_client()
    assert client.post("/api/v1/tickets", json={"subject": "x", "body": "y"}).status_code == 401
    assert client.get("/api/v1/tickets").status_code == 401
    assert client.get("/api/v1/tickets/HD-000001").status_code == 401
    wrong = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/tickets", headers=wrong).status_code == 401


def test_requesters_list_and_read_only_their_own(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    alice, bob = client_for(make_account()), client_for(make_account())
    mine = create(alice)
    theirs = create(bob)
    listing = alice.get("/api/v1/tickets").get_json()
    assert [t["reference"] for t in listing["tickets"]] == [mine]
    assert listing["total"] == 1
    assert alice.get(f"/api/v1/tickets/{theirs}").status_code == 404
    assert alice.get("/api/v1/tickets/HD-999999").status_code == 404
    reply = alice.post(f"/api/v1/tickets/{theirs}/replies", json={"body": "hi"})
    assert reply.status_code == 404
    assert alice.get("/api/v1/tickets", query_string={"status": "open"}).get_json()["total"] == 0
    bad = alice.get("/api/v1/tickets", query_string={"status": "bogus"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "status"
    assert alice.get("/api/v1/tickets", query_string={"mine": "maybe"}).status_code == 400


def test_requesters_do_not_see_the_agents_tags_in_the_api(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    mine, staff = client_for(requester), client_for(agent)
    reference = open_ticket(mine)
    saved = staff.post(
        f"/agent/tickets/{reference}/update", data={"priority": "normal", "tags": "vip, abusive"}
    )
    assert saved.status_code == 303
    assert staff.get(f"/api/v1/tickets/{reference}").get_json()["tags"] == ["vip", "abusive"]
    assert mine.get(f"/api/v1/tickets/{reference}").get_json()["tags"] == []
    listed = mine.get("/api/v1/tickets").get_json()["tickets"]
    assert [t["tags"] for t in listed] == [[]]


def test_staff_reply_note_escalate_and_resolve(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    mine, staff = client_for(requester), client_for(agent)
    reference = create(mine)
    assert [t["reference"] for t in staff.get("/api/v1/tickets").get_json()["tickets"]] == [
        reference
    ]
    reply = staff.post(f"/api/v1/tickets/{reference}/replies", json={"body": "Restart it"})
    assert reply.status_code == 201
    note = staff.post(
        f"/api/v1/tickets/{reference}/replies", json={"body": "Known bug", "internal": True}
    )
    assert [m["internal"] for m in note.get_json()["messages"]] == [False, True]
    # A requester may reply, but never write an internal note.
    assert (
        mine.post(
            f"/api/v1/tickets/{reference}/replies", json={"body": "x", "internal": True}
        ).status_code
        == 403
    )
    assert [m["body"] for m in mine.get(f"/api/v1/tickets/{reference}").get_json()["messages"]] == [
        "Restart it"
    ]
    bad = staff.post(f"/api/v1/tickets/{reference}/replies", json={"body": "x", "internal": "yes"})
    assert (bad.status_code, bad.get_json()["error"]["field"]) == (422, "internal")

    missing = staff.post(f"/api/v1/tickets/{reference}/escalate", json={})
    assert (missing.status_code, missing.get_json()["error"]["field"]) == (422, "reason")
    escalated = staff.post(f"/api/v1/tickets/{reference}/escalate", json={"reason": "L2 needed"})
    assert escalated.status_code == 200
    assert escalated.get_json()["tier"] == 2
    assert mine.post(f"/api/v1/tickets/{reference}/escalate", json={"reason": "x"}).status_code == (
        403
    )

    empty = staff.post(f"/api/v1/tickets/{reference}/resolve", json={})
    assert (empty.status_code, empty.get_json()["error"]["field"]) == (422, "article_ids")
    unknown = staff.post(
        f"/api/v1/tickets/{reference}/resolve", json={"article_ids": ["vpn-connect", "nope"]}
    )
    assert (unknown.status_code, unknown.get_json()["error"]["field"]) == (422, "article_ids")
    detail = staff.get(f"/api/v1/tickets/{reference}").get_json()
    assert (detail["status"], detail["linked_articles"]) == ("open", [])  # nothing half-written
    resolved = staff.post(
        f"/api/v1/tickets/{reference}/resolve",
        json={"article_ids": ["vpn-connect"], "note": "Client updated"},
    )
    assert resolved.status_code == 200
    assert resolved.get_json()["status"] == "resolved"
    detail = mine.get(f"/api/v1/tickets/{reference}").get_json()
    assert detail["linked_articles"] == [
        {
            "id": "vpn-connect",
            "lang": "en",
            "title": "Connect to the VPN from home",
            "url": "/kb/en/vpn-connect",
        }
    ]
    assert "confirm" in detail["actions"]
    again = staff.post(f"/api/v1/tickets/{reference}/resolve", json={"note": "twice"})
    assert again.status_code == 409


def test_json_posts_with_a_session_cookie_need_the_csrf_header(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    web.config["WTF_CSRF_ENABLED"] = True
    requester = make_account()
    client = client_for(requester)
    body = {"subject": "x", "body": "y"}
    assert client.post("/api/v1/tickets", json=body).status_code == 400
    page = client.get("/tickets/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post("/api/v1/tickets", json=body, headers={"X-CSRFToken": token.group(1)})
    assert response.status_code == 201
    # A bearer token needs no CSRF token: a browser cannot send one cross-site.
    bearer = web.test_client().post("/api/v1/tickets", json=body, headers=token_for(web, requester))
    assert bearer.status_code == 201


def test_api_creation_is_rate_limited(web: Flask, make_account: MakeAccount) -> None:
    from portal.web.limits import enable_limits

    enable_limits(web)
    headers = token_for(web, make_account())
    client = web.test_client()
    codes = [
        client.post(
            "/api/v1/tickets", headers=headers, json={"subject": f"n{i}", "body": "b"}
        ).status_code
        for i in range(11)
    ]
    assert codes == [201] * 10 + [429]
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200


def test_a_replayed_idempotency_key_does_not_use_up_the_rate_limit(
    web: Flask, make_account: MakeAccount
) -> None:
    from portal.web.limits import enable_limits

    enable_limits(web)
    headers = token_for(web, make_account())
    client = web.test_client()
    body = {"subject": "Printer jams", "body": "On every second page."}
    retried = {**headers, "Idempotency-Key": "lost-answer-1"}
    first = client.post("/api/v1/tickets", headers=retried, json=body)
    replays = [client.post("/api/v1/tickets", headers=retried, json=body) for _ in range(5)]
    assert all(r.headers.get("Idempotent-Replayed") == "true" for r in replays)
    assert {r.get_json()["reference"] for r in replays} == {first.get_json()["reference"]}
    # The first request used one of ten; the five replays none: nine new tickets still pass.
    codes = [
        client.post(
            "/api/v1/tickets", headers=headers, json={"subject": f"n{i}", "body": "b"}
        ).status_code
        for i in range(10)
    ]
    assert codes == [201] * 9 + [429]
