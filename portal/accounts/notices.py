"""The mail that account use cases ask for, as values.

``portal.accounts`` does not write or send mail (``portal.notify`` is its sibling, and the
layers keep siblings apart). A use case that must tell someone hands a notice to the
``Notifier`` its caller passed in, inside the use case's own transaction: the caller queues
the mail in the same session, so it goes out exactly when the change commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    lang: str


@dataclass(frozen=True)
class PasswordResetNotice:
    """A reset link for an active account."""

    to: Recipient
    token: str
    expires_at: dt.datetime
    minutes: int


@dataclass(frozen=True)
class WelcomeNotice:
    """A new self-registered account: its owner may now log in."""

    to: Recipient


@dataclass(frozen=True)
class AlreadyRegisteredNotice:
    """Someone tried to register with an address that already has an account. The owner is
    told (and offered a reset) instead of the page telling the visitor."""

    to: Recipient


@dataclass(frozen=True)
class LockNotice:
    """The account was locked after repeated failed log-ins: sent once per streak of failures,
    so a guessing attacker cannot flood the owner's mailbox."""

    to: Recipient
    until: dt.datetime


Notice = PasswordResetNotice | WelcomeNotice | AlreadyRegisteredNotice | LockNotice


class Notifier(Protocol):
    """Queues the mail for ``notice`` in ``session`` (the use case's transaction)."""

    def __call__(self, session: Session, notice: Notice) -> None: ...


def no_mail(session: Session, notice: Notice) -> None:
    """A notifier for callers that send no mail (commands, tests of other rules)."""
