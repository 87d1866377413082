"""The home page's lists: most viewed first in the reader's language, padded, never broken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.events import record_event
from portal.search.front_page import POPULAR_LIMIT, POPULAR_WINDOW, popular_articles
from portal.search.services import SearchService
from tests.support.articles import ArticleWriter

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(database_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def views(
    sessions: sessionmaker[Session], article_id: str, lang: str, times: int, when: dt.datetime
) -> None:
    with transaction(sessions) as session:
        for _ in range(times):
            record_event(session, "view", lang=lang, article_id=article_id, now=when)


def test_views_in_either_language_rank_the_readers_version_first(
    write_article: ArticleWriter, service: SearchService, sessions: sessionmaker[Session]
) -> None:
    for article_id in ("vpn", "printer", "mail"):
        write_article(article_id, "ar", f"مقالة {article_id}")
        write_article(article_id, "en", f"Article {article_id}")
    service.sync()
    views(sessions, "printer", "en", 3, NOW - dt.timedelta(days=1))  # read in English only
    views(sessions, "mail", "ar", 2, NOW - dt.timedelta(days=2))
    views(sessions, "vpn", "ar", 9, NOW - POPULAR_WINDOW - dt.timedelta(days=1))  # too old
    with sessions() as session:
        found = popular_articles(session, service, "ar", now=NOW)
    assert [(e.id, e.lang) for e in found[:2]] == [("printer", "ar"), ("mail", "ar")]
    assert ("vpn", "ar") in [(e.id, e.lang) for e in found]  # padding, after the viewed ones


def test_hidden_articles_never_appear_however_often_viewed(
    write_article: ArticleWriter, service: SearchService, sessions: sessionmaker[Session]
) -> None:
    write_article("runbook", "en", "Internal runbook", audience="internal")
    write_article("public", "en", "Public article")
    service.sync()
    views(sessions, "runbook", "en", 5, NOW)
    with sessions() as session:
        found = popular_articles(session, service, "en", now=NOW)
    assert [e.id for e in found] == ["public"]


def test_an_unreadable_database_leaves_the_recent_articles(
    write_article: ArticleWriter, service: SearchService, tmp_path: Path
) -> None:
    for number in range(POPULAR_LIMIT + 2):
        write_article(f"a{number}", "en", f"Article {number}")
    service.sync()
    engine = create_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")  # no events table
    with Session(engine) as session:
        found = popular_articles(session, service, "en", now=NOW)
    engine.dispose()
    assert len(found) == POPULAR_LIMIT
