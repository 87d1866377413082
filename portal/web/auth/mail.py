"""The account mails: each notice of ``portal.accounts`` becomes a message in the outbox.

The accounts services only say *that* someone must be told; this module knows the words
(``portal.notify.messages``) and the links (the routes of this blueprint, on the public URL),
and queues the mail in the service's own session, so it leaves only if the change commits.
"""

from __future__ import annotations

from flask import url_for

from portal.accounts.notices import (
    AlreadyRegisteredNotice,
    LockNotice,
    Notice,
    Notifier,
    PasswordResetNotice,
    WelcomeNotice,
)
from portal.db import Session, utcnow
from portal.notify.mail import OutgoingMail
from portal.notify.messages import (
    account_exists_mail,
    account_locked_mail,
    account_welcome_mail,
    password_reset_mail,
)
from portal.notify.outbox import enqueue
from portal.web.context import services


def _link(endpoint: str, token: str | None = None) -> str:
    path = url_for(endpoint, token=token) if token else url_for(endpoint)
    return services().settings.tickets.public_url.rstrip("/") + path


def compose_notice(notice: Notice) -> OutgoingMail:
    """The message for ``notice``, in its recipient's language."""
    to = notice.to
    if isinstance(notice, PasswordResetNotice):
        return password_reset_mail(
            to=to.email,
            name=to.name,
            lang=to.lang,
            link=_link("auth.reset", token=notice.token),
            minutes=notice.minutes,
        )
    if isinstance(notice, WelcomeNotice):
        return account_welcome_mail(
            to=to.email, name=to.name, lang=to.lang, link=_link("auth.login")
        )
    if isinstance(notice, AlreadyRegisteredNotice):
        return account_exists_mail(
            to=to.email,
            name=to.name,
            lang=to.lang,
            login_link=_link("auth.login"),
            reset_link=_link("auth.forgot"),
        )
    assert isinstance(notice, LockNotice)
    return account_locked_mail(
        to=to.email,
        name=to.name,
        lang=to.lang,
        until=notice.until,
        timezone=services().settings.timezone,
        reset_link=_link("auth.forgot"),
    )


def queue_notice(session: Session, notice: Notice) -> None:
    """The ``Notifier`` the account views pass to the services."""
    enqueue(session, compose_notice(notice), now=utcnow())


notifier: Notifier = queue_notice
