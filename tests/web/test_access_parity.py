"""Two front doors, one answer: for every action that both a page and the API offer, each role
gets the same yes or no from both.

The access matrix (test_access_matrix.py) pins each route's status code. This test asks a
different question, on real requests too: did the action happen? Every trial starts from a
fresh draft or ticket, sends a request that would succeed for someone allowed, and then looks
at what changed (through the API, as an administrator or knowledge manager). Pages answer a
refused button with a flashed message and a redirect, the API with 403 or 404; what took
effect is the same yes or no in both cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.accounts.models import UserInfo
from portal.tickets.models import TicketPromotion
from tests.support.web import ClientFor, MakeAccount, open_ticket

pytestmark = pytest.mark.slow

# The draft's author and the ticket's requester are the first of two people in their role.
ACTORS = (
    "anonymous",
    "requester",
    "other_requester",
    "agent",
    "knowledge_manager",
    "trainer",
    "admin",
    "author",
    "other_author",
)
ROLE_OF = {"other_requester": "requester", "other_author": "author"}
DRAFT_ACTIONS = ("view", "save", "submit", "approve", "request_changes")
TICKET_ACTIONS = ("view", "reply", "escalate", "resolve", "promote")


@dataclass
class Portal:
    """The site, a signed-in browser per actor, and the two witnesses who read the outcome."""

    app: Flask
    clients: dict[str, FlaskClient]
    numbers: itertools.count[int]

    def url(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    # --- drafts ----------------------------------------------------------------------------

    def new_draft(self, *, submitted: bool) -> dict[str, Any]:
        """A new article's draft by ``author``, sent for review when ``submitted``."""
        author = self.clients["author"]
        number = next(self.numbers)
        created = author.post(
            "/api/v1/drafts",
            json={
                "lang": "en",
                "title": f"Parity check {number}",
                "category": "accounts",
                "markdown": "The first text.",
            },
        )
        assert created.status_code == 201, created.get_json()
        draft: dict[str, Any] = created.get_json()
        if submitted:
            sent = author.post(f"/api/v1/drafts/{draft['id']}/submit")
            assert sent.status_code == 200, sent.get_json()
        return draft

    def draft_now(self, draft_id: str) -> dict[str, Any]:
        answer = self.clients["knowledge_manager"].get(f"/api/v1/drafts/{draft_id}")
        assert answer.status_code == 200
        found: dict[str, Any] = answer.get_json()
        return found

    # --- tickets ---------------------------------------------------------------------------

    def new_ticket(self, *, resolved: bool) -> str:
        """A ticket of ``requester``, resolved by the administrator when ``resolved``."""
        reference = open_ticket(self.clients["requester"], "Printer jams on every page")
        if resolved:
            done = self.clients["admin"].post(
                f"/api/v1/tickets/{reference}/resolve", json={"note": "Cleaned the rollers."}
            )
            assert done.status_code == 200, done.get_json()
        return reference

    def ticket_now(self, reference: str) -> dict[str, Any]:
        answer = self.clients["admin"].get(f"/api/v1/tickets/{reference}")
        assert answer.status_code == 200
        found: dict[str, Any] = answer.get_json()
        return found

    def promotions(self) -> int:
        with self.app.extensions["sanad"].sessions() as session:
            return int(session.scalar(select(func.count(TicketPromotion.id))) or 0)


@pytest.fixture
def portal(web: Flask, make_account: MakeAccount, client_for: ClientFor) -> Portal:
    users: dict[str, UserInfo | None] = {"anonymous": None}
    for actor in ACTORS[1:]:
        users[actor] = make_account(ROLE_OF.get(actor, actor))
    return Portal(
        web, {actor: client_for(user) for actor, user in users.items()}, itertools.count(1)
    )


def page_shown(response: Any) -> bool:
    """A page answered with itself (after redirects), not with the log-in form or an error."""
    return bool(response.status_code == 200 and not response.request.path.startswith("/auth/"))


# --- one trial per action, door and actor: True when the action happened ------------------


def draft_trial(portal: Portal, action: str, door: str, actor: str) -> bool:
    draft = portal.new_draft(submitted=action in ("approve", "request_changes"))
    client, draft_id = portal.clients[actor], draft["id"]
    page = portal.url("review.draft", draft_id=draft_id)
    api = f"/api/v1/drafts/{draft_id}"
    if action == "view":
        if door == "page":
            return page_shown(client.get(page, follow_redirects=True))
        answer = client.get(api)
        return bool(answer.status_code == 200 and answer.get_json().get("id") == draft_id)
    if action == "save":
        text = f"Changed by {actor} through the {door}."
        if door == "page":
            form = {
                "article_id": "" if draft["is_new"] else draft["article_id"],
                "base": draft["base"],
                "title": draft["title"],
                "lang": "en",
                "kind": "article",
                "category": "accounts",
                "audience": "public",
                "markdown": text,
            }
            client.post(page, data=form)
        else:
            client.put(api, json={"base": draft["base"], "markdown": text})
        return bool(portal.draft_now(draft_id)["markdown"] == text)
    if action == "request_changes":
        comment = {"comment": "Please add the steps."}
        if door == "page":
            client.post(portal.url("review.request_changes", draft_id=draft_id), data=comment)
        else:
            client.post(f"{api}/request-changes", json=comment)
        return bool(portal.draft_now(draft_id)["status"] == "draft")
    endpoint = {"submit": "review.submit", "approve": "review.approve"}[action]
    if door == "page":
        client.post(portal.url(endpoint, draft_id=draft_id), data={})
    else:
        client.post(f"{api}/{action}", json={})
    wanted = {"submit": "review", "approve": "published"}[action]
    return bool(portal.draft_now(draft_id)["status"] == wanted)


def ticket_trial(portal: Portal, action: str, door: str, actor: str) -> bool:
    reference = portal.new_ticket(resolved=action == "promote")
    client = portal.clients[actor]
    api = f"/api/v1/tickets/{reference}"
    if action == "view":
        if door == "page":
            page = portal.url("tickets.detail", reference=reference)
            return page_shown(client.get(page, follow_redirects=True))
        answer = client.get(api)
        return bool(answer.status_code == 200 and answer.get_json().get("reference") == reference)
    if action == "reply":
        before = len(portal.ticket_now(reference)["messages"])
        body = f"A reply from {actor}."
        if door == "page":
            # Requesters answer on the ticket page, staff on the agent page: either counts.
            for endpoint in ("tickets.reply", "agent.reply"):
                client.post(portal.url(endpoint, reference=reference), data={"body": body})
                if len(portal.ticket_now(reference)["messages"]) > before:
                    break
        else:
            client.post(f"{api}/replies", json={"body": body})
        return len(portal.ticket_now(reference)["messages"]) > before
    if action == "escalate":
        reason = {"reason": "Needs the network team."}
        if door == "page":
            client.post(portal.url("agent.escalate", reference=reference), data=reason)
        else:
            client.post(f"{api}/escalate", json=reason)
        return bool(portal.ticket_now(reference)["tier"] == 2)
    if action == "resolve":
        note = {"note": "Restarted the print spooler."}
        if door == "page":
            client.post(portal.url("agent.resolve", reference=reference), data=note)
        else:
            client.post(f"{api}/resolve", json=note)
        return bool(portal.ticket_now(reference)["status"] == "resolved")
    before = portal.promotions()
    if door == "page":
        client.post(portal.url("agent.promote", reference=reference), data={})
    else:
        client.post(f"{api}/promote", json={})
    return portal.promotions() > before


def feedback_trial(portal: Portal, door: str, actor: str) -> bool:
    client = portal.clients[actor]
    if door == "page":
        page = portal.url("feedback.vote", lang="en", article_id="vpn-connect")
        answer = client.post(page, data={"helpful": "yes"})
        location = answer.headers.get("Location", "")
        return bool(answer.status_code in (200, 303) and "/auth/" not in location)
    answer = client.post("/api/v1/articles/vpn-connect/feedback?lang=en", json={"helpful": True})
    return bool(answer.status_code == 200)


Trial = Callable[[str, str], bool]


def trials(portal: Portal) -> dict[str, Trial]:
    found: dict[str, Trial] = {}
    for action in DRAFT_ACTIONS:
        found[f"draft {action}"] = lambda door, actor, a=action: draft_trial(portal, a, door, actor)
    for action in TICKET_ACTIONS:
        found[f"ticket {action}"] = lambda door, actor, a=action: ticket_trial(
            portal, a, door, actor
        )
    found["article feedback"] = lambda door, actor: feedback_trial(portal, door, actor)
    return found


def test_page_and_api_give_every_role_the_same_yes_or_no(portal: Portal) -> None:
    differ = []
    allowed = {}
    for name, trial in trials(portal).items():
        for actor in ACTORS:
            page, api = trial("page", actor), trial("api", actor)
            allowed[name, actor] = page
            if page != api:
                differ.append(
                    f"{name} as {actor}: page says {'yes' if page else 'no'}, "
                    f"API says {'yes' if api else 'no'}"
                )
    assert not differ, "\n".join(differ)
    # A check that cannot fail proves nothing: each action is open to someone and closed to
    # someone, and the people it is meant for are among those let in.
    for name in trials(portal):
        answers = {allowed[name, actor] for actor in ACTORS}
        assert answers == {True, False} or name == "article feedback", (name, answers)
    assert allowed["draft save", "author"]
    assert not allowed["draft save", "other_author"]
    assert allowed["draft approve", "knowledge_manager"]
    assert not allowed["draft approve", "author"]
    assert allowed["ticket view", "requester"]
    assert not allowed["ticket view", "other_requester"]
    assert allowed["ticket resolve", "agent"]
    assert not allowed["ticket resolve", "requester"]
    assert allowed["ticket escalate", "agent"]
    assert not allowed["ticket escalate", "requester"]
