"""Two workers opening tickets at once never share a reference nor fail."""

from __future__ import annotations

import datetime as dt
import threading

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.db import make_engine, make_session_factory, transaction
from portal.tickets.intake import open_ticket
from portal.tickets.values import TicketDraft

PER_WORKER = 50


def test_two_workers_open_fifty_tickets_each_with_distinct_references(
    database_url: str, ticket_settings: TicketSettings, requester: UserInfo, now: dt.datetime
) -> None:
    references: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(number: int) -> None:
        engine = make_engine(database_url)  # one engine per worker, like two processes
        sessions = make_session_factory(engine)
        try:
            start.wait()
            for i in range(PER_WORKER):
                with transaction(sessions) as session:
                    result = open_ticket(
                        session,
                        ticket_settings,
                        requester=requester,
                        draft=TicketDraft(subject=f"worker {number} #{i}", body="load"),
                        now=now,
                    )
                references.append(result.ticket.reference)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(references) == 2 * PER_WORKER
    assert sorted(references) == [f"HD-{n:06d}" for n in range(1, 2 * PER_WORKER + 1)]
