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
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    tier: Mapped[int | None] = mapped_column(Integer)  # agents only: 1, 2 or 3
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
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


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
    locked: bool
    auth_token: str
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None

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
            locked=user.locked_at is not None,
            auth_token=user.auth_token,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


@dataclass(frozen=True)
class UserPage:
    total: int
    page: int
    per_page: int
    users: tuple[UserInfo, ...]


@dataclass(frozen=True)
class ResetRequest:
    """What the caller needs to e-mail a reset link. Returned only for a real, active account:
    the caller must answer the person identically either way."""

    email: str
    name: str
    lang: str
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    roles: tuple[str, ...]
