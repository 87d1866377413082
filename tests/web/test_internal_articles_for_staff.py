"""Internal articles: agents, knowledge managers and admins find and read them, through the
pages and through the API with a token alike; visitors and requesters never do.

The sample knowledge base holds "Internal password runbook" (audience: internal).
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.services import create_api_token
from portal.db import transaction
from tests.support.web import ClientFor, MakeAccount

RUNBOOK = "Internal password runbook"


def _bearer(web: Flask, email: str) -> dict[str, str]:
    with transaction(web.extensions["sanad"].sessions) as session:
        token = create_api_token(session, email=email, now=dt.datetime.now(dt.UTC))
    return {"Authorization": f"Bearer {token}"}


def _api_titles(client: FlaskClient, headers: dict[str, str], path: str) -> list[str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    hits = body["hits"] if isinstance(body, dict) else body
    return [hit["title"] for hit in hits]


@pytest.mark.parametrize(
    ("roles", "sees"),
    [
        (None, False),
        (("requester",), False),
        (("author",), False),
        (("agent",), True),
        (("knowledge_manager",), True),
        (("admin",), True),
    ],
)
def test_internal_articles_follow_the_role_on_pages_and_api(
    web: Flask,
    make_account: MakeAccount,
    client_for: ClientFor,
    roles: tuple[str, ...] | None,
    sees: bool,
) -> None:
    account = make_account(*roles) if roles else None
    page = client_for(account)
    html = page.get("/search?q=password+runbook").get_data(as_text=True)
    assert (RUNBOOK in html) is sees

    api = web.test_client()
    headers = _bearer(web, account.email) if account else {}
    found = _api_titles(api, headers, "/api/v1/search?q=password+runbook")
    assert (RUNBOOK in found) is sees
    # The same answer through the API as on the page, and the cached answer of one role is
    # never served to another (a visitor asks right after).
    assert RUNBOOK not in _api_titles(api, {}, "/api/v1/search?q=password+runbook")

    article = page.get("/kb/en/admin-runbook")
    assert article.status_code == (200 if sees else 404)
    via_token = api.get("/api/v1/articles/admin-runbook?lang=en", headers=headers)
    assert via_token.status_code == (200 if sees else 404)
    suggested = _api_titles(api, headers, "/api/v1/suggest?q=internal+password+runbook")
    assert (RUNBOOK in suggested) is sees


def test_drafts_stay_out_of_staff_search(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    agent = make_account("agent")
    found = _api_titles(web.test_client(), _bearer(web, agent.email), "/api/v1/search?q=policy")
    assert "Draft password policy" not in found
    assert "Draft password policy" not in client_for(agent).get("/search?q=policy").get_data(
        as_text=True
    )
