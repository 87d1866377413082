"""Teams are records seeded from the settings, managed by admins only; agents can be away."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.errors import ValidationError
from portal.accounts.models import User
from portal.accounts.teams import (
    NotAllowed,
    create_team,
    list_teams,
    seed_teams,
    set_away,
    set_members,
    team_names,
    update_team,
)
from tests.support.accounts import MakeUser, Run


def test_seed_from_category_teams_creates_each_key_once(run: Run) -> None:
    created = run(seed_teams, "support", ["network", "accounts", "network"])
    assert created == ["accounts", "network", "support"]
    assert run(seed_teams, "support", ["network"]) == []
    assert [t.key for t in run(list_teams)] == ["accounts", "network", "support"]


def test_admin_names_a_team_in_both_languages(run: Run, make_user: MakeUser) -> None:
    admin = make_user("admin")
    run(create_team, admin, key="Network", name_ar="فريق الشبكات", name_en="Network team", tier=2)
    assert run(team_names, "ar") == {"network": "فريق الشبكات"}
    run(
        update_team,
        admin,
        "network",
        name_ar="الشبكات",
        name_en="Networks",
        tier=2,
        assignment="least_loaded",
    )
    assert run(team_names, "en") == {"network": "Networks"}
    with pytest.raises(ValidationError) as taken:
        run(create_team, admin, key="network", name_ar="س", name_en="x")
    assert taken.value.code == "taken"


def test_agents_cannot_manage_teams(run: Run, make_user: MakeUser) -> None:
    agent = make_user("agent")
    with pytest.raises(NotAllowed):
        run(create_team, agent, key="x", name_ar="س", name_en="x")


def test_members_and_away(run: Run, make_user: MakeUser) -> None:
    admin, one, two = make_user("admin"), make_user("agent"), make_user("agent")
    run(create_team, admin, key="network", name_ar="الشبكات", name_en="Network")
    assert run(set_members, admin, "network", [one.id, two.id]) == sorted([one.id, two.id])
    run(set_members, admin, "network", [two.id])
    run(set_away, one, one.id, True)
    with pytest.raises(NotAllowed):
        run(set_away, one, two.id, True)

    def state(session: Session) -> dict[int, tuple[bool, frozenset[str]]]:
        users = session.scalars(select(User).where(User.id.in_([one.id, two.id])))
        return {u.id: (u.away, u.team_names) for u in users}

    got = run(state)
    assert got[one.id][0] is True
    assert "network" not in got[one.id][1]
    assert "network" in got[two.id][1]
