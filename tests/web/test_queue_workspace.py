"""The agent queue's workspace over HTTP: sortable headers with aria-sort that keep the
filters, tabs, saving and deleting views (form errors keep the name), bulk actions with their
result message, and the presence API, in English and Arabic."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from sqlalchemy import update

from portal.accounts.teams import create_team
from portal.db import transaction
from portal.tickets.models import Ticket
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def _header(page: str, label: str) -> str:
    found = re.search(r"<th scope=\"col\"[^>]*>\s*<a class=\"sort-link\"[^>]*>" + label, page)
    assert found, label
    return found.group(0)


def _query(header: str) -> dict[str, list[str]]:
    href = re.search(r'href="([^"]+)"', header)
    assert href
    return parse_qs(urlsplit(href.group(1).replace("&amp;", "&")).query)


def test_headers_sort_both_ways_keep_the_filters_and_say_aria_sort(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    mine, staff = client_for(requester), client_for(agent)
    zebra = open_ticket(mine, subject="Zebra printer")
    apple = open_ticket(mine, subject="Apple laptop")
    default = text_of(staff.get("/agent"))
    assert 'aria-sort="ascending"' in _header(default, "Time left")  # breaches first
    assert default.count("aria-sort=") == 1
    by_subject = text_of(staff.get("/agent", query_string={"status": "all", "sort": "subject"}))
    header = _header(by_subject, "Subject")
    assert 'aria-sort="ascending"' in header
    assert _query(header) == {"status": ["all"], "sort": ["subject"], "dir": ["desc"]}
    assert by_subject.index(apple) < by_subject.index(zebra)
    down = text_of(staff.get("/agent", query_string={"sort": "subject", "dir": "desc"}))
    assert 'aria-sort="descending"' in _header(down, "Subject")
    assert down.index(zebra) < down.index(apple)
    # The short form "-column" is descending too.
    short = text_of(staff.get("/agent", query_string={"sort": "-subject"}))
    assert 'aria-sort="descending"' in _header(short, "Subject")
    assert short.index(zebra) < short.index(apple)
    # Another column's first click: most urgent first; the filters stay.
    assert _query(_header(by_subject, "Priority"))["dir"] == ["desc"]
    assert _query(_header(by_subject, "Priority"))["status"] == ["all"]
    # Unknown sorts fall back to breaches first, never an error.
    odd = staff.get("/agent", query_string={"sort": "password", "dir": "sideways"})
    assert odd.status_code == 200
    assert 'aria-sort="ascending"' in _header(text_of(odd), "Time left")


def test_tabs_show_mine_unassigned_and_my_team(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    mine, staff = client_for(requester), client_for(agent)
    taken = open_ticket(mine, subject="Taken")
    waiting = open_ticket(mine, subject="Waiting")
    staff.post(f"/agent/tickets/{taken}/claim")
    mine_tab = text_of(staff.get("/agent?tab=mine"))
    assert taken in mine_tab
    assert waiting not in mine_tab
    assert re.search(r'href="/agent\?tab=mine" aria-current="page">Mine<', mine_tab)
    unassigned = text_of(staff.get("/agent?tab=unassigned"))
    assert waiting in unassigned
    assert taken not in unassigned
    by_id = text_of(staff.get(f"/agent?assignee={agent.id}"))
    assert taken in by_id
    assert waiting not in by_id
    team = text_of(staff.get("/agent?tab=team"))
    assert taken in team
    assert waiting in team


def test_saving_using_and_deleting_a_view(client_for: ClientFor, make_account: MakeAccount) -> None:
    requester, agent, other = make_account(), make_account("agent"), make_account("agent")
    mine, staff = client_for(requester), client_for(agent)
    printer = open_ticket(mine, subject="Printer jam")
    vpn = open_ticket(mine, subject="VPN drops")
    saved = staff.post(
        "/agent/views",
        data={"name": "طابعات", "params": "q=printer&sort=subject&dir=desc&evil=1"},
    )
    assert saved.status_code == 303
    assert parse_qs(urlsplit(saved.headers["Location"]).query) == {
        "q": ["printer"],
        "sort": ["subject"],
        "dir": ["desc"],
    }
    page = text_of(staff.get(saved.headers["Location"]))
    assert "The view “طابعات” was saved." in page
    assert re.search(r'<a href="[^"]+" dir="auto" aria-current="page">طابعات</a>', page)
    assert printer in page
    assert vpn not in page
    # The same name again, or an over-long one: a form error that keeps what was typed.
    again = staff.post("/agent/views", data={"name": "طابعات", "params": "q=vpn"})
    assert again.status_code == 400
    body = text_of(again)
    assert "You already have a view with this name: choose another name." in body
    assert 'value="طابعات" aria-invalid="true"' in body
    assert vpn in body  # the page shows the filters that were being saved
    long_name = "ش" * 81
    too_long = staff.post("/agent/views", data={"name": long_name, "params": ""})
    assert too_long.status_code == 400
    assert f'value="{long_name}" aria-invalid="true"' in text_of(too_long)
    assert "This text is too long." in text_of(too_long)
    assert staff.post("/agent/views", data={"name": "", "params": ""}).status_code == 400
    # Only its owner sees or deletes it.
    view_id = re.search(r'action="/agent/views/(\d+)/delete"', page)
    assert view_id
    assert "طابعات" not in text_of(client_for(other).get("/agent"))
    assert client_for(other).post(f"/agent/views/{view_id.group(1)}/delete").status_code == 404
    deleted = staff.post(f"/agent/views/{view_id.group(1)}/delete", follow_redirects=True)
    assert "The view “طابعات” was deleted." in text_of(deleted)
    assert 'action="/agent/views/' not in text_of(deleted)


def test_bulk_assign_and_resolve_report_what_changed_and_why_not(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    colleague = make_account("agent", name="Khalid")
    mine, staff = client_for(requester), client_for(agent)
    first, second, late = (open_ticket(mine, subject=s) for s in ("One", "Two", "Late"))
    page = text_of(staff.get("/agent"))
    assert f'name="references" value="{first}" form="bulk-form"' in page
    assert f'<option value="{colleague.id}" dir="auto">Khalid</option>' in page
    assigned = staff.post(
        "/agent/bulk",
        data={
            "references": [first, second, "HD-999999"],
            "action": "assign",
            "assignee_id": str(colleague.id),
            "back": "tab=unassigned",
        },
    )
    assert assigned.status_code == 303
    assert assigned.headers["Location"].endswith("/agent?tab=unassigned")
    shown = text_of(staff.get(assigned.headers["Location"]))
    assert f"2 tickets were changed. {first}, {second}" in shown
    assert "HD-999999 was not changed: there is no such ticket in your queue" in shown
    assert f'value="{first}" form="bulk-form"' not in shown  # no longer unassigned
    assert f'value="{late}" form="bulk-form"' in shown
    # To another team's queue: the ticket leaves this agent's queue.
    admin = make_account("admin")
    with transaction(web.extensions["sanad"].sessions) as session:
        create_team(session, admin, key="network", name_ar="الشبكات", name_en="Network")
    page = text_of(staff.get("/agent"))
    assert '<option value="team:network" dir="auto">Network</option>' in page
    moved = staff.post(
        "/agent/bulk",
        data={"references": [second], "action": "assign", "assignee_id": "team:network"},
        follow_redirects=True,
    )
    assert f"1 ticket was changed. {second}" in text_of(moved)
    assert staff.get(f"/agent/tickets/{second}").status_code == 404
    history = text_of(client_for(admin).get(f"/agent/tickets/{second}"))
    assert re.search(r"moved the ticket from <bdi[^>]*>Support team</bdi> to <bdi", history)
    bad = staff.post(
        "/agent/bulk",
        data={"references": [first], "action": "assign", "assignee_id": "Khalid"},
        follow_redirects=True,
    )
    assert "Not saved: Choose an active agent of the ticket&#39;s team." in text_of(bad)
    # A ticket that missed its service level needs its own root cause: refused, named.
    with transaction(web.extensions["sanad"].sessions) as session:
        session.execute(
            update(Ticket)
            .where(Ticket.reference == late)
            .values(first_response_due=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        )
    resolved = staff.post(
        "/agent/bulk",
        data={"references": [first, late], "action": "resolve", "note": "Gateway restarted."},
        follow_redirects=True,
    )
    text = text_of(resolved)
    assert f"1 ticket was changed. {first}" in text
    assert (
        f"{late} was not changed: This ticket missed its service level: describe the root "
        "cause to resolve it." in text
    )
    assert "Resolved" in text_of(staff.get(f"/agent/tickets/{first}"))
    # A resolved ticket can no longer be assigned: its own rule, named in the message.
    again = staff.post(
        "/agent/bulk",
        data={"references": [first], "action": "assign", "assignee_id": str(colleague.id)},
        follow_redirects=True,
    )
    assert f"{first} was not changed: its status does not allow this now" in text_of(again)
    assert "No ticket was changed." in text_of(again)
    no_note = staff.post(
        "/agent/bulk", data={"references": [second], "action": "resolve"}, follow_redirects=True
    )
    assert "Write a resolution note for the ticked tickets." in text_of(no_note)
    nothing = staff.post("/agent/bulk", data={"action": "assign"}, follow_redirects=True)
    assert "Tick at least one ticket." in text_of(nothing)
    odd = staff.post(
        "/agent/bulk", data={"references": [second], "action": "delete"}, follow_redirects=True
    )
    assert "Not saved:" in text_of(odd)


def test_presence_tells_other_agents_in_their_language(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = make_account()
    khalid, adel = make_account("agent", name="خالد"), make_account("agent", name="Adel")
    reference = open_ticket(client_for(requester))
    page = text_of(client_for(adel).get(f"/agent/tickets/{reference}"))
    assert f'data-presence-url="/api/v1/tickets/{reference}/presence"' in page
    assert client_for(khalid).post(f"/api/v1/tickets/{reference}/presence", json={}).json == {
        "replying": [],
        "message": "",
        "ttl_seconds": 60,
    }
    english = client_for(adel).get(f"/api/v1/tickets/{reference}/presence").json
    assert english["replying"] == [{"id": khalid.id, "name": "خالد"}]
    assert english["message"] == "خالد is replying to this ticket"
    arabic_client = client_for(adel)
    arabic_client.set_cookie("sanad_locale", "ar")
    arabic = arabic_client.get(f"/api/v1/tickets/{reference}/presence").json
    assert arabic["message"] == "خالد يكتب رداً على هذه التذكرة الآن"
    client_for(adel).post(f"/api/v1/tickets/{reference}/presence", json={"replying": True})
    both = client_for(make_account("agent")).get(f"/api/v1/tickets/{reference}/presence").json
    assert both["message"] == "Adel, خالد are replying to this ticket"
    stop = client_for(khalid).post(
        f"/api/v1/tickets/{reference}/presence", json={"replying": False}
    )
    assert stop.json["replying"] == [{"id": adel.id, "name": "Adel"}]
    assert client_for(adel).get(f"/api/v1/tickets/{reference}/presence").json["replying"] == []
    bad = client_for(adel).post(f"/api/v1/tickets/{reference}/presence", json={"replying": "y"})
    assert bad.status_code == 400
    listed = client_for(adel).post(f"/api/v1/tickets/{reference}/presence", json=[1])
    assert listed.status_code == 400
    assert client_for(requester).get(f"/api/v1/tickets/{reference}/presence").status_code == 403
