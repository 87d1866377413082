"""Who in a team gets the next ticket: round robin or least loaded (the team's own setting).

Candidates are the team's members who are active, not away, agents, and of the team's tier.
Round robin keeps its cursor in the team's row (teams.last_assignee_id), read with
SELECT ... FOR UPDATE and written in the caller's transaction, so several workers assigning at
once take turns instead of picking the same agent (SQLite serialises writers anyway).
Least loaded counts each candidate's active tickets; ties go to the lowest user id.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import Team, User, UserRole, UserTeam
from portal.tickets.models import Ticket
from portal.tickets.states import ACTIVE_STATUSES


def candidates(session: Session, team: Team) -> list[int]:
    """Ids of the agents who may get the team's tickets now, in id order."""
    query = (
        select(User.id)
        .join(UserTeam, UserTeam.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserTeam.team == team.key,
            UserRole.role == "agent",
            User.active.is_(True),
            User.away.is_(False),
            User.tier == team.tier,
        )
        .order_by(User.id)
        .distinct()
    )
    return list(session.scalars(query))


def _round_robin(team: Team, ids: list[int]) -> int:
    after = [i for i in ids if team.last_assignee_id is not None and i > team.last_assignee_id]
    return after[0] if after else ids[0]


def _least_loaded(session: Session, ids: list[int]) -> int:
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(ids), Ticket.status.in_(ACTIVE_STATUSES))
        .group_by(Ticket.assignee_id)
    )
    counts: dict[int | None, int] = {row[0]: row[1] for row in rows}
    return min(ids, key=lambda i: (counts.get(i, 0), i))


def pick_assignee(session: Session, team_key: str) -> int | None:
    """The agent who gets the team's next ticket, or None (no team record, nobody available).

    Advances the round-robin cursor: call it once per ticket, in the transaction that assigns.
    """
    # Teams and members are not what the caller is changing: reading them needs no flush of
    # the caller's pending work (a job escalating hundreds of tickets would flush each time).
    with session.no_autoflush:
        team = session.scalar(
            select(Team).where(Team.key == team_key, Team.active.is_(True)).with_for_update()
        )
        if team is None:
            return None
        ids = candidates(session, team)
    if not ids:
        return None
    if team.assignment == "least_loaded":
        return _least_loaded(session, ids)  # counts tickets: flushes the assignments made
    chosen = _round_robin(team, ids)
    team.last_assignee_id = chosen  # written with the caller's transaction (the row is locked)
    return chosen
