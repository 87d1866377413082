"""Within a team, tickets go round robin or to the least loaded agent, skipping away agents."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.accounts.teams import create_team, set_away, update_team
from portal.tickets.models import Ticket
from portal.tickets.team_assignment import pick_assignee
from portal.tickets.values import TicketInfo
from tests.support.accounts import MakeUser, Run
from tests.support.tickets import MakeTicket


def _team(run: Run, make_user: MakeUser, mode: str = "round_robin") -> list[int]:
    admin = make_user("admin")
    run(create_team, admin, key="network", name_ar="الشبكات", name_en="Network", assignment=mode)
    agents = [make_user("agent", tier=1, teams=("network",)) for _ in range(3)]
    make_user("agent", tier=2, teams=("network",))  # wrong tier: never picked
    return [a.id for a in agents]


def test_round_robin_takes_turns_and_wraps(run: Run, make_user: MakeUser) -> None:
    ids = _team(run, make_user)
    picks = [run(pick_assignee, "network") for _ in range(4)]
    assert picks == [ids[0], ids[1], ids[2], ids[0]]


def test_away_agents_are_skipped(run: Run, make_user: MakeUser) -> None:
    ids = _team(run, make_user)
    admin = make_user("admin")
    run(set_away, admin, ids[1], True)
    picks = [run(pick_assignee, "network") for _ in range(3)]
    assert picks == [ids[0], ids[2], ids[0]]


def test_least_loaded_picks_the_agent_with_fewest_active_tickets(
    run: Run, make_user: MakeUser, make_ticket: MakeTicket
) -> None:
    ids = _team(run, make_user, mode="least_loaded")

    def give(session: Session, ticket: TicketInfo, user_id: int) -> None:
        row = session.get(Ticket, ticket.id)
        assert row is not None
        row.assignee_id = user_id

    for user_id in (ids[0], ids[0], ids[1]):
        run(give, make_ticket(), user_id)
    assert run(pick_assignee, "network") == ids[2]


def test_no_team_record_or_inactive_team_picks_nobody(run: Run, make_user: MakeUser) -> None:
    _team(run, make_user)
    admin = make_user("admin")
    assert run(pick_assignee, "unknown") is None
    run(
        update_team,
        admin,
        "network",
        name_ar="ش",
        name_en="N",
        tier=1,
        assignment="round_robin",
        active=False,
    )
    assert run(pick_assignee, "network") is None
