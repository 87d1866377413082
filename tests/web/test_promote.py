"""Promote to article: the confirmation page, the action, the API and "resolved by"."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.db import transaction
from portal.kb.tables import Draft
from portal.kb.workflow import get_draft
from portal.tickets.conversation import add_reply
from portal.tickets.intake import open_ticket
from portal.tickets.models import Ticket, TicketHistory, TicketPromotion
from portal.tickets.resolution import resolve_ticket
from portal.tickets.values import TicketDraft
from tests.support.accounts import CHEAP
from tests.support.web import ClientFor, MakeAccount, text_of

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
REQUESTER_NAME = "Fatimah Al-Zahrani"
SECRETS = ("Fatimah", "Zahrani", "0551234567", "fatimah.z@example.org", "VIP-SECRET")


def requester_of(web: Flask) -> UserInfo:
    with transaction(web.extensions["sanad"].sessions) as session:
        user: UserInfo = create_user(
            session,
            CHEAP,
            email="fatimah.z@example.org",
            name=REQUESTER_NAME,
            password="correct-Horse-battery-9",
            roles=("requester",),
            lang="en",
            now=NOW,
        )
    return user


def other_team_agent(web: Flask) -> UserInfo:
    with transaction(web.extensions["sanad"].sessions) as session:
        user: UserInfo = create_user(
            session,
            CHEAP,
            email="network-agent@example.com",
            name="Network Agent",
            password="correct-Horse-battery-9",
            roles=("agent",),
            lang="en",
            tier=1,
            teams=("network",),
            now=NOW,
        )
    return user


def a_ticket(web: Flask, requester: UserInfo, agent: UserInfo, *, resolve: bool = True) -> str:
    """A ticket about a forgotten password, answered and (by default) resolved."""
    wired = web.extensions["sanad"]
    with transaction(wired.sessions) as session:
        opened = open_ticket(
            session,
            wired.settings.tickets,
            requester=requester,
            draft=TicketDraft(
                subject="Forgot my password, Fatimah here",
                body="I forgot my password and cannot reset it. Call me on 0551234567.",
                lang="en",
            ),
            now=NOW,
        )
        reference = opened.ticket.reference
        add_reply(
            session,
            wired.settings.tickets,
            agent,
            reference,
            body="Open the account page and choose Forgot password, Fatimah.",
            internal=False,
            now=NOW,
        )
        add_reply(
            session,
            wired.settings.tickets,
            agent,
            reference,
            body="VIP-SECRET: her manager asked us to hurry",
            internal=True,
            now=NOW,
        )
        if resolve:
            resolve_ticket(
                session,
                wired.settings.tickets,
                agent,
                reference,
                note=f"Reset link sent to fatimah.z@example.org ({reference}).",
                now=NOW,
            )
    return reference


@pytest.fixture
def people(web: Flask, make_account: MakeAccount) -> dict[str, UserInfo]:
    return {
        "requester": requester_of(web),
        "agent": make_account("agent"),
        "manager": make_account("knowledge_manager"),
        "other_agent": other_team_agent(web),
        "author": make_account("author"),
    }


def test_agent_ticket_page_offers_promote_only_once_resolved(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    open_one = a_ticket(web, people["requester"], people["agent"], resolve=False)
    resolved = a_ticket(web, people["requester"], people["agent"])
    agent = client_for(people["agent"])
    assert "Promote to article" not in text_of(agent.get(f"/agent/tickets/{open_one}"))
    page = text_of(agent.get(f"/agent/tickets/{resolved}"))
    assert f'href="/agent/tickets/{resolved}/promote"' in page


def test_promote_page_shows_similar_articles_and_the_scrubbed_draft(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    response = client_for(people["agent"]).get(f"/agent/tickets/{reference}/promote")
    page = text_of(response)
    assert response.status_code == 200
    assert 'href="/kb/en/reset-password"' in page  # the article it may duplicate
    assert "## Symptoms" in page
    assert "## Steps" in page
    assert "choose Forgot password" in page
    for secret in SECRETS:
        assert secret not in page.split("What will be created", 1)[1]
    assert 'action="/agent/tickets/' in page


def test_promote_page_of_an_unresolved_ticket_has_no_create_button(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"], resolve=False)
    page = text_of(client_for(people["agent"]).get(f"/agent/tickets/{reference}/promote"))
    assert "Only a resolved or closed ticket can become an article." in page
    assert "Create the draft article" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("requester", 403), ("author", 403), ("other_agent", 404), (None, 303)],
)
def test_promote_page_access(
    web: Flask,
    people: dict[str, UserInfo],
    client_for: ClientFor,
    who: str | None,
    status: int,
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    client = client_for(people[who] if who else None)
    assert client.get(f"/agent/tickets/{reference}/promote").status_code == status
    assert client.post(f"/agent/tickets/{reference}/promote").status_code == status
    assert client_for(people["agent"]).get("/agent/tickets/HD-999999/promote").status_code == 404


def _promotions(web: Flask) -> list[TicketPromotion]:
    with transaction(web.extensions["sanad"].sessions) as session:
        return list(session.scalars(select(TicketPromotion)))


def test_promoting_creates_a_scrubbed_draft_and_records_it(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    response = client_for(people["agent"]).post(f"/agent/tickets/{reference}/promote")
    assert response.status_code == 303
    [promotion] = _promotions(web)
    assert promotion.published_at is None
    wired = web.extensions["sanad"]
    with transaction(wired.sessions) as session:
        draft = get_draft(session, wired.repository, promotion.draft_id)
        history = session.scalars(
            select(TicketHistory)
            .join(Ticket, Ticket.id == TicketHistory.ticket_id)
            .where(Ticket.reference == reference, TicketHistory.action == "promoted")
        ).all()
    assert draft.source_tickets == (reference,)
    assert draft.lang == "en"
    assert "choose Forgot password" in draft.markdown
    for secret in (*SECRETS, reference):
        assert secret not in draft.markdown
        assert secret not in draft.title
    assert [h.new_value for h in history] == [draft.id]
    # A second promotion while that draft is open is refused, and nothing is created.
    again = client_for(people["manager"]).post(f"/agent/tickets/{reference}/promote")
    assert again.status_code == 303
    assert len(_promotions(web)) == 1


def test_api_promote(web: Flask, people: dict[str, UserInfo], client_for: ClientFor) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    response = client_for(people["manager"]).post(f"/api/v1/tickets/{reference}/promote")
    assert response.status_code == 201, text_of(response)
    body = response.get_json()
    assert set(body) == {"draft_id", "url", "similar"}
    assert body["draft_id"] == _promotions(web)[0].draft_id
    assert body["draft_id"] in body["url"] or reference in body["url"]
    assert {"id": "reset-password", "lang": "en"}.items() <= body["similar"][0].items()
    assert body["similar"][0]["url"] == "/kb/en/reset-password"
    conflict = client_for(people["agent"]).post(f"/api/v1/tickets/{reference}/promote")
    assert conflict.status_code == 409
    assert conflict.get_json()["error"]["draft_id"] == body["draft_id"]


def test_api_promote_refusals(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    unresolved = a_ticket(web, people["requester"], people["agent"], resolve=False)
    url = f"/api/v1/tickets/{reference}/promote"
    agent = client_for(people["agent"])
    assert agent.post(f"/api/v1/tickets/{unresolved}/promote").status_code == 409
    assert client_for(people["requester"]).post(url).status_code == 403
    assert client_for(people["author"]).post(url).status_code == 403
    assert client_for(people["other_agent"]).post(url).status_code == 404
    assert agent.post("/api/v1/tickets/HD-999999/promote").status_code == 404
    assert client_for(None).post(url).status_code == 401
    assert _promotions(web) == []


def test_published_promotion_shows_resolved_by_and_the_articles_count(
    web: Flask, people: dict[str, UserInfo], client_for: ClientFor
) -> None:
    reference = a_ticket(web, people["requester"], people["agent"])
    wired = web.extensions["sanad"]
    article = client_for(None).get("/kb/en/reset-password")
    assert "Resolved 1 ticket" not in text_of(article)
    # The rows as publishing leaves them (portal.editorial.publishing, tested end to end in
    # tests/e2e/test_promote_story.py): the draft approved, the promotion stamped.
    with transaction(wired.sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        session.add(
            Draft(
                id="d1",
                article_id="reset-password",
                lang="en",
                path="accounts/reset-password.en.md",
                title="Reset your password",
                status="published",
                author_name="Agent",
                author_email="agent@example.com",
                head="0" * 40,
            )
        )
        session.flush()
        session.add(
            TicketPromotion(
                ticket_id=ticket.id,
                draft_id="d1",
                article_id="reset-password",
                lang="en",
                created_at=NOW,
                published_at=NOW,
            )
        )
    for who, url in (
        ("agent", f"/agent/tickets/{reference}"),
        ("requester", f"/tickets/{reference}"),
    ):
        page = text_of(client_for(people[who]).get(url))
        assert "Resolved by article" in page
        assert '<a href="/kb/en/reset-password">Reset your password</a>' in page
    assert "Resolved 1 ticket" in text_of(client_for(None).get("/kb/en/reset-password"))
