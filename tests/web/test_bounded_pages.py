"""Pages stay small however many drafts are open: the review queue shows 50 drafts waiting
for review per page, with page links, in both languages."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask

from portal.db import transaction
from portal.kb import health
from portal.kb.tables import Draft
from tests.support.web import ClientFor, MakeAccount, text_of

WAITING = 120


def add_waiting_drafts(web: Flask, author_id: int, count: int) -> None:
    """``count`` drafts in review, newest first by their number (titles ``Waiting 000``...)."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with transaction(web.extensions["sanad"].sessions) as session:
        for number in range(count):
            at = start + dt.timedelta(minutes=count - number)
            session.add(
                Draft(
                    id=f"bounded-{number:03d}",
                    article_id=f"waiting-{number:03d}",
                    lang="en",
                    path=f"general/waiting-{number:03d}.en.md",
                    title=f"Waiting {number:03d}",
                    status="review",
                    is_new=True,
                    author_id=author_id,
                    author_name="Author",
                    author_email="author@example.com",
                    head="0" * 40,
                    created_at=at,
                    updated_at=at,
                    submitted_at=at,
                )
            )


def titles(page: str) -> list[str]:
    return re.findall(r"Waiting \d{3}", page)


def test_the_review_queue_shows_fifty_drafts_a_page_and_page_three_the_rest(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = make_account("knowledge_manager", name="Author")
    add_waiting_drafts(web, author.id, WAITING)
    reviewer = client_for(make_account("knowledge_manager", name="Reviewer"))
    pages = [text_of(reviewer.get(f"/review/?page={n}")) for n in (1, 2, 3)]
    found = [titles(page) for page in pages]
    assert [len(set(shown)) for shown in found] == [50, 50, 20]
    assert sorted({t for shown in found for t in shown}) == [f"Waiting {n:03d}" for n in range(120)]
    assert set(found[0]) == {f"Waiting {n:03d}" for n in range(50)}  # newest first
    assert 'class="pagination"' in pages[0]
    assert "page=3" in pages[0]
    # Past the end, or nonsense, is a page of the queue, never an error.
    assert set(titles(text_of(reviewer.get("/review/?page=99")))) == set(found[2])
    assert reviewer.get("/review/?page=%E2%81%B0%E2%81%B4").status_code in (200, 400)


def test_the_page_links_are_labelled_in_arabic(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    author = make_account("knowledge_manager", name="Author")
    add_waiting_drafts(web, author.id, 60)
    reviewer = client_for(make_account("knowledge_manager", name="Reviewer"))
    reviewer.set_cookie("sanad_locale", "ar")
    page = text_of(reviewer.get("/review/?page=2"))
    assert "صفحات المسودات التي تنتظر المراجعة" in page
    assert len(set(titles(page))) == 10


def test_the_attention_page_shows_twenty_rows_a_page(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with transaction(web.extensions["sanad"].sessions) as session:
        for number in range(45):
            health.raise_attention(
                session, article_id=f"gone-{number:03d}", lang=None, reason="agent_flag",
                detail="wrong", now=now + dt.timedelta(minutes=number),
            )  # fmt: skip
    manager = client_for(make_account("knowledge_manager"))
    pages = [text_of(manager.get(f"/attention/?page={n}")) for n in (1, 2, 3)]
    shown = [set(re.findall(r"gone-\d{3}", page)) for page in pages]
    assert [len(found) for found in shown] == [20, 20, 5]
    assert len(shown[0] | shown[1] | shown[2]) == 45
    assert "45 articles need attention." in pages[2]
    manager.set_cookie("sanad_locale", "ar")
    assert "صفحات المقالات التي تحتاج إلى عناية" in text_of(manager.get("/attention/?page=2"))
