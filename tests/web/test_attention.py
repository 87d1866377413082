"""Feedback votes (form with and without JS, API), the knowledge managers' pages, owner mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.mail_preferences import offered_kinds, set_mail_choices
from portal.cli import main
from portal.db import transaction
from portal.events import Event
from portal.kb.tables import ArticleAttention
from portal.notify.outbox import deliver_due
from portal.web.limits import enable_limits
from tests.support.mail import Inbox
from tests.support.web import ClientFor, MakeAccount, open_ticket

FAR = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # every queued mail is due


@pytest.fixture
def app_overrides(app_overrides: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """A test that takes ``smtp_server`` has the app mail through it, set as an operator would."""
    if "smtp_server" not in request.fixturenames:
        return app_overrides
    port = request.getfixturevalue("smtp_server").settings.port
    return {**app_overrides, "SANAD_SMTP_HOST": "127.0.0.1", "SANAD_SMTP_PORT": str(port)}


def text_of(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_voting_no_without_js_redirects_back_and_thanks(web: Flask, client_for: ClientFor) -> None:
    browser = client_for(None)
    response = browser.post(
        "/articles/ar/reset-password/feedback", data={"helpful": "no", "reason": "ناقص"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/kb/ar/reset-password#feedback")
    page = text_of(browser.get("/kb/ar/reset-password"))
    assert "Thank you for your feedback." in page
    with transaction(web.extensions["sanad"].sessions) as session:
        kinds = session.scalars(select(Event.kind)).all()
    assert "vote" in kinds


def test_voting_with_js_answers_json_and_one_vote_per_visitor(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    browser = client_for(None)
    headers = {"Accept": "application/json"}
    url = "/articles/en/reset-password/feedback"
    first = browser.post(url, data={"helpful": "no"}, headers=headers)
    assert first.status_code == 200
    assert first.get_json()["helpful"] is False
    browser.post(url, data={"helpful": "no", "reason": "Step 2 is wrong"}, headers=headers)
    bad = browser.post(url, data={"helpful": "maybe"}, headers=headers)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "helpful"
    assert browser.post("/articles/en/nope/feedback", data={"helpful": "yes"}).status_code == 404
    manager = client_for(make_account("knowledge_manager"))
    page = text_of(manager.get("/attention/feedback"))
    assert "Not helpful: 1" in page
    assert "Step 2 is wrong" in page


def test_feedback_api(web: Flask, client_for: ClientFor) -> None:
    browser = client_for(None)
    response = browser.post(
        "/api/v1/articles/reset-password/feedback?lang=ar", json={"helpful": True}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["lang"], body["helpful"]) == ("reset-password", "ar", True)
    bad = browser.post("/api/v1/articles/reset-password/feedback?lang=ar", json={"helpful": "yes"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "helpful"
    assert browser.post("/api/v1/articles/reset-password/feedback", data="x").status_code == 400
    assert (
        browser.post("/api/v1/articles/reset-password/feedback?lang=xx", json={}).status_code == 400
    )


def test_agent_flag_reaches_the_attention_page_and_mails_the_owner(
    web: Flask, client_for: ClientFor, make_account: MakeAccount, smtp_server: Inbox
) -> None:
    wired = web.extensions["sanad"]
    manager_user = make_account("knowledge_manager")
    agent = client_for(make_account("agent"))
    reference = open_ticket(client_for(make_account("requester")))
    response = agent.post(
        f"/agent/tickets/{reference}/flag",
        data={"article_id": "reset-password", "reason": "Should mention the phone"},
    )
    assert response.status_code == 303
    # The article names no owner: every knowledge manager is told, once, right away.
    deliver_due(wired.sessions, smtp_server.settings, FAR)
    notices = [m for m in smtp_server.messages if "needs attention" in m["Subject"]]
    assert [m["To"] for m in notices] == [manager_user.email]
    assert "Should mention the phone" in notices[0].get_body(("plain",)).get_content()
    assert "Should mention the phone" in notices[0].get_body(("html",)).get_content()
    manager = client_for(manager_user)
    page = text_of(manager.get("/attention/"))
    assert "Should mention the phone" in page
    assert reference in page
    with transaction(wired.sessions) as session:
        row = session.scalars(select(ArticleAttention)).one()
        assert row.notified_at is not None
    done = manager.post(f"/attention/{row.id}/resolve")
    assert done.status_code == 303
    assert "Should mention the phone" not in text_of(manager.get("/attention/"))
    assert client_for(make_account("agent")).get("/attention/").status_code == 403


def test_scan_command_flags_passed_review_dates_and_mails_owner(
    web: Flask, write_article: object, smtp_server: Inbox
) -> None:
    write_article(  # type: ignore[operator]
        "old-guide", "en", "Old guide", "Text.", review_by="2020-01-01", owner="me@example.org"
    )
    result = web.test_cli_runner().invoke(main, args=["attention", "scan"])
    assert result.exit_code == 0, result.output
    assert "review_due: 1 new" in result.output
    sessions = web.extensions["sanad"].sessions
    deliver_due(sessions, smtp_server.settings, FAR)  # the command queued it in the outbox
    assert [m["To"] for m in smtp_server.messages] == ["me@example.org"]
    again = web.test_cli_runner().invoke(main, args=["attention", "scan"])
    assert "0 new" in again.output
    deliver_due(sessions, smtp_server.settings, FAR)
    assert len(smtp_server.messages) == 1


def test_a_reopened_ticket_flags_the_article_that_resolved_it(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account("requester"))
    reference = open_ticket(requester)
    agent = client_for(make_account("agent"))
    resolved = agent.post(
        f"/agent/tickets/{reference}/resolve", data={"article_ids": ["reset-password"]}
    )
    assert resolved.status_code == 303
    assert (
        requester.post(f"/tickets/{reference}/reopen", data={"reason": "Still broken"}).status_code
        == 303
    )
    manager = client_for(make_account("knowledge_manager"))
    page = text_of(manager.get("/attention/"))
    assert "Tickets it resolved were reopened" in page
    assert reference in page


def test_stale_translation_notice_and_the_diff_to_translate(
    web: Flask, client_for: ClientFor, make_account: MakeAccount, write_article: object
) -> None:
    write_article(  # type: ignore[operator]
        "reset-password",
        "en",
        "Reset your password",
        "If you forgot your password you can reset it yourself.\n\nCall 4444 if it fails.",
        category="accounts",
    )
    web.extensions["sanad"].search.sync()
    visitor = client_for(None)
    arabic = text_of(visitor.get("/kb/ar/reset-password"))
    assert "This translation may be out of date" in arabic
    assert "This translation may be out of date" not in text_of(
        visitor.get("/kb/en/reset-password")
    )
    manager = client_for(make_account("knowledge_manager"))
    listing = text_of(manager.get("/attention/translations"))
    assert "/attention/translations/ar/reset-password" in listing
    diff = text_of(manager.get("/attention/translations/ar/reset-password"))
    assert "<ins>Call 4444 if it fails.</ins>" in diff
    assert manager.get("/attention/translations/en/reset-password").status_code == 404


def test_voting_is_rate_limited(web: Flask, client_for: ClientFor) -> None:
    enable_limits(web)
    browser = client_for(None)
    answers = [
        browser.post("/articles/ar/reset-password/feedback", data={"helpful": "yes"}).status_code
        for _ in range(21)
    ]
    assert answers[:20] == [303] * 20
    assert answers[20] == 429


def test_an_owner_who_turned_attention_mail_off_is_flagged_but_not_mailed(
    web: Flask, write_article: object, smtp_server: Inbox, make_account: MakeAccount
) -> None:
    quiet, other = make_account("knowledge_manager"), make_account("knowledge_manager")
    sessions = web.extensions["sanad"].sessions
    with transaction(sessions) as session:
        set_mail_choices(session, quiet, [k for k in offered_kinds(quiet) if k != "attention"])
    for slug, owner in (("old-guide", quiet), ("older-guide", other)):
        write_article(  # type: ignore[operator]
            slug, "en", "Old guide", "Text.", review_by="2020-01-01", owner=owner.email
        )
    result = web.test_cli_runner().invoke(main, args=["attention", "scan"])
    assert "review_due: 2 new" in result.output, result.output
    deliver_due(sessions, smtp_server.settings, FAR)
    assert [m["To"] for m in smtp_server.messages] == [other.email]
