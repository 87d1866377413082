"""GET /api/v1/canned-responses and the /agent/canned page: staff only, searched, paginated."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.services import create_user
from portal.db import transaction
from tests.support.accounts import CHEAP, PASSWORD
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

API = "/api/v1/canned-responses"


def _save(client: FlaskClient, title: str, body: str, lang: str) -> None:
    response = client.post("/agent/canned", data={"title": title, "body": body, "lang": lang})
    assert response.status_code == 303


def test_only_staff_read_canned_responses(client_for: ClientFor, make_account: MakeAccount) -> None:
    staff = client_for(make_account("agent"))
    _save(staff, "Restart", "Please restart the VPN client.", "en")
    requester = client_for(make_account())
    refused = requester.get(API)
    assert refused.status_code == 403
    assert "restart" not in refused.get_data(as_text=True).lower()
    assert client_for(None).get(API).status_code == 401
    answer = staff.get(API)
    assert answer.status_code == 200
    assert answer.get_json() == {
        "items": [
            {
                "id": answer.get_json()["items"][0]["id"],
                "title": "Restart",
                "body": "Please restart the VPN client.",
                "lang": "en",
            }
        ],
        "page": 1,
        "pages": 1,
        "total": 1,
    }


def test_arabic_search_ignores_hamza_and_tashkeel(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = client_for(make_account("agent"))
    _save(staff, "ترحيب", "أهلاً بك، سنساعدك في إعادة ضبط كلمة المرور.", "ar")
    _save(staff, "Restart", "Please restart the VPN client.", "en")
    found = staff.get(API, query_string={"q": "اهلا اعادة"}).get_json()
    assert [item["title"] for item in found["items"]] == ["ترحيب"]
    assert staff.get(API, query_string={"q": "RESTART"}).get_json()["items"][0]["lang"] == "en"
    assert staff.get(API, query_string={"q": "غير موجود"}).get_json()["items"] == []


def test_ticket_language_first_then_the_rest(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = client_for(make_account("agent"))
    _save(staff, "A English", "Hello.", "en")
    _save(staff, "ترحيب", "مرحبا.", "ar")
    titles = [i["title"] for i in staff.get(API, query_string={"lang": "ar"}).get_json()["items"]]
    assert titles == ["ترحيب", "A English"]
    titles = [i["title"] for i in staff.get(API, query_string={"lang": "en"}).get_json()["items"]]
    assert titles == ["A English", "ترحيب"]


def test_pages_of_twenty_and_bad_parameters(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = client_for(make_account("agent"))
    for number in range(45):
        _save(staff, f"Reply {number:02d}", f"Text {number}.", "en")
    first = staff.get(API).get_json()
    assert (len(first["items"]), first["page"], first["pages"], first["total"]) == (20, 1, 3, 45)
    third = staff.get(API, query_string={"page": "3"}).get_json()
    assert [i["title"] for i in third["items"]] == [f"Reply {n}" for n in range(40, 45)]
    for bad in ({"page": "0"}, {"page": "x"}, {"page": "9" * 30}, {"lang": "fr"}, {"q": "x" * 201}):
        refused = staff.get(API, query_string=bad)
        assert refused.status_code in (400, 422), bad
        assert refused.is_json
    page = text_of(staff.get("/agent/canned", query_string={"page": "3"}))
    assert "Reply 44" in page
    assert "Reply 00" not in page
    assert re.search(r'href="/agent/canned\?page=2"', page)
    assert "45 canned responses" in page
    searched = text_of(staff.get("/agent/canned", query_string={"q": "Text 7."}))
    assert "Reply 07" in searched
    assert "Reply 08" not in searched


def test_for_a_ticket_the_placeholders_are_filled_and_its_language_comes_first(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = make_account(name="Khalid Nasser")
    agent = make_account("agent", name="Sara Ali")
    staff = client_for(agent)
    _save(staff, "Greeting", "Hello {requester_name}, about {reference}: {agent_name}", "en")
    _save(staff, "ترحيب", "مرحبًا {اسم_مقدم_الطلب} ({رقم_التذكرة}) {unknown}", "ar")
    reference = open_ticket(client_for(requester))  # an English ticket
    found = staff.get(API, query_string={"ticket": reference}).get_json()
    assert [(i["title"], i["body"]) for i in found["items"]] == [
        ("Greeting", f"Hello Khalid Nasser, about {reference}: Sara Ali"),
        ("ترحيب", f"مرحبًا Khalid Nasser ({reference}) {{unknown}}"),
    ]
    searched = staff.get(API, query_string={"ticket": reference.lower(), "q": "مرحبا"})
    assert [i["title"] for i in searched.get_json()["items"]] == ["ترحيب"]
    # Without a ticket the text is as saved, for the management of the replies.
    raw = staff.get(API, query_string={"q": "Greeting"}).get_json()["items"][0]["body"]
    assert raw == "Hello {requester_name}, about {reference}: {agent_name}"


def test_names_are_filled_only_for_staff_who_may_work_the_ticket(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = make_account(name="Khalid Nasser")
    staff = client_for(make_account("agent"))
    _save(staff, "Greeting", "Hello {requester_name}", "en")
    reference = open_ticket(client_for(requester))
    with transaction(web.extensions["sanad"].sessions) as session:
        other_team = create_user(
            session,
            CHEAP,
            email="billing-agent@example.com",
            name="Billing Agent",
            password=PASSWORD,
            roles=("agent",),
            lang="en",
            tier=1,
            teams=("billing",),
            now=dt.datetime.now(dt.UTC),
        )
    stranger = client_for(other_team)
    hidden = stranger.get(API, query_string={"ticket": reference})
    assert hidden.status_code == 404  # as for a ticket that does not exist
    assert "Khalid" not in text_of(hidden)
    assert stranger.get(API, query_string={"ticket": "HD-999999"}).status_code == 404
    owner = client_for(requester).get(API, query_string={"ticket": reference})
    assert owner.status_code == 403
    assert "Khalid" not in text_of(owner)
    assert client_for(None).get(API, query_string={"ticket": reference}).status_code == 401
    for odd in ("\x00", "HD-" + "9" * 5_000, "' OR 1=1 --", "هد-١٢٣"):
        assert staff.get(API, query_string={"ticket": odd}).status_code == 404, odd


def test_a_reference_with_a_nul_is_a_404_on_every_ticket_page(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    # PostgreSQL refuses NUL in text: before the fix each of these was a 500 there.
    requester, agent = client_for(make_account()), client_for(make_account("agent"))
    assert requester.get("/tickets/HD-%00").status_code == 404
    assert agent.get("/agent/tickets/HD-%00").status_code == 404
    assert requester.get("/api/v1/tickets/HD-%00").status_code == 404
