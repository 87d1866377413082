"""Teams as records: seed from settings, create, rename, members, deactivate; agents' away flag.

Only admins change teams (checked here, not only in the views); an agent may mark themself
away, an admin may mark anyone. The team key is the link that user_teams and tickets hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.errors import AccountsError, ValidationError
from portal.accounts.models import ASSIGNMENT_MODES, TIERS, Team, User, UserInfo, UserTeam

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# The names a seeded team starts with (Arabic, English) when its key is one of the usual ones;
# any other key is named by itself until an admin renames it. Only the seed reads this: pages
# and mails name teams from their records.
SEED_NAMES: dict[str, tuple[str, str]] = {
    "support": ("فريق الدعم", "Support team"),
    "network": ("فريق الشبكات", "Network team"),
    "accounts": ("فريق الحسابات", "Accounts team"),
    "hardware": ("فريق الأجهزة", "Hardware team"),
    "security": ("فريق الأمن", "Security team"),
}

# A team key → (Arabic name, English name).
TeamLabels = dict[str, tuple[str, str]]


class NotAllowed(AccountsError):
    """The actor may not do this (teams are managed by admins)."""


class TeamNotFound(AccountsError):
    """No team with that key."""


@dataclass(frozen=True)
class TeamInfo:
    key: str
    name_ar: str
    name_en: str
    tier: int
    active: bool
    assignment: str

    def name(self, lang: str) -> str:
        return self.name_ar if lang == "ar" else self.name_en


def _info(team: Team) -> TeamInfo:
    return TeamInfo(team.key, team.name_ar, team.name_en, team.tier, team.active, team.assignment)


def _require_admin(actor: UserInfo) -> None:
    if not actor.has_role("admin"):
        raise NotAllowed("only admins manage teams")


def _key(key: str) -> str:
    cleaned = key.strip().lower()
    if not _KEY_RE.match(cleaned):
        raise ValidationError("key", "Use lower-case letters, digits, - or _ (up to 64).")
    return cleaned


def _names(name_ar: str, name_en: str) -> tuple[str, str]:
    ar, en = name_ar.strip(), name_en.strip()
    if not ar:
        raise ValidationError("name_ar", "The Arabic name is required.")
    if not en:
        raise ValidationError("name_en", "The English name is required.")
    return ar[:200], en[:200]


def _tier(tier: int) -> int:
    if tier not in TIERS:
        raise ValidationError("tier", "The tier is 1, 2 or 3.")
    return tier


def _mode(mode: str) -> str:
    if mode not in ASSIGNMENT_MODES:
        raise ValidationError("assignment", "Choose round robin or least loaded.")
    return mode


def _get(session: Session, key: str) -> Team:
    team = session.scalar(select(Team).where(Team.key == key.strip().lower()))
    if team is None:
        raise TeamNotFound(key)
    return team


def seed_teams(session: Session, default_team: str, category_teams: Iterable[str]) -> list[str]:
    """Create a team for SANAD_DEFAULT_TEAM and every SANAD_CATEGORY_TEAMS target that has no
    record yet (a usual key gets its usual names, any other is named by its key until an admin
    renames it); returns the keys created."""
    wanted = sorted({default_team, *category_teams} - {""})
    existing = set(session.scalars(select(Team.key).where(Team.key.in_(wanted))))
    created = [key for key in wanted if key not in existing]
    for key in created:
        ar, en = SEED_NAMES.get(key, (key, key))
        session.add(Team(key=key, name_ar=ar, name_en=en, tier=1, active=True))
    session.flush()
    return created


def list_teams(session: Session, *, include_inactive: bool = True) -> tuple[TeamInfo, ...]:
    query = select(Team).order_by(Team.tier, Team.key)
    if not include_inactive:
        query = query.where(Team.active.is_(True))
    return tuple(_info(t) for t in session.scalars(query))


def team_names(session: Session, lang: str) -> dict[str, str]:
    """Each team key's name in ``lang``, for labels wherever a team key shows."""
    return {t.key: t.name(lang) for t in list_teams(session)}


def team_labels(session: Session) -> TeamLabels:
    """Every team key's names in both languages (inactive teams too: old tickets name them),
    read in one query; pages and mails pick the reader's language with ``label``."""
    rows = session.execute(select(Team.key, Team.name_ar, Team.name_en))
    return {key: (ar, en) for key, ar, en in rows}


def label(labels: TeamLabels, key: str | None, lang: str) -> str:
    """The team's name in ``lang``; a key without a record (a deleted team) shows as it is."""
    if not key:
        return ""
    names = labels.get(key)
    if names is None:
        return key
    return names[0] if lang == "ar" else names[1]


def create_team(
    session: Session,
    actor: UserInfo,
    *,
    key: str,
    name_ar: str,
    name_en: str,
    tier: int = 1,
    assignment: str = "round_robin",
) -> TeamInfo:
    _require_admin(actor)
    clean_key = _key(key)
    ar, en = _names(name_ar, name_en)
    tier, assignment = _tier(tier), _mode(assignment)
    if session.scalar(select(Team.id).where(Team.key == clean_key)) is not None:
        raise ValidationError("key", "A team with this key exists.", "taken")
    team = Team(
        key=clean_key, name_ar=ar, name_en=en, tier=tier, active=True, assignment=assignment
    )
    session.add(team)
    session.flush()
    return _info(team)


def update_team(
    session: Session,
    actor: UserInfo,
    key: str,
    *,
    name_ar: str,
    name_en: str,
    tier: int,
    assignment: str,
    active: bool = True,
) -> TeamInfo:
    """Rename, re-tier, change the assignment mode or (de)activate a team."""
    _require_admin(actor)
    team = _get(session, key)
    team.name_ar, team.name_en = _names(name_ar, name_en)
    team.tier = _tier(tier)
    team.assignment = _mode(assignment)
    team.active = active
    session.flush()
    return _info(team)


def set_members(session: Session, actor: UserInfo, key: str, user_ids: Iterable[int]) -> list[int]:
    """Make exactly ``user_ids`` the team's members; returns them sorted."""
    _require_admin(actor)
    team = _get(session, key)
    wanted = set(user_ids)
    rows = session.scalars(select(UserTeam).where(UserTeam.team == team.key)).all()
    for row in rows:
        if row.user_id not in wanted:
            session.delete(row)
    have = {row.user_id for row in rows}
    for user_id in sorted(wanted - have):
        if session.get(User, user_id) is None:
            raise ValidationError("members", f"No user {user_id}.")
        session.add(UserTeam(user_id=user_id, team=team.key))
    session.flush()
    return sorted(wanted)


def set_away(session: Session, actor: UserInfo, user_id: int, away: bool) -> bool:
    """Mark an agent away (or back): by themself, or by an admin."""
    if actor.id != user_id and not actor.has_role("admin"):
        raise NotAllowed("only the agent or an admin marks an agent away")
    user = session.get(User, user_id)
    if user is None:
        raise ValidationError("user", f"No user {user_id}.")
    user.away = away
    session.flush()
    return away


def get_team(session: Session, key: str) -> TeamInfo:
    return _info(_get(session, key))


def member_ids(session: Session, key: str) -> set[int]:
    return set(session.scalars(select(UserTeam.user_id).where(UserTeam.team == key)))


def away_ids(session: Session) -> set[int]:
    """The users marked away."""
    return set(session.scalars(select(User.id).where(User.away.is_(True))))
