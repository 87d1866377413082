"""The draft API as a client uses it: start, save (with conflicts), submit, review, publish,
and read an article's history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.db import transaction
from portal.kb import workflow
from portal.tickets.models import Ticket, TicketArticle, TicketPromotion
from tests.support.articles import git
from tests.support.web import ClientFor, MakeAccount, open_ticket

PATH = "accounts/reset-password.en.md"


def base_of(site: Flask) -> str:
    version = workflow.published_version(site.extensions["sanad"].repository, PATH)
    assert version is not None
    return version


def start(client: FlaskClient, site: Flask, **changes: Any) -> dict[str, Any]:
    body = {
        "article_id": "reset-password",
        "base": base_of(site),
        "lang": "en",
        "title": "Reset your password",
        "category": "accounts",
        "markdown": "Open the account page and choose Forgot password. Zanzibarquux.",
        **changes,
    }
    response = client.post("/api/v1/drafts", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/drafts/{response.get_json()['id']}")
    return dict(response.get_json())


def test_edit_review_publish_story(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    author = client_for(make_account("author"))
    manager = client_for(make_account("knowledge_manager"))
    live = (articles_dir / PATH).read_text()
    draft = start(author, web)
    for key in ("id", "article_id", "lang", "title", "markdown", "status", "author", "base"):
        assert key in draft
    assert draft["status"] == "draft"
    assert draft["article_id"] == "reset-password"
    assert (articles_dir / PATH).read_text() == live
    assert web.test_client().get("/api/v1/search?q=Zanzibarquux").get_json()["total"] == 0

    url = f"/api/v1/drafts/{draft['id']}"
    saved = author.put(url, json={"base": draft["base"], "markdown": "Now with Quetzalfrob."})
    assert saved.status_code == 200
    assert saved.get_json()["title"] == "Reset your password"  # fields not sent are kept
    stale = manager.put(url, json={"base": draft["base"], "markdown": "Overwrite!"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current"] == saved.get_json()["base"]
    assert author.get(url).get_json()["markdown"] == "Now with Quetzalfrob."

    assert author.post(f"{url}/submit").get_json()["status"] == "review"
    own = author.post(f"{url}/approve")
    assert own.status_code == 403
    assert "message" in own.get_json()["error"]
    published = manager.post(f"{url}/approve")
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["status"] == "published"
    assert "Quetzalfrob" in (articles_dir / PATH).read_text()
    assert git(articles_dir, "status", "--porcelain") == ""
    hits = web.test_client().get("/api/v1/search?q=Quetzalfrob").get_json()
    assert [hit["id"] for hit in hits["hits"]] == ["reset-password"]

    history = web.test_client().get("/api/v1/articles/reset-password/history?lang=en")
    assert history.status_code == 200
    versions = history.get_json()["versions"]
    assert versions[0]["commit"] == published.get_json()["published_commit"]
    assert "<knowledge_manager" in versions[0]["reviewed_by"]
    assert versions[0]["message"] == "Publish en/reset-password: Reset your password"
    assert {"commit", "author", "date", "message", "reviewed_by"} <= set(versions[0])
    again = manager.post(f"{url}/approve")  # approving twice is harmless: the same publish
    assert again.status_code == 200
    assert again.get_json()["published_commit"] == published.get_json()["published_commit"]
    assert git(articles_dir, "rev-list", "--count", "HEAD") == git(
        articles_dir, "rev-list", "--count", versions[0]["commit"]
    )


def test_stale_base_when_starting_a_draft(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = client_for(make_account("author"))
    response = author.post(
        "/api/v1/drafts",
        json={"article_id": "reset-password", "base": "0" * 40, "lang": "en",
              "title": "T", "markdown": "x"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.get_json()["error"]["current"] == base_of(web)


def test_bad_requests_are_4xx_with_a_message(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    author = client_for(make_account("author"))
    not_object = author.post("/api/v1/drafts", data="[1]", content_type="application/json")
    assert not_object.status_code == 400
    cases = [
        ({"lang": "en", "markdown": "x"}, "title"),
        ({"title": "T", "lang": "fr", "markdown": "x"}, "lang"),
        ({"title": "T", "lang": "en", "markdown": "x", "category": "../../etc"}, "category"),
        ({"title": "T", "lang": "en", "markdown": "x", "tags": "a"}, "tags"),
        ({"title": "T", "lang": "en", "markdown": "x", "review_by": "soon"}, "review_by"),
        ({"title": "T", "lang": "en", "markdown": "x", "article_id": "../x"}, "article_id"),
        ({"title": 5, "lang": "en", "markdown": "x"}, "title"),
    ]
    for body, field in cases:
        response = author.post("/api/v1/drafts", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"]
    missing = author.post(
        "/api/v1/drafts", json={"title": "T", "lang": "en", "markdown": "x", "article_id": "nope"}
    )
    assert missing.status_code == 404
    assert git(articles_dir, "for-each-ref", "refs/heads/drafts") == ""
    draft = start(author, web)
    url = f"/api/v1/drafts/{draft['id']}"
    assert author.put(url, json={"markdown": "no base"}).status_code == 422
    assert author.put(url, json={"base": "HEAD", "markdown": "x"}).status_code == 409
    assert author.put(url, json={"base": draft["base"], "title": ""}).status_code == 422
    assert author.get("/api/v1/drafts/..%2F..%2Fetc").status_code == 404


def test_request_changes_and_roles(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = client_for(make_account("author"))
    manager = client_for(make_account("knowledge_manager"))
    trainer = client_for(make_account("trainer"))
    agent = client_for(make_account("agent"))
    draft = start(author, web)
    url = f"/api/v1/drafts/{draft['id']}"
    assert agent.get(url).status_code == 403
    assert trainer.get(url).status_code == 403  # not a workshop guide
    assert trainer.post("/api/v1/drafts", json={**draft, "base": None}).status_code == 403
    assert manager.post(f"{url}/request-changes", json={"comment": "x"}).status_code == 409
    author.post(f"{url}/submit")
    assert author.post(f"{url}/request-changes", json={"comment": "x"}).status_code == 403
    assert manager.post(f"{url}/request-changes", json={}).status_code == 422
    back = manager.post(f"{url}/request-changes", json={"comment": "Add a screenshot."})
    assert back.status_code == 200
    body = back.get_json()
    assert body["status"] == "draft"
    assert body["events"][-1] == {**body["events"][-1], "action": "changes_requested",
                                  "comment": "Add a screenshot."}  # fmt: skip
    workshop = trainer.post(
        "/api/v1/drafts",
        json={"title": "Excel basics", "lang": "en", "kind": "workshop", "markdown": "Day 1."},
    )
    assert workshop.status_code == 201


def test_history_hides_internal_articles_from_visitors(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    visitor = web.test_client()
    assert visitor.get("/api/v1/articles/admin-runbook/history").status_code == 404
    assert visitor.get("/api/v1/articles/no-such/history").status_code == 404
    assert visitor.get("/api/v1/articles/reset-password/history?lang=xx").status_code == 400
    agent = client_for(make_account("agent"))
    staff = agent.get("/api/v1/articles/admin-runbook/history?lang=en")
    assert staff.status_code == 200
    assert len(staff.get_json()["versions"]) == 1


def test_publishing_resolves_promoted_tickets_and_warns_about_golden_queries(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    (articles_dir / "_golden.yml").write_text(
        "queries:\n  - {q: registered phone, lang: en, expect: en/reset-password}\n",
        encoding="utf-8",
    )
    git(articles_dir, "add", "-A")
    git(articles_dir, "commit", "-q", "-m", "golden")
    requester = make_account("requester")
    reference = open_ticket(client_for(requester))
    author = client_for(make_account("author"))
    manager = client_for(make_account("knowledge_manager"))
    draft = start(author, web)  # the new text no longer mentions the phone
    with transaction(web.extensions["sanad"].sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        session.add(
            TicketPromotion(
                ticket_id=ticket.id, draft_id=draft["id"], article_id="reset-password", lang="en"
            )
        )
    author.post(f"/api/v1/drafts/{draft['id']}/submit")
    answer = manager.post(f"/api/v1/drafts/{draft['id']}/approve").get_json()
    assert answer["golden_warnings"] == [
        {"query": "registered phone", "lang": "en", "expected": "en/reset-password",
         "rank": None}
    ]  # fmt: skip
    with transaction(web.extensions["sanad"].sessions) as session:
        promotion = session.scalars(select(TicketPromotion)).one()
        assert promotion.published_at is not None
        links = session.scalars(
            select(TicketArticle.article_id).where(TicketArticle.ticket_id == ticket.id)
        ).all()
    assert links == ["reset-password"]


def test_an_edit_starts_from_the_published_fields(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = client_for(make_account("author"))
    response = author.post(
        "/api/v1/drafts",
        json={"article_id": "reset-password", "lang": "en", "markdown": "Shorter steps."},
    )
    assert response.status_code == 201
    draft = response.get_json()
    assert (draft["title"], draft["category"], draft["tags"]) == (
        "Reset your password",
        "accounts",
        ["password", "account"],
    )
    assert draft["markdown"] == "Shorter steps."
    assert draft["published_base"] == base_of(web)


def test_another_authors_draft_is_missing_for_the_api_and_the_page_alike(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    owner = client_for(make_account("author"))
    other = client_for(make_account("author"))
    draft = start(owner, web)
    url = f"/api/v1/drafts/{draft['id']}"
    assert other.get(url).status_code == 404
    assert other.get(f"/review/drafts/{draft['id']}").status_code == 404
    overwrite = other.put(url, json={"base": draft["base"], "markdown": "Taken over."})
    assert overwrite.status_code == 404
    assert other.post(f"{url}/submit").status_code == 404
    # The owner's text and state are untouched by the refused calls.
    mine = owner.get(url).get_json()
    assert (mine["markdown"], mine["status"], mine["base"]) == (
        draft["markdown"],
        "draft",
        draft["base"],
    )


def test_page_and_api_give_each_role_the_same_answer_on_a_draft(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    owner = client_for(make_account("author"))
    draft = start(owner, web)
    api = f"/api/v1/drafts/{draft['id']}"
    page = f"/review/drafts/{draft['id']}"
    expected = {"author": 404, "trainer": 403, "knowledge_manager": 200, "admin": 200}
    for role, status in expected.items():
        someone = client_for(make_account(role))
        assert (someone.get(api).status_code, someone.get(page).status_code) == (status, status)
    assert (owner.get(api).status_code, owner.get(page).status_code) == (200, 200)


def test_another_author_can_neither_discard_nor_list_a_draft_from_the_pages(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    owner = client_for(make_account("author"))
    other = client_for(make_account("author"))
    draft = start(owner, web, title="Reset your password Xylophonic")
    assert other.post(f"/review/drafts/{draft['id']}/discard").status_code == 404
    assert owner.get(f"/api/v1/drafts/{draft['id']}").get_json()["status"] == "draft"
    assert "Xylophonic" in owner.get("/review/").get_data(as_text=True)
    assert "Xylophonic" not in other.get("/review/").get_data(as_text=True)
