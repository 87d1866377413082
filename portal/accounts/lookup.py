"""Finding a user row: shared by every accounts use case module."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.errors import UserNotFound
from portal.accounts.models import User


def user_by_id(session: Session, user_id: int) -> User:
    """The user row, or ``UserNotFound``."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"no user #{user_id}")
    return user


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this address (any case, surrounding spaces ignored), or None."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()
