"""Account tables and the values that cross the accounts boundary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UtcDateTime, intpk, utcnow

# "author": allowed by knowledge managers to write drafts, which someone else reviews.
ROLES = ("requester", "agent", "knowledge_manager", "author", "trainer", "admin")
STAFF_ROLES = frozenset({"agent", "admin"})
# Who may read internal articles (audience: internal) in search, listings and on their page.
INTERNAL_READERS = frozenset({"agent", "admin", "knowledge_manager"})
TIERS = (1, 2, 3)
LANGS = ("ar", "en")


class User(Base):
    """A person who can log in (visitors who open tickets without an account are not users)."""

    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised, lower case
    name: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5), default="ar")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # flask-login's "alternative id": the web layer stores this, not the user id, in the
    # session. Rotating it (log-out everywhere, password change or reset) makes every old
    # cookie worthless.
    auth_token: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Failed log-ins in a row (reset by a success, an unlock or a password reset, and when the
    # last failure is older than the longest lock): from the threshold on, each one locks.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # A lock is temporary: log-ins wait until ``locked_until``; ``locked_at`` says when it began.
    locked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    tier: Mapped[int | None] = mapped_column(Integer)  # agents only: 1, 2 or 3
    # An agent who is away (leave, sick day) is skipped by automatic assignment.
    away: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )
    teams: Mapped[list[UserTeam]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserTeam.team"
    )

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)

    @property
    def team_names(self) -> frozenset[str]:
        return frozenset(t.team for t in self.teams)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))


ASSIGNMENT_MODES = ("round_robin", "least_loaded")


class Team(Base):
    """A team as a record: its key is what user_teams.team and tickets.team hold."""

    __tablename__ = "teams"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assignment: Mapped[str] = mapped_column(String(20), default="round_robin")
    # Round-robin cursor: the id of the agent given the last ticket, updated in the same
    # transaction that assigns (row locked), so several workers never pick the same turn.
    last_assignee_id: Mapped[int | None] = mapped_column(Integer)


class UserTeam(Base):
    """An agent's membership of a team; tickets are routed to teams, agents see their teams'."""

    __tablename__ = "user_teams"
    __table_args__ = (UniqueConstraint("user_id", "team"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team: Mapped[str] = mapped_column(String(60), index=True)


class PasswordReset(Base):
    """A single-use reset token; only its SHA-256 is stored, so a database leak opens nothing."""

    __tablename__ = "password_resets"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A personal API token (``Authorization: Bearer``); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, shown on the profile so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # Written at most once a minute per token, so a busy script does not write on every call.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LoginAddressThrottle(Base):
    """Failed log-ins from one client address, whichever accounts they tried: one address
    guessing many accounts is locked out like one account guessed from many places."""

    __tablename__ = "login_address_throttles"

    id: Mapped[intpk]
    address: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class UserInfo:
    """A user as views, templates and other packages see one (never the password hash)."""

    id: int
    email: str
    name: str
    lang: str
    roles: frozenset[str]
    tier: int | None
    teams: frozenset[str]
    active: bool
    auth_token: str
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None
    # Log-ins wait until then; sessions and API tokens that exist keep working meanwhile.
    locked_until: dt.datetime | None = None

    def locked(self, now: dt.datetime) -> bool:
        """Whether a log-in at ``now`` must wait for the lock to end."""
        return self.locked_until is not None and self.locked_until > now

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_agent(self) -> bool:
        return "agent" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_staff(self) -> bool:
        """May work tickets (see internal notes, the queue)."""
        return bool(self.roles & STAFF_ROLES)

    @property
    def reads_internal(self) -> bool:
        """May read internal articles: agents, knowledge managers, admins."""
        return bool(self.roles & INTERNAL_READERS)

    @property
    def direction(self) -> str:
        return "rtl" if self.lang == "ar" else "ltr"

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            lang=user.lang,
            roles=user.role_names,
            tier=user.tier,
            teams=user.team_names,
            active=user.active,
            auth_token=user.auth_token,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
            locked_until=user.locked_until,
        )


@dataclass(frozen=True)
class UserPage:
    total: int
    page: int
    per_page: int
    users: tuple[UserInfo, ...]


@dataclass(frozen=True)
class ApiTokenInfo:
    """A personal API token as its owner sees it on the profile (never the secret itself)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at <= now


@dataclass(frozen=True)
class NewApiToken:
    """A token just created: the plain secret is shown once, then only its hash exists."""

    token: str
    info: ApiTokenInfo


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    roles: tuple[str, ...]
