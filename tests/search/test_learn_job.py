"""``learn``: usage events and resolved tickets become learned associations, once each
session, idempotently; knowledge managers list and remove them, and removed ones stay gone."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.config import SearchSettings, TicketSettings
from portal.editorial.learning import (
    LearningForbidden,
    learn,
    list_associations,
    remove_association,
)
from portal.events import record_event
from portal.search.learned import LearnedEvidence, LearnedStore, LearningState
from portal.search.models import SearchQuery
from portal.search.services import SearchService
from portal.tickets.intake import open_ticket
from portal.tickets.resolution import resolve_ticket
from portal.tickets.values import SelfServiceTrail, TicketDraft, TrailSearch
from tests.support.accounts import Run
from tests.support.articles import ArticleWriter

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
QUERY = "الطابعة لا تطبع"
SETTINGS = SearchSettings()


def helpful_session(session: Session, visitor: str, at: dt.datetime, query: str = QUERY) -> None:
    record_event(session, "search", visitor=visitor, query=query, lang="ar", hits=4, now=at)
    later = at + dt.timedelta(minutes=1)
    record_event(session, "view", visitor=visitor, article_id="printer", lang="ar", now=later)
    record_event(
        session,
        "vote",
        visitor=visitor,
        article_id="printer",
        lang="ar",
        data={"helpful": True},
        now=later + dt.timedelta(minutes=1),
    )


@pytest.fixture
def stores() -> Iterator[Callable[..., LearnedStore]]:
    """LearnedStores closed at the end, so no background refresh outlives the test's schema."""
    made: list[LearnedStore] = []

    def make(*args: Any) -> LearnedStore:
        made.append(LearnedStore(*args))
        return made[-1]

    yield make
    for store in made:
        store.close()


def learned_now(run: Run, manager: UserInfo, **kw: object) -> list[tuple[str, str, int]]:
    page = run(list_associations, SETTINGS, manager, **kw)
    return [(item.article_id, item.lang, item.sessions) for item in page.items]


def test_sessions_are_counted_once_and_learning_twice_changes_nothing(
    run: Run,
    sessions: sessionmaker[Session],
    make_user: Callable[..., UserInfo],
    stores: Callable[..., LearnedStore],
) -> None:
    manager = make_user("knowledge_manager")
    for number in range(3):
        run(helpful_session, f"visitor-{number}", T0 + dt.timedelta(hours=number))
    run(helpful_session, "visitor-0", T0 + dt.timedelta(hours=5))  # the same browser again
    store = stores(sessions, SETTINGS)
    assert store.boosts(QUERY, T0) == {}
    first = run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    assert first.votes == 3
    assert learned_now(run, manager) == [("printer", "ar", 3)]
    again = run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    assert (again.votes, again.tickets) == (0, 0)
    later = run(learn, SETTINGS, T0 + dt.timedelta(days=3))
    assert later.votes == 0
    assert learned_now(run, manager) == [("printer", "ar", 3)]
    with sessions() as session:
        assert session.scalar(select(func.count(LearnedEvidence.id))) == 3
    store.refresh()
    boost = store.boosts("تطبع الطابعه", T0 + dt.timedelta(days=3))  # same words, other form
    assert set(boost) == {"ar/printer"}
    assert 0 < boost["ar/printer"] < SETTINGS.learn_max_boost


def test_two_sessions_are_not_enough_and_a_ticket_afterwards_is_no_evidence(
    run: Run,
    sessions: sessionmaker[Session],
    make_user: Callable[..., UserInfo],
    stores: Callable[..., LearnedStore],
) -> None:
    manager = make_user("knowledge_manager")
    run(helpful_session, "a", T0)
    run(helpful_session, "b", T0)
    run(helpful_session, "c", T0)
    run(record_event, "ticket", visitor="c", now=T0 + dt.timedelta(hours=2))
    run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    page = run(list_associations, SETTINGS, manager)
    assert [(i.sessions, i.active) for i in page.items] == [(2, False)]
    store = stores(sessions, SETTINGS)
    assert store.boosts(QUERY, T0 + dt.timedelta(days=2)) == {}


def test_a_resolved_ticket_teaches_what_was_searched_before_it(
    run: Run, make_user: Callable[..., UserInfo], tmp_path: Path
) -> None:
    manager = make_user("knowledge_manager")
    agent = make_user("agent", tier=1, teams=("support",))
    tickets = TicketSettings(attachments_dir=tmp_path / "attachments")
    for number in range(3):
        requester = make_user()
        opened = run(
            open_ticket,
            tickets,
            requester=requester,
            draft=TicketDraft(subject="VPN drops", body="Every hour.", lang="en"),
            trail=SelfServiceTrail(searches=(TrailSearch("vpn keeps disconnecting"),)),
            now=T0,
        )
        run(
            resolve_ticket,
            tickets,
            agent,
            opened.ticket.reference,
            article_ids=["vpn-reconnect"],
            now=T0 + dt.timedelta(hours=number),
        )
    too_soon = run(learn, SETTINGS, T0 + dt.timedelta(hours=12))  # may still be reopened
    assert too_soon.tickets == 0
    report = run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    assert report.tickets == 3
    assert learned_now(run, manager) == [("vpn-reconnect", "en", 3)]


def test_only_managers_see_and_remove_and_removed_ones_never_come_back(
    run: Run,
    sessions: sessionmaker[Session],
    make_user: Callable[..., UserInfo],
    stores: Callable[..., LearnedStore],
) -> None:
    manager = make_user("knowledge_manager")
    agent = make_user("agent", tier=1, teams=("support",))
    for number in range(3):
        run(helpful_session, f"v{number}", T0)
    run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    item = run(list_associations, SETTINGS, manager).items[0]
    for outsider in (agent, make_user(), None):
        with pytest.raises(LearningForbidden):
            run(list_associations, SETTINGS, outsider)
        with pytest.raises(LearningForbidden):
            run(remove_association, SETTINGS, outsider, item.id, now=T0)
    removed = run(remove_association, SETTINGS, manager, item.id, now=T0 + dt.timedelta(days=2))
    assert removed.removed_by == manager.name
    assert not removed.active
    store = stores(sessions, SETTINGS)
    assert store.boosts(QUERY, T0 + dt.timedelta(days=2)) == {}
    # New sessions with the same evidence, and old events read again: still removed.
    for number in range(3, 8):
        run(helpful_session, f"v{number}", T0 + dt.timedelta(days=3))
    run(learn, SETTINGS, T0 + dt.timedelta(days=5))
    with sessions() as session, session.begin():  # forget how far it read: all events again
        session.execute(update(LearningState).values(learned_until=None))
    run(learn, SETTINGS, T0 + dt.timedelta(days=6))
    assert learned_now(run, manager) == []
    assert [i.id for i in run(list_associations, SETTINGS, manager, removed=True).items] == [
        item.id
    ]
    store.refresh()
    assert store.boosts(QUERY, T0 + dt.timedelta(days=5)) == {}


def test_what_was_learned_raises_the_article_in_real_searches(
    run: Run, sessions: sessionmaker[Session], service: SearchService, write_article: ArticleWriter
) -> None:
    write_article("paper-jam", title="Paper jam", body="Open the printer tray and the printer.")
    write_article("driver", title="Install a driver", body="The printer driver, printer tools.")
    write_article("queue", title="Clear the queue", body="When nothing prints, clear the printer.")
    service.rebuild()
    query = SearchQuery("printer", lang="en")
    before = [hit.entry.id for hit in service.search(query).hits]
    assert before[-1] == "queue"
    # A generous bound, so that the order surely changes (the bound itself: test_learning.py).
    generous = dataclasses.replace(SETTINGS, learn_max_boost=1.0)
    service.learned = LearnedStore(sessions, generous)
    for number in range(3):
        visitor = f"q{number}"
        run(record_event, "search", visitor=visitor, query="printers", lang="en", now=T0)
        run(record_event, "view", visitor=visitor, article_id="queue", lang="en", now=T0)
        run(
            record_event,
            "vote",
            visitor=visitor,
            article_id="queue",
            lang="en",
            data={"helpful": True},
            now=T0 + dt.timedelta(minutes=1),
        )
    run(learn, SETTINGS, T0 + dt.timedelta(days=2))
    service.learned.refresh()
    after = [hit.entry.id for hit in service.search(query).hits]
    assert after.index("queue") < before.index("queue")
    assert sorted(after) == sorted(before)  # the same hits, only reordered
