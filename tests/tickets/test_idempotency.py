"""An ``Idempotency-Key`` opens a ticket at most once: a retry gets the first ticket back,
the same key with another body is refused, and racing retries open exactly one."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.db import make_engine, make_session_factory, transaction
from portal.tickets.errors import ValidationError
from portal.tickets.idempotency import OpenedTicket, fingerprint, open_ticket_once
from portal.tickets.models import Ticket
from portal.tickets.values import TicketDraft

BODY = {"subject": "VPN drops", "body": "Every hour."}
Open = Callable[..., OpenedTicket]


@pytest.fixture
def open_once(
    sessions: sessionmaker[Session],
    ticket_settings: TicketSettings,
    requester: UserInfo,
    now: dt.datetime,
) -> Open:
    def call(
        key: str | None,
        body: dict[str, Any] = BODY,
        *,
        by: UserInfo = requester,
        at: dt.datetime = now,
    ) -> OpenedTicket:
        with transaction(sessions) as session:
            return open_ticket_once(
                session,
                ticket_settings,
                key=key,
                body=body,
                requester=by,
                draft=TicketDraft(subject=str(body["subject"]), body=str(body["body"])),
                now=at,
            )

    return call


def tickets(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


def test_a_retry_with_the_same_key_gets_the_first_ticket_and_no_second_mail(
    open_once: Open, sessions: sessionmaker[Session]
) -> None:
    first = open_once("retry-1")
    again = open_once("retry-1", {"body": "Every hour.", "subject": "VPN drops"})  # key order
    assert not first.replayed
    assert first.result.mails  # the requester is told once...
    assert again.replayed
    assert again.result.mails == ()  # ...not once per retry
    assert again.result.ticket.reference == first.result.ticket.reference
    assert tickets(sessions) == 1


def test_the_same_key_with_another_body_is_refused_naming_the_header(
    open_once: Open, sessions: sessionmaker[Session]
) -> None:
    open_once("retry-1")
    with pytest.raises(ValidationError) as refused:
        open_once("retry-1", {"subject": "VPN drops", "body": "Every minute."})
    assert refused.value.field == "Idempotency-Key"
    assert refused.value.code == "reused"
    assert "different request body" in refused.value.message
    assert tickets(sessions) == 1


def test_keys_belong_to_their_caller_and_last_a_day(
    open_once: Open,
    sessions: sessionmaker[Session],
    make_user: Callable[..., UserInfo],
    now: dt.datetime,
) -> None:
    mine = open_once("k")
    theirs = open_once("k", by=make_user("requester", name="Other"))
    assert not theirs.replayed
    assert theirs.result.ticket.reference != mine.result.ticket.reference
    assert open_once("k", at=now + dt.timedelta(hours=23, minutes=59)).replayed
    later = open_once("k", at=now + dt.timedelta(hours=24))
    assert not later.replayed
    assert tickets(sessions) == 3


def test_without_a_key_every_request_opens_a_ticket(
    open_once: Open, sessions: sessionmaker[Session]
) -> None:
    open_once(None)
    open_once(None)
    assert tickets(sessions) == 2


def test_a_refused_request_is_not_remembered(
    open_once: Open, sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(ValidationError):
        open_once("fix-and-retry", {"subject": "", "body": "Every hour."})
    fixed = open_once("fix-and-retry", {"subject": "VPN", "body": "Every hour."})
    assert not fixed.replayed
    assert tickets(sessions) == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "ключ", "tab\there"])
def test_unusable_keys_are_refused(open_once: Open, key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        open_once(key)
    assert refused.value.field == "Idempotency-Key"


def test_the_fingerprint_ignores_key_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": "1"})


def test_racing_retries_open_exactly_one_ticket(
    database_url: str,
    ticket_settings: TicketSettings,
    requester: UserInfo,
    now: dt.datetime,
    sessions: sessionmaker[Session],
) -> None:
    """Eight workers, each with its own engine as separate processes have, send one key."""
    racers = 8
    answers: list[OpenedTicket] = []
    errors: list[BaseException] = []
    start = threading.Barrier(racers)

    def worker() -> None:
        engine = make_engine(database_url)
        factory = make_session_factory(engine)
        try:
            start.wait()
            with transaction(factory) as session:
                answers.append(
                    open_ticket_once(
                        session,
                        ticket_settings,
                        key="lost-answer",
                        body=BODY,
                        requester=requester,
                        draft=TicketDraft(subject="VPN drops", body="Every hour."),
                        now=now,
                    )
                )
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert tickets(sessions) == 1
    assert len({a.result.ticket.reference for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False] + [True] * (racers - 1)
