"""Votes: one per visitor and article version, changeable, summarised with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.kb import feedback

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def vote(
    sessions: sessionmaker[Session], visitor: str, helpful: object, **kw: object
) -> feedback.VoteView:
    with transaction(sessions) as session:
        return feedback.record_vote(
            session,
            article_id=str(kw.pop("article_id", "vpn")),
            lang=str(kw.pop("lang", "ar")),
            visitor=visitor,
            helpful=helpful,
            now=kw.pop("now", NOW),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


def test_one_vote_per_visitor_and_a_second_vote_changes_it(sessions: sessionmaker[Session]) -> None:
    first = vote(sessions, "v1", False, reason="الخطوة الثالثة غير واضحة")
    again = vote(sessions, "v1", True, now=NOW + dt.timedelta(minutes=1))
    vote(sessions, "v2", False)
    assert not first.changed
    assert again.changed
    with transaction(sessions) as session:
        (summary,) = feedback.vote_summaries(session)
    assert (summary.yes, summary.no, summary.total) == (1, 1, 2)
    assert summary.unhelpful_share == 0.5


def test_the_same_visitor_votes_separately_on_each_language(
    sessions: sessionmaker[Session],
) -> None:
    vote(sessions, "v1", False, lang="ar")
    vote(sessions, "v1", True, lang="en")
    with transaction(sessions) as session:
        found = {(s.lang, s.yes, s.no) for s in feedback.vote_summaries(session)}
    assert found == {("ar", 0, 1), ("en", 1, 0)}


def test_reasons_are_listed_newest_first(sessions: sessionmaker[Session]) -> None:
    vote(sessions, "v1", False, reason="old reason")
    vote(sessions, "v2", False, reason="new reason", now=NOW + dt.timedelta(hours=1))
    vote(sessions, "v3", True)
    with transaction(sessions) as session:
        page = feedback.list_feedback(session)
    assert page.total == 1
    assert [r.reason for r in page.summaries[0].reasons] == ["new reason", "old reason"]


def test_a_reason_sent_later_completes_the_same_no_vote(sessions: sessionmaker[Session]) -> None:
    vote(sessions, "v1", False)
    later = vote(sessions, "v1", False, reason="missing the VPN address")
    assert later.reason == "missing the VPN address"
    assert later.changed
    with transaction(sessions) as session:
        (summary,) = feedback.vote_summaries(session)
    assert summary.no == 1


@pytest.mark.parametrize(
    ("field", "helpful", "reason", "lang"),
    [
        ("helpful", "yes", None, "ar"),
        ("helpful", None, None, "ar"),
        ("reason", False, "x" * 1001, "ar"),
        ("reason", False, 42, "ar"),
        ("lang", True, None, "fr"),
    ],
)
def test_bad_votes_are_refused_and_nothing_is_stored(
    sessions: sessionmaker[Session], field: str, helpful: object, reason: object, lang: str
) -> None:
    with pytest.raises(feedback.InvalidVote) as caught:
        vote(sessions, "v1", helpful, reason=reason, lang=lang)
    assert caught.value.field == field
    with transaction(sessions) as session:
        assert feedback.vote_summaries(session) == []


def test_feedback_pages(sessions: sessionmaker[Session]) -> None:
    for number in range(5):
        vote(sessions, "v1", True, article_id=f"a{number}", now=NOW + dt.timedelta(minutes=number))
    with transaction(sessions) as session:
        first = feedback.list_feedback(session, page=1, per_page=2)
        last = feedback.list_feedback(session, page=3, per_page=2)
    assert first.total == 5
    assert [s.article_id for s in first.summaries] == ["a4", "a3"]
    assert [s.article_id for s in last.summaries] == ["a0"]
