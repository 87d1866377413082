"""Account use cases. Each function is one use case inside the caller's transaction
(``with transaction(factory) as session: ...``). Logging in lives in ``login`` (it keeps its
failure count even though it raises, and so runs its own transaction), API tokens in
``tokens``; both are re-exported here for callers that know this module only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from portal.accounts.errors import InvalidToken, RegistrationClosed, UserNotFound, ValidationError
from portal.accounts.login import authenticate, clear_lock, unlock_user
from portal.accounts.lookup import user_by_email as _by_email
from portal.accounts.lookup import user_by_id as _get
from portal.accounts.models import (
    LANGS,
    ROLES,
    TIERS,
    DemoAccount,
    PasswordReset,
    User,
    UserInfo,
    UserPage,
    UserRole,
    UserTeam,
)
from portal.accounts.notices import (
    AlreadyRegisteredNotice,
    Notifier,
    PasswordResetNotice,
    Recipient,
    WelcomeNotice,
    no_mail,
)
from portal.accounts.passwords import (
    enforce_password_policy,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from portal.accounts.tokens import (
    API_TOKEN_PREFIX,
    create_api_token,
    revoke_api_tokens,
    verify_api_token,
)
from portal.config import AccountSettings

__all__ = [  # the log-in and token use cases, re-exported (see the module docstring)
    "API_TOKEN_PREFIX",
    "authenticate",
    "create_api_token",
    "revoke_api_tokens",
    "unlock_user",
    "verify_api_token",
]

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
    clean_lang = _lang(lang)
    enforce_password_policy(password, address, settings, user_inputs=(clean_name,))
    if _by_email(session, address) is not None:
        raise ValidationError(
            "email", "An account with this e-mail address already exists.", "taken"
        )
    user = _add_user(
        session,
        email=address,
        name=clean_name,
        lang=clean_lang,
        password_hash=hash_password(password, settings),
        roles=chosen,
        teams=agent_teams,
        tier=agent_tier,
        now=now,
    )
    return UserInfo.of(user)


def _add_user(
    session: Session,
    *,
    email: str,
    name: str,
    lang: str,
    password_hash: str,
    roles: Iterable[str],
    teams: Iterable[str] = (),
    tier: int | None = None,
    now: dt.datetime,
) -> User:
    """Store a new, active account with a fresh session token (checked values only)."""
    user = User(
        email=email,
        name=name,
        lang=lang,
        password_hash=password_hash,
        auth_token=new_token(),
        active=True,
        failed_logins=0,
        tier=tier,
        created_at=now,
        roles=[UserRole(role=r) for r in roles],
        teams=[UserTeam(team=t) for t in teams],
    )
    session.add(user)
    session.flush()
    return user


def register_user(
    session: Session,
    settings: AccountSettings,
    *,
    email: str,
    name: str,
    password: str,
    lang: str = "ar",
    now: dt.datetime,
    notify: Notifier = no_mail,
) -> None:
    """Self-registration as a requester, unless switched off.

    Answers the same, in the same time, whether or not the address already has an account,
    so the page cannot be used to find out who has one: a new account's owner gets a welcome
    mail, an existing account's owner a note that someone tried (with a way to reset the
    password). Only what the visitor typed is judged aloud (e-mail syntax, name, language,
    the password policy).
    """
    if not settings.registration_enabled:
        raise RegistrationClosed("self-registration is switched off")
    address = normalize_email(email)
    clean_name = _name(name)
    clean_lang = _lang(lang)
    enforce_password_policy(password, address, settings, user_inputs=(clean_name,))
    existing = _by_email(session, address)
    if existing is not None:
        hash_password(password, settings)  # the KDF work a new account costs: same time
        if existing.active:
            notify(session, AlreadyRegisteredNotice(to=_recipient(existing)))
        return
    user = _add_user(
        session,
        email=address,
        name=clean_name,
        lang=clean_lang,
        password_hash=hash_password(password, settings),
        roles=("requester",),
        now=now,
    )
    notify(session, WelcomeNotice(to=_recipient(user)))


def _recipient(user: User) -> Recipient:
    return Recipient(email=user.email, name=user.name, lang=user.lang)


# --- logging in and out --------------------------------------------------------------------


def get_user_by_auth_token(session: Session, auth_token: str) -> UserInfo | None:
    """The user a session cookie belongs to (flask-login ``user_loader``); None when the token
    was rotated (log-out, password change) or the account is deactivated. A log-in lock does
    not end sessions: guessing must not throw the owner out."""
    if not auth_token:
        return None
    user = session.scalars(select(User).where(User.auth_token == auth_token)).first()
    if user is None or not user.active:
        return None
    return UserInfo.of(user)


def end_sessions(session: Session, user_id: int) -> None:
    """Log out: every cookie holding the old auth token stops working; API tokens, which
    scripts hold rather than browsers, stay."""
    _get(session, user_id).auth_token = new_token()


def sign_out_everywhere(session: Session, user_id: int, *, now: dt.datetime) -> UserInfo:
    """End every session and revoke every API token: for a lost laptop or a leaked token.
    The returned user carries the new auth token (nothing is signed in with it yet)."""
    user = _get(session, user_id)
    user.auth_token = new_token()
    revoke_api_tokens(session, user.id, now=now)
    session.flush()
    return UserInfo.of(user)


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
    now: dt.datetime,
) -> UserInfo:
    """Change the password, end every other session and revoke the API tokens (whoever knew
    the old password may have made one); the returned user carries the new auth token, which
    the web layer puts in the current session so it stays logged in."""
    user = _get(session, user_id)
    if not verify_password(user.password_hash, current_password, settings):
        raise ValidationError("current_password", "The current password is wrong.", "wrong")
    enforce_password_policy(
        new_password, user.email, settings, field="new_password", user_inputs=(user.name,)
    )
    user.password_hash = hash_password(new_password, settings)
    user.auth_token = new_token()
    revoke_api_tokens(session, user.id, now=now)
    session.flush()
    return UserInfo.of(user)


def request_password_reset(
    session: Session,
    settings: AccountSettings,
    *,
    email: str,
    now: dt.datetime,
    notify: Notifier = no_mail,
) -> PasswordResetNotice | None:
    """Create a reset token for an active account and hand its mail to ``notify``; None for
    anyone else.

    The caller answers the same either way ("if the address has an account, we sent a
    link"): the mail is only queued here, so both answers take about the same time. The
    notice is returned for commands and tests; a page must not act on it.
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
    notice = PasswordResetNotice(
        to=_recipient(user),
        token=token,
        expires_at=expires,
        minutes=int(settings.reset_token_ttl.total_seconds() // 60),
    )
    notify(session, notice)
    return notice


def reset_password(
    session: Session,
    settings: AccountSettings,
    *,
    token: str,
    new_password: str,
    now: dt.datetime,
) -> UserInfo:
    """Set a new password with a reset token: single use, expiring; ends every session,
    revokes the API tokens and voids the user's other outstanding reset tokens. Lifts a
    log-in lock too: the link proves the owner has the mailbox."""
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_digest(token))
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidToken("the reset link is invalid or has expired")
    user = _get(session, reset.user_id)
    if not user.active:
        raise InvalidToken("the reset link is invalid or has expired")
    enforce_password_policy(new_password, user.email, settings, user_inputs=(user.name,))
    user.password_hash = hash_password(new_password, settings)
    user.auth_token = new_token()
    clear_lock(user)
    revoke_api_tokens(session, user.id, now=now)
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


def deactivate_user(session: Session, user_id: int, *, now: dt.datetime) -> UserInfo:
    """Stop someone logging in, end their sessions and revoke their API tokens for good (a
    later reactivation does not bring them back); history stays."""
    user = _get(session, user_id)
    user.active = False
    user.auth_token = new_token()
    revoke_api_tokens(session, user.id, now=now)
    session.flush()
    return UserInfo.of(user)


def reactivate_user(session: Session, user_id: int) -> UserInfo:
    """Let a deactivated person log in again (with a fresh session; old tokens stay dead)."""
    user = _get(session, user_id)
    user.active = True
    session.flush()
    return UserInfo.of(user)


def list_agents(session: Session, team: str | None = None) -> tuple[UserInfo, ...]:
    """Active agents, optionally of one team (assignment choices)."""
    stmt = select(User).where(User.active.is_(True), User.roles.any(UserRole.role == "agent"))
    if team:
        stmt = stmt.where(User.teams.any(UserTeam.team == team))
    return tuple(UserInfo.of(u) for u in session.scalars(stmt.order_by(User.name)).all())


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
