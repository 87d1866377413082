"""Personal API tokens (``Authorization: Bearer sanad_…``): create, verify, list, revoke.

Only a token's SHA-256 is stored. Every token expires (a default lifetime from the settings,
or one chosen at creation) and records when it was last used, at most once a minute so a
busy script does not turn every read into a write. A password change, a reset,
deactivation and "sign out everywhere" revoke them all (``revoke_api_tokens``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import InvalidToken, UserNotFound, ValidationError
from portal.accounts.lookup import user_by_email, user_by_id
from portal.accounts.models import ApiToken, ApiTokenInfo, NewApiToken, User, UserInfo
from portal.accounts.passwords import new_token, token_digest
from portal.config import MAX_API_TOKEN_DAYS, AccountSettings
from portal.db import transaction

API_TOKEN_PREFIX = "sanad_"  # noqa: S105  (a visible prefix, not a secret: lets scanners spot leaks)
# What the profile shows of a token: the prefix and 6 random characters, enough to tell one's
# own tokens apart, far too few to guess the rest.
SHOWN_CHARACTERS = len(API_TOKEN_PREFIX) + 6
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_LIFETIME = dt.timedelta(days=MAX_API_TOKEN_DAYS)
DEFAULT_LIFETIME = AccountSettings().api_token_ttl


def _info(row: ApiToken) -> ApiTokenInfo:
    return ApiTokenInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def issue_api_token(
    session: Session,
    *,
    user_id: int,
    now: dt.datetime,
    name: str = "",
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
) -> NewApiToken:
    """A new token for an active user (their profile page). The plain token is in the answer
    once; only its hash is stored."""
    if not dt.timedelta(days=1) <= lifetime <= MAX_LIFETIME:
        raise ValidationError("lifetime", "Choose between 1 and 3650 days.", "choice")
    user = user_by_id(session, user_id)
    if not user.active:
        raise UserNotFound(f"no active user #{user_id}")
    token = API_TOKEN_PREFIX + new_token()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_digest(token),
        prefix=token[:SHOWN_CHARACTERS],
        name=" ".join(name.split())[:100],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return NewApiToken(token=token, info=_info(row))


def create_api_token(
    session: Session,
    *,
    email: str,
    now: dt.datetime,
    name: str = "",
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
) -> str:
    """A new token for ``email`` (``sanad tokens create``); returns the plain token once."""
    user = user_by_email(session, email)
    if user is None:
        raise UserNotFound(f"no user with e-mail {email!r}")
    return issue_api_token(session, user_id=user.id, now=now, name=name, lifetime=lifetime).token


def verify_api_token(sessions: sessionmaker[Session], token: str, *, now: dt.datetime) -> UserInfo:
    """The active user a live bearer token belongs to, or ``InvalidToken`` (unknown, revoked,
    expired or deactivated alike). Records the use when the last record is a minute old."""
    if not token.startswith(API_TOKEN_PREFIX):
        raise InvalidToken("unknown API token")
    with sessions() as session:
        row = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_digest(token))
        ).first()
        if row is None:
            raise InvalidToken("unknown API token")
        api_token, user = row[0], row[1]
        if api_token.revoked_at is not None or api_token.expires_at <= now or not user.active:
            raise InvalidToken("unknown API token")
        info = UserInfo.of(user)
        token_id = api_token.id
        due = api_token.last_used_at is None or api_token.last_used_at <= now - TOUCH_EVERY
    if due:
        # A short write of its own; the condition makes concurrent requests write once.
        with transaction(sessions) as session:
            session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    or_(
                        ApiToken.last_used_at.is_(None),
                        ApiToken.last_used_at <= now - TOUCH_EVERY,
                    ),
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    return info


def list_api_tokens(session: Session, user_id: int) -> tuple[ApiTokenInfo, ...]:
    """A person's tokens that are not revoked, newest first (expired ones too, so the owner
    sees why a script stopped working)."""
    rows = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return tuple(_info(row) for row in rows)


def revoke_api_token(session: Session, *, user_id: int, token_id: int, now: dt.datetime) -> None:
    """Revoke one of ``user_id``'s own tokens; anyone else's (or a revoked one) is
    ``InvalidToken``, the same answer as a token that never existed."""
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise InvalidToken("unknown API token")


def revoke_api_tokens(session: Session, user_id: int, *, now: dt.datetime) -> int:
    """Revoke every API token of a user; returns how many were live."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
