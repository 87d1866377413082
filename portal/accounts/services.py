"""Account use cases. Each function is one use case inside the caller's transaction
(``with transaction(factory) as session: ...``), except ``authenticate``, which must keep its
failed-attempt count even though it raises, and so runs its own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import (
    InvalidCredentials,
    InvalidToken,
    RegistrationClosed,
    UserNotFound,
    ValidationError,
)
from portal.accounts.models import (
    LANGS,
    ROLES,
    TIERS,
    ApiToken,
    DemoAccount,
    PasswordReset,
    ResetRequest,
    User,
    UserInfo,
    UserPage,
    UserRole,
    UserTeam,
)
from portal.accounts.passwords import (
    enforce_password_policy,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from portal.config import AccountSettings
from portal.db import transaction

API_TOKEN_PREFIX = "sanad_"  # noqa: S105  (a visible prefix, not a secret: lets scanners spot leaks)
MAX_PER_PAGE = 100


# --- values --------------------------------------------------------------------------------


def normalize_email(email: str, field: str = "email") -> str:
    """The canonical, lower-case form of ``email``, or ``ValidationError(field)``."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, str(exc), "email_invalid") from exc
    return checked.normalized.lower()


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("name", "Enter your name.", "required")
    if len(cleaned) > 200:
        raise ValidationError("name", "Use at most 200 characters.", "too_long")
    return cleaned


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValidationError("lang", f"Choose one of: {', '.join(LANGS)}.", "choice")
    return lang


def _roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise ValidationError("roles", "Give the person at least one role.", "required")
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise ValidationError("roles", f"Unknown role: {', '.join(unknown)}.", "choice")
    return chosen


def _agent_fields(
    roles: list[str], tier: int | None, teams: Iterable[str], settings: AccountSettings
) -> tuple[int | None, list[str]]:
    """Agents always have a tier and at least one team; other people have neither."""
    if "agent" not in roles:
        return None, []
    tier = 1 if tier is None else tier
    if tier not in TIERS:
        raise ValidationError("tier", "The tier is 1, 2 or 3.", "choice")
    cleaned = sorted({t.strip().lower() for t in teams if t.strip()}) or [settings.default_team]
    for team in cleaned:
        if len(team) > 60:
            raise ValidationError("teams", "A team name has at most 60 characters.", "too_long")
    return tier, cleaned


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"no user #{user_id}")
    return user


def _by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


# --- creating people -----------------------------------------------------------------------


def create_user(
    session: Session,
    settings: AccountSettings,
    *,
    email: str,
    name: str,
    password: str,
    roles: Iterable[str] = ("requester",),
    lang: str = "ar",
    tier: int | None = None,
    teams: Iterable[str] = (),
    now: dt.datetime,
) -> UserInfo:
    """Create an account (admin page, ``sanad users create``); the password policy applies."""
    address = normalize_email(email)
    clean_name = _name(name)
    chosen = _roles(roles)
    agent_tier, agent_teams = _agent_fields(chosen, tier, teams, settings)
    enforce_password_policy(password, address, settings)
    if _by_email(session, address) is not None:
        raise ValidationError(
            "email", "An account with this e-mail address already exists.", "taken"
        )
    user = User(
        email=address,
        name=clean_name,
        lang=_lang(lang),
        password_hash=hash_password(password, settings),
        auth_token=new_token(),
        active=True,
        failed_logins=0,
        tier=agent_tier,
        created_at=now,
        roles=[UserRole(role=r) for r in chosen],
        teams=[UserTeam(team=t) for t in agent_teams],
    )
    session.add(user)
    session.flush()
    return UserInfo.of(user)


def register_user(
    session: Session,
    settings: AccountSettings,
    *,
    email: str,
    name: str,
    password: str,
    lang: str = "ar",
    now: dt.datetime,
) -> UserInfo:
    """Self-registration as a requester, unless switched off."""
    if not settings.registration_enabled:
        raise RegistrationClosed("self-registration is switched off")
    return create_user(
        session, settings, email=email, name=name, password=password, lang=lang, now=now
    )


# --- logging in and out --------------------------------------------------------------------


def authenticate(
    sessions: sessionmaker[Session],
    settings: AccountSettings,
    *,
    email: str,
    password: str,
    now: dt.datetime,
) -> UserInfo:
    """Check a log-in; return the user, or raise ``InvalidCredentials`` for every failure.

    Runs the KDF for unknown addresses too (timing), counts failures and locks the account at
    ``settings.lockout_threshold``; commits the count before raising.
    """
    result: UserInfo | None = None
    with transaction(sessions) as session:
        user = _by_email(session, email) if "@" in email else None
        matched = verify_password(user.password_hash if user else None, password, settings)
        if user is None:
            pass
        elif matched and user.active and user.locked_at is None:
            user.failed_logins = 0
            user.last_login_at = now
            if user.password_hash and needs_rehash(user.password_hash, settings):
                user.password_hash = hash_password(password, settings)
            result = UserInfo.of(user)
        elif not matched:
            # An SQL increment, not read-modify-write: concurrent failures all count.
            session.execute(
                update(User)
                .where(User.id == user.id)
                .values(failed_logins=User.failed_logins + 1)
                .execution_options(synchronize_session=False)
            )
            session.refresh(user)
            if user.failed_logins >= settings.lockout_threshold and user.locked_at is None:
                user.locked_at = now
    if result is None:
        raise InvalidCredentials("wrong e-mail address or password")
    return result


def get_user_by_auth_token(session: Session, auth_token: str) -> UserInfo | None:
    """The user a session cookie belongs to (flask-login ``user_loader``); None when the token
    was rotated (log-out, password change) or the account is deactivated or locked."""
    if not auth_token:
        return None
    user = session.scalars(select(User).where(User.auth_token == auth_token)).first()
    if user is None or not user.active or user.locked_at is not None:
        return None
    return UserInfo.of(user)


def end_sessions(session: Session, user_id: int) -> None:
    """Log out everywhere: every cookie holding the old auth token stops working."""
    _get(session, user_id).auth_token = new_token()


def get_user(session: Session, user_id: int) -> UserInfo:
    return UserInfo.of(_get(session, user_id))


def find_user_by_email(session: Session, email: str) -> UserInfo:
    """Admin/CLI look-up; raises ``UserNotFound``."""
    user = _by_email(session, email)
    if user is None:
        raise UserNotFound(f"no user with e-mail {email!r}")
    return UserInfo.of(user)


# --- profile and passwords -----------------------------------------------------------------


def update_profile(session: Session, user_id: int, *, name: str, lang: str) -> UserInfo:
    """Change the display name and the language of the interface and of e-mails."""
    user = _get(session, user_id)
    user.name = _name(name)
    user.lang = _lang(lang)
    session.flush()
    return UserInfo.of(user)


def change_password(
    session: Session,
    settings: AccountSettings,
    user_id: int,
    *,
    current_password: str,
    new_password: str,
) -> UserInfo:
    """Change the password and end every other session; the returned user carries the new
    auth token, which the web layer puts in the current session so it stays logged in."""
    user = _get(session, user_id)
    if not verify_password(user.password_hash, current_password, settings):
        raise ValidationError("current_password", "The current password is wrong.", "wrong")
    enforce_password_policy(new_password, user.email, settings, field="new_password")
    user.password_hash = hash_password(new_password, settings)
    user.auth_token = new_token()
    session.flush()
    return UserInfo.of(user)


def request_password_reset(
    session: Session, settings: AccountSettings, *, email: str, now: dt.datetime
) -> ResetRequest | None:
    """Create a reset token for an active account; None for anyone else.

    The caller answers the same either way ("if the address has an account, we sent a link")
    and e-mails the link only when a request is returned.
    """
    token = new_token()
    digest = token_digest(token)
    user = _by_email(session, email) if "@" in email else None
    if user is None or not user.active:
        return None
    expires = now + settings.reset_token_ttl
    session.add(
        PasswordReset(user_id=user.id, token_hash=digest, created_at=now, expires_at=expires)
    )
    session.flush()
    return ResetRequest(
        email=user.email, name=user.name, lang=user.lang, token=token, expires_at=expires
    )


def reset_password(
    session: Session,
    settings: AccountSettings,
    *,
    token: str,
    new_password: str,
    now: dt.datetime,
) -> UserInfo:
    """Set a new password with a reset token: single use, expiring; ends every session and
    voids the user's other outstanding reset tokens. Does not unlock a locked account."""
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_digest(token))
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidToken("the reset link is invalid or has expired")
    user = _get(session, reset.user_id)
    if not user.active:
        raise InvalidToken("the reset link is invalid or has expired")
    enforce_password_policy(new_password, user.email, settings)
    user.password_hash = hash_password(new_password, settings)
    user.auth_token = new_token()
    user.failed_logins = 0
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return UserInfo.of(user)


# --- administration ------------------------------------------------------------------------


def list_users(
    session: Session,
    *,
    query: str = "",
    role: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> UserPage:
    """Users whose name or e-mail contains ``query``, optionally with ``role``, by name."""
    page = max(1, page)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    stmt = select(User)
    text = query.strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if role:
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = session.scalars(
        stmt.order_by(User.name, User.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return UserPage(
        total=total, page=page, per_page=per_page, users=tuple(UserInfo.of(u) for u in users)
    )


def set_roles(
    session: Session,
    settings: AccountSettings,
    user_id: int,
    *,
    roles: Iterable[str],
    tier: int | None = None,
    teams: Iterable[str] = (),
) -> UserInfo:
    """Replace a person's roles, and for agents their tier and teams."""
    user = _get(session, user_id)
    chosen = _roles(roles)
    agent_tier, agent_teams = _agent_fields(chosen, tier, teams, settings)
    current_roles = {r.role: r for r in user.roles}
    user.roles = [current_roles.get(r) or UserRole(role=r) for r in chosen]
    current_teams = {t.team: t for t in user.teams}
    user.teams = [current_teams.get(t) or UserTeam(team=t) for t in agent_teams]
    user.tier = agent_tier
    session.flush()
    return UserInfo.of(user)


def deactivate_user(session: Session, user_id: int) -> UserInfo:
    """Stop someone logging in or using API tokens, and end their sessions; history stays."""
    user = _get(session, user_id)
    user.active = False
    user.auth_token = new_token()
    session.flush()
    return UserInfo.of(user)


def reactivate_user(session: Session, user_id: int) -> UserInfo:
    user = _get(session, user_id)
    user.active = True
    session.flush()
    return UserInfo.of(user)


def unlock_user(session: Session, user_id: int) -> UserInfo:
    """Lift a lock-out after too many failed log-ins."""
    user = _get(session, user_id)
    user.locked_at = None
    user.failed_logins = 0
    session.flush()
    return UserInfo.of(user)


def list_agents(session: Session, team: str | None = None) -> tuple[UserInfo, ...]:
    """Active agents, optionally of one team (assignment choices)."""
    stmt = select(User).where(User.active.is_(True), User.roles.any(UserRole.role == "agent"))
    if team:
        stmt = stmt.where(User.teams.any(UserTeam.team == team))
    return tuple(UserInfo.of(u) for u in session.scalars(stmt.order_by(User.name)).all())


# --- API tokens ----------------------------------------------------------------------------


def create_api_token(session: Session, *, email: str, now: dt.datetime, name: str = "") -> str:
    """A new personal API token for ``email`` (``sanad tokens create``). The plain token is
    returned once; only its hash is stored."""
    user = _by_email(session, email)
    if user is None:
        raise UserNotFound(f"no user with e-mail {email!r}")
    token = API_TOKEN_PREFIX + new_token()
    session.add(
        ApiToken(user_id=user.id, token_hash=token_digest(token), name=name[:100], created_at=now)
    )
    session.flush()
    return token


def verify_api_token(session: Session, token: str) -> UserInfo:
    """The active user a bearer token belongs to, or ``InvalidToken``."""
    if not token.startswith(API_TOKEN_PREFIX):
        raise InvalidToken("unknown API token")
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(token))
    ).first()
    if row is None:
        raise InvalidToken("unknown API token")
    api_token, user = row[0], row[1]
    if api_token.revoked_at is not None or not user.active or user.locked_at is not None:
        raise InvalidToken("unknown API token")
    return UserInfo.of(user)


def revoke_api_tokens(session: Session, user_id: int, *, now: dt.datetime) -> int:
    """Revoke every API token of a user; returns how many were live."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- demo ----------------------------------------------------------------------------------

# (email, name, roles, tier, teams, password). The passwords pass the policy on purpose.
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...], int | None, tuple[str, ...], str], ...] = (
    ("requester@sanad.example", "سارة الطالبة", ("requester",), None, (), "palm-Tree-lantern-41"),
    ("agent1@sanad.example", "خالد (الدعم ١)", ("agent",), 1, ("support",), "amber-Dune-ferry-72"),
    ("agent2@sanad.example", "منى (الدعم ٢)", ("agent",), 2, ("support",), "quiet-Oasis-river-19"),
    (
        "knowledge@sanad.example",
        "Layla Knowledge",
        ("knowledge_manager",),
        None,
        (),
        "cedar-Ink-harbor-58",
    ),
    (
        "reviewer@sanad.example",
        "نادية المراجِعة",
        ("knowledge_manager",),
        None,
        (),
        "maple-Reed-compass-64",
    ),
    ("author@sanad.example", "Yusuf Author", ("author",), None, (), "coral-Step-lantern-35"),
    ("trainer@sanad.example", "Omar Trainer", ("trainer",), None, (), "silver-Kite-meadow-26"),
    ("admin@sanad.example", "Admin", ("admin", "agent"), 3, ("support",), "golden-Falcon-stone-83"),
)


def ensure_demo_accounts(
    session: Session, settings: AccountSettings, *, now: dt.datetime
) -> tuple[DemoAccount, ...]:
    """Create the demo accounts that are missing, one per role; existing ones are left alone
    (an admin may have changed them). Returns (email, password, roles) rows to print."""
    rows = []
    for email, name, roles, tier, teams, password in DEMO_ACCOUNTS:
        if _by_email(session, email) is None:
            create_user(
                session,
                settings,
                email=email,
                name=name,
                password=password,
                roles=roles,
                lang="ar" if email.startswith(("requester", "agent")) else "en",
                tier=tier,
                teams=teams,
                now=now,
            )
        rows.append(DemoAccount(email=email, password=password, roles=roles))
    return tuple(rows)
