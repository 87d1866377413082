"""Review integrity through both front doors: the review page sends the version the reviewer
read, the API's approve takes it as ``base``, the last editor may not approve, a promoted
draft reaches the review queue at once, and ``sanad index sync`` finishes a cut-off approval."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cli import main
from portal.db import transaction, utcnow
from portal.kb import workflow
from portal.kb.tables import Draft
from tests.support.articles import git
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

PATH = "accounts/reset-password.en.md"
ZERO = "0" * 40


def start(client: FlaskClient, site: Flask, markdown: str) -> dict[str, Any]:
    base = workflow.published_version(site.extensions["sanad"].repository, PATH)
    body = {
        "article_id": "reset-password",
        "base": base,
        "lang": "en",
        "title": "Reset your password",
        "category": "accounts",
        "markdown": markdown,
    }
    response = client.post("/api/v1/drafts", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def hidden_base(page: str) -> str:
    form = page[page.index('class="approve-form"') :]
    form = form[: form.index("</form>")]
    found = re.search(r'name="base"[^>]*value="([0-9a-f]{40})"', form) or re.search(
        r'value="([0-9a-f]{40})"[^>]*name="base"', form
    )
    assert found is not None, form
    return found.group(1)


def test_the_api_approval_names_the_version_reviewed(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    author = client_for(make_account("author"))
    manager = client_for(make_account("knowledge_manager"))
    draft = start(author, web, "First text. Plinkwort.")
    url = f"/api/v1/drafts/{draft['id']}"
    read = author.post(f"{url}/submit").get_json()
    assert read["status"] == "review"
    assert read["events"][-1]["action"] == "submitted"
    assert read["events"][-1]["commit"] == read["base"]
    # The author changes the text after the reviewer read it: back to draft.
    changed = author.put(url, json={"base": read["base"], "markdown": "Changed. Snorkwort."})
    assert changed.get_json()["status"] == "draft"
    author.post(f"{url}/submit")
    stale = manager.post(f"{url}/approve", json={"base": read["base"]})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_base"
    assert stale.get_json()["error"]["current"] == changed.get_json()["base"]
    assert "Snorkwort" not in (articles_dir / PATH).read_text()
    for bad in ("HEAD", 5, "abc"):
        refused = manager.post(f"{url}/approve", json={"base": bad})
        assert refused.status_code == 422
        assert refused.get_json()["error"]["field"] == "base"
    assert manager.post(f"{url}/approve", json={"base": ZERO}).status_code == 409
    again = manager.get(url).get_json()
    assert again["reviewed_version"] == read["base"]
    done = manager.post(f"{url}/approve", json={"base": again["base"]})
    assert done.status_code == 200, done.get_json()
    assert "Snorkwort" in (articles_dir / PATH).read_text()


def test_the_api_refuses_the_last_editor(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = client_for(make_account("author"))
    karim = client_for(make_account("knowledge_manager"))
    layla = client_for(make_account("knowledge_manager"))
    draft = start(author, web, "Author's words.")
    url = f"/api/v1/drafts/{draft['id']}"
    read = author.post(f"{url}/submit").get_json()
    rewritten = karim.put(url, json={"base": read["base"], "markdown": "Karim's words."})
    assert rewritten.status_code == 200
    karim.post(f"{url}/submit")
    refused = karim.post(f"{url}/approve", json={"base": rewritten.get_json()["base"]})
    assert refused.status_code == 403
    assert "since its last review" in refused.get_json()["error"]["message"]
    assert layla.post(f"{url}/approve").status_code == 200


def test_the_review_page_sends_the_base_and_says_who_may_not_approve(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    author = client_for(make_account("author"))
    karim = client_for(make_account("knowledge_manager"))
    layla = client_for(make_account("knowledge_manager"))
    draft = start(author, web, "Line one.\nLine two.")
    url = f"/api/v1/drafts/{draft['id']}"
    read = author.post(f"{url}/submit").get_json()
    page_url = f"/review/drafts/{draft['id']}"
    opened = text_of(layla.get(page_url))
    assert hidden_base(opened) == read["base"]
    assert "Changed since the last review" not in opened
    # The author changes it while Layla reads; her old page's approval is refused.
    changed = author.put(url, json={"base": read["base"], "markdown": "Line one.\nLine 2."})
    author.post(f"{url}/submit")
    response = layla.post(f"{page_url}/approve", data={"base": read["base"]})
    assert response.status_code == 303
    after = text_of(layla.get(page_url))
    assert "changed after you opened it" in after
    assert "Line 2." not in (articles_dir / PATH).read_text()
    # The page now shows what changed since the version she read.
    since = after[after.index("Changed since the last review") :]
    since = since[: since.index("</section>")]
    assert "Line 2." in since
    assert "Line two." in since
    assert hidden_base(after) == changed.get_json()["base"]
    # Karim edits it: his page explains why he gets no approve button.
    base = hidden_base(text_of(karim.get(page_url)))
    edited = karim.put(url, json={"base": base, "markdown": "Line one.\nLine 2, Karim."})
    assert edited.status_code == 200
    karim.post(f"{url}/submit")
    karim_page = text_of(karim.get(page_url))
    assert "Approve and publish" not in karim_page
    assert "You changed this draft since its last review" in karim_page
    karim.post(f"{page_url}/approve", data={"base": karim.get(url).get_json()["base"]})
    assert "Karim" not in (articles_dir / PATH).read_text()
    base = hidden_base(text_of(layla.get(page_url)))
    assert layla.post(f"{page_url}/approve", data={"base": base}).status_code == 303
    assert "Line 2, Karim." in (articles_dir / PATH).read_text()


def test_a_promoted_draft_waits_in_the_review_queue_at_once(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    agent_user = make_account("agent")
    agent = client_for(agent_user)
    manager = client_for(make_account("knowledge_manager"))
    reference = open_ticket(client_for(make_account("requester")), subject="Printer jams daily")
    with transaction(web.extensions["sanad"].sessions) as session:
        from portal.tickets.models import Ticket

        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
        ticket.status = "resolved"
        ticket.assignee_id = agent_user.id
    made = agent.post(f"/api/v1/tickets/{reference}/promote")
    assert made.status_code == 201, made.get_json()
    draft_id = made.get_json()["draft_id"]
    assert manager.get(f"/api/v1/drafts/{draft_id}").get_json()["status"] == "review"
    queue = text_of(manager.get("/review/"))
    waiting = queue[queue.index("Waiting for review") : queue.index("My drafts")]
    assert f"/review/drafts/{draft_id}" in waiting
    attention = text_of(manager.get("/attention/"))
    assert "1 draft promoted from tickets is open in review." in attention
    # Changes requested: the agent cannot edit articles, so the managers' list holds it.
    asked = manager.post(
        f"/api/v1/drafts/{draft_id}/request-changes", json={"comment": "Add the model."}
    )
    assert asked.status_code == 200
    queue = text_of(client_for(make_account("knowledge_manager")).get("/review/"))
    assert "Drafts from tickets to finish" in queue
    finish = queue[queue.index("Drafts from tickets to finish") :]
    assert f"/review/drafts/{draft_id}" in finish[: finish.index("</section>")]


def test_index_sync_finishes_an_approval_cut_off_before_the_database_committed(
    web: Flask, make_account: MakeAccount, client_for: ClientFor, articles_dir: Path
) -> None:
    author = client_for(make_account("author"))
    client_for(make_account("knowledge_manager"))
    draft = start(author, web, "Text after a crash: Wobblequark.")
    author.post(f"/api/v1/drafts/{draft['id']}/submit")
    wired = web.extensions["sanad"]
    reviewer = workflow.Editor(None, "Rana Reviewer", "rana@example.com", frozenset({"admin"}))
    session = wired.sessions()
    workflow.approve_draft(session, wired.repository, wired.settings, reviewer, draft["id"],
                           now=utcnow())  # fmt: skip
    session.rollback()  # the worker was killed: git moved, the row did not
    session.close()
    search = web.test_client().get("/api/v1/search?q=Wobblequark").get_json()
    assert search["total"] == 0
    result = web.test_cli_runner().invoke(main, ["index", "sync"])
    assert result.exit_code == 0, result.output
    assert f"finished the interrupted approval of draft {draft['id']}" in result.output
    with transaction(wired.sessions) as check:
        row = check.get(Draft, draft["id"])
        assert row is not None
        assert row.status == "published"
    hits = web.test_client().get("/api/v1/search?q=Wobblequark").get_json()
    assert [hit["id"] for hit in hits["hits"]] == ["reset-password"]
    assert git(articles_dir, "status", "--porcelain") == ""
    again = web.test_cli_runner().invoke(main, ["index", "sync"])
    assert "interrupted" not in again.output


def test_index_sync_still_indexes_before_the_database_exists(
    app_overrides: dict[str, Any], tmp_path: Path, kb_articles: Path
) -> None:
    from portal import create_app

    site = create_app({**app_overrides, "database_url": f"sqlite:///{tmp_path / 'none.db'}"})
    try:
        result = site.test_cli_runner().invoke(main, ["index", "sync"])
        assert result.exit_code == 0, result.output
        assert "approvals not reconciled, the database is not usable" in result.output
        assert "added" in result.output
        assert site.test_client().get("/api/v1/search?q=password").get_json()["total"] > 0
    finally:
        site.extensions["sanad"].close()
