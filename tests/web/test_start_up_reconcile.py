"""Issue 15: reconciliation runs at start-up too, not only in ``sanad index sync``: the work
``sanad serve`` does before its workers fork finishes an approval a ``kill -9`` cut off."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from portal.cli.serve import prepare
from portal.db import transaction, utcnow
from portal.kb import workflow
from portal.kb.tables import Draft
from tests.support.articles import git
from tests.support.web import ClientFor, MakeAccount
from tests.web.test_review_integrity import start


def test_start_up_finishes_an_approval_cut_off_before_the_database_committed(
    web: Flask,
    make_account: MakeAccount,
    client_for: ClientFor,
    articles_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    author = client_for(make_account("author"))
    draft = start(author, web, "Text after a crash at start-up: Quibblefrost.")
    author.post(f"/api/v1/drafts/{draft['id']}/submit")
    wired = web.extensions["sanad"]
    reviewer = workflow.Editor(None, "Rana Reviewer", "rana@example.com", frozenset({"admin"}))
    session = wired.sessions()
    workflow.approve_draft(session, wired.repository, wired.settings, reviewer, draft["id"],
                           now=utcnow())  # fmt: skip
    session.rollback()  # the worker was killed: git moved, the row did not
    session.close()
    assert web.test_client().get("/api/v1/search?q=Quibblefrost").get_json()["total"] == 0

    prepare(wired, demo=False)  # what `sanad serve` does before serving

    assert f"finished the interrupted approval of draft {draft['id']}" in capsys.readouterr().err
    with transaction(wired.sessions) as check:
        row = check.get(Draft, draft["id"])
        assert row is not None
        assert row.status == "published"
    hits = web.test_client().get("/api/v1/search?q=Quibblefrost").get_json()
    assert [hit["id"] for hit in hits["hits"]] == ["reset-password"]
    assert git(articles_dir, "status", "--porcelain") == ""
