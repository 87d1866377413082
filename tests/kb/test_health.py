"""Attention rows: one open row per article, language and reason; resolving; review dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.kb import health
from portal.kb.models import Article

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def raise_(
    sessions: sessionmaker[Session], **kw: object
) -> tuple[health.AttentionView, bool] | None:
    values: dict[str, object] = {
        "article_id": "vpn",
        "lang": None,
        "reason": "agent_flag",
        "detail": "d",
        "now": NOW,
    }
    values.update(kw)
    with transaction(sessions) as session:
        return health.raise_attention(session, **values)  # type: ignore[arg-type]


def test_raising_twice_bumps_the_one_open_row(sessions: sessionmaker[Session]) -> None:
    first = raise_(sessions, detail="HD-000001: wrong port")
    second = raise_(sessions, detail="HD-000002: still wrong")
    assert first
    assert second
    assert first[1]
    assert not second[1]
    with transaction(sessions) as session:
        (row,) = health.list_open(session)
    assert (row.count, row.detail) == (2, "HD-000002: still wrong")


def test_languages_and_reasons_are_separate_rows(sessions: sessionmaker[Session]) -> None:
    raise_(sessions, lang="ar", reason="unhelpful")
    raise_(sessions, lang="en", reason="unhelpful")
    raise_(sessions, lang=None, reason="agent_flag")
    with transaction(sessions) as session:
        assert len(health.list_open(session)) == 3


def test_resolved_rows_leave_the_list_and_a_new_signal_opens_a_new_row(
    sessions: sessionmaker[Session],
) -> None:
    view, _ = raise_(sessions) or (None, None)
    assert view is not None
    with transaction(sessions) as session:
        health.resolve_attention(session, view.id, resolver_id=None, now=NOW)
        assert health.list_open(session) == []
        with pytest.raises(health.AttentionNotFound):
            health.resolve_attention(session, view.id, resolver_id=None, now=NOW)
    again = raise_(sessions, now=NOW + dt.timedelta(hours=1))
    assert again is not None
    assert again[1]
    assert again[0].count == 1


def test_old_evidence_does_not_reopen_a_resolved_row(sessions: sessionmaker[Session]) -> None:
    view, _ = raise_(sessions, reason="unhelpful", lang="ar") or (None, None)
    assert view is not None
    with transaction(sessions) as session:
        health.resolve_attention(session, view.id, resolver_id=None, now=NOW)
    old = NOW - dt.timedelta(days=1)
    assert raise_(sessions, reason="unhelpful", lang="ar", evidence_at=old) is None
    new = NOW + dt.timedelta(days=1)
    assert raise_(sessions, reason="unhelpful", lang="ar", evidence_at=new) is not None


def test_notification_is_recorded_once(sessions: sessionmaker[Session]) -> None:
    view, _ = raise_(sessions) or (None, None)
    assert view is not None
    with transaction(sessions) as session:
        assert [r.id for r in health.unnotified(session)] == [view.id]
        assert health.mark_notified(session, view.id, now=NOW)
        assert not health.mark_notified(session, view.id, now=NOW)
        assert health.unnotified(session) == []


def test_review_due_lists_published_articles_past_their_date() -> None:
    def article(key: str, review_by: dt.date | None, status: str = "published") -> Article:
        return Article(key, "en", key, "", f"{key}.en.md", status=status, review_by=review_by)

    today = dt.date(2026, 11, 23)
    articles = [
        article("past", dt.date(2026, 11, 1)),
        article("today", today),
        article("future", dt.date(2027, 1, 1)),
        article("none", None),
        article("draft", dt.date(2026, 1, 1), status="draft"),
    ]
    assert [a.id for a in health.review_due(articles, today)] == ["past"]
