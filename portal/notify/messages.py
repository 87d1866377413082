"""The mails Sanad sends, by kind: each one a template pair under ``templates/mail/``
(``<kind>.txt`` and ``<kind>.html``) whose sentences are in the pages' Babel catalogs,
rendered in the recipient's language (``portal.notify.templating``).
"""

from __future__ import annotations

import datetime as dt

from portal.notify.mail import OutgoingMail
from portal.notify.templating import mail_language, render_mail

# Every kind of mail, by its template pair. Kinds named ``*_visitor`` go to a person without
# an account (their mails carry their private link, never the ticket page).
KINDS = (
    "password_reset",
    "account_welcome",
    "account_exists",
    "account_locked",
    "ticket_opened",
    "ticket_opened_visitor",
    "ticket_reply",
    "ticket_reply_visitor",
    "ticket_resolved",
    "ticket_resolved_visitor",
    "ticket_link_visitor",
    "sla_warning",
    "sla_breach",
    "ticket_escalated",
    "attention",
    "mail_refused",
    "files_refused",
    "weekly_summary",
)
# What a kind may leave out (when to expect an answer; a resolution without a note).
_OPTIONAL: dict[str, object] = {"due": None, "resumes": None, "note": "", "name": ""}


def compose(
    kind: str, lang: str, to: str, *, timezone: str | None = None, **values: object
) -> OutgoingMail:
    """The ``kind`` message in ``lang`` (Arabic when the language is unknown) for ``to``;
    the moments among ``values`` are written in ``timezone``, the site's."""
    if kind not in KINDS:
        raise KeyError(kind)
    chosen = mail_language(lang)
    subject, text, html = render_mail(kind, chosen, {**_OPTIONAL, **values}, timezone=timezone)
    return OutgoingMail(to=to, subject=subject, body=text, lang=chosen, html=html)


def password_reset_mail(*, to: str, name: str, lang: str, link: str, minutes: int) -> OutgoingMail:
    """The reset-link message; the web layer builds ``link`` from the token."""
    return compose("password_reset", lang, to, name=name, link=link, minutes=minutes)


def account_welcome_mail(*, to: str, name: str, lang: str, link: str) -> OutgoingMail:
    """A new self-registered account: how to log in."""
    return compose("account_welcome", lang, to, name=name, link=link)


def account_exists_mail(
    *, to: str, name: str, lang: str, login_link: str, reset_link: str
) -> OutgoingMail:
    """Someone registered with this address again: tell its owner, offer log-in and reset."""
    return compose(
        "account_exists", lang, to, name=name, login_link=login_link, reset_link=reset_link
    )


def account_locked_mail(
    *, to: str, name: str, lang: str, until: dt.datetime, timezone: str, reset_link: str
) -> OutgoingMail:
    """Log-ins are paused after failed attempts until ``until``, written in the site's zone."""
    return compose(
        "account_locked",
        lang,
        to,
        timezone=timezone,
        name=name,
        until=until,
        reset_link=reset_link,
    )
