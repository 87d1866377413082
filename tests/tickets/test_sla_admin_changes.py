"""An admin's change to the calendar, a holiday or a policy moves the deadlines of the tickets
still open (issue 12: deadlines are recomputed when the policy changes), and leaves a target
already met, and a closed ticket, as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from portal.accounts.models import UserInfo
from portal.tickets.conversation import add_reply
from portal.tickets.models import Ticket
from portal.tickets.sla_admin import add_holiday, delete_holiday, list_policies, save_policy
from portal.tickets.sla_models import SlaHoliday
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket


def riyadh(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=3)))


# Opened Monday 23 Nov, 12:00 in Riyadh: 48 working hours of 10:00-16:00 end 1 Dec at 12:00.
DUE = riyadh(1, 12, month=12)


def due_of(run: Run, reference: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    def read(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        return ticket.first_response_due, ticket.resolution_due

    return run(read)  # type: ignore[no-any-return]


def test_a_holiday_and_a_policy_change_move_the_open_tickets_deadlines(
    run: Run,
    make_ticket: MakeTicket,
    make_user: Callable[..., UserInfo],
    agent: UserInfo,
    ticket_settings: object,
    now: dt.datetime,
) -> None:
    admin = make_user("admin", roles=("admin",))
    waiting = make_ticket("VPN drops", by=agent, at=now).reference
    answered = make_ticket("Printer jams", by=agent, at=now).reference
    run(add_reply, ticket_settings, agent, answered, body="On my way.", now=now)
    assert due_of(run, waiting)[0] == DUE
    met = due_of(run, answered)[0]

    # A holiday on Wednesday 25 Nov: one working day (6 h) more for the open ticket.
    run(add_holiday, admin, date="2026-11-25", name="Founding day")
    assert due_of(run, waiting)[0] == riyadh(2, 12, month=12)
    assert due_of(run, answered)[0] == met  # the first response was given: it keeps its deadline
    holiday = run(lambda s: s.scalar(select(SlaHoliday.id)))
    run(delete_holiday, admin, holiday)
    assert due_of(run, waiting)[0] == DUE

    # The default policy's first response in 24 working hours instead of 48.
    [default] = [p for p in run(list_policies, admin) if p.name == "default"]
    run(
        save_policy,
        admin,
        policy_id=default.id,
        name=default.name,
        first_response_minutes=24 * 60,
        next_response_minutes=default.next_response_minutes,
        resolution_minutes=default.resolution_minutes,
    )
    assert due_of(run, waiting)[0] == riyadh(27, 12)  # 4 h + 3 x 6 h + 2 h
