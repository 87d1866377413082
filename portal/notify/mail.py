"""Sending one message: SMTP when configured, otherwise the log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from portal.config import MailSettings

log = logging.getLogger(__name__)


class NotifyError(Exception):
    """Base of every notify error."""


class MailNotSent(NotifyError):
    """The SMTP server refused the message or could not be reached."""


@dataclass(frozen=True)
class OutgoingMail:
    """A message ready to send (compose one with ``portal.notify.messages``): plain text,
    optionally with an HTML alternative."""

    to: str
    subject: str
    body: str
    lang: str = "ar"
    html: str | None = None
    # Fixed when the outbox row is written, so a retried send is the same message to the
    # receiving server and to the person's mail program (which then shows it once).
    message_id: str | None = None
    # Where a reply goes (a ticket's reply address, ``portal.tickets.reply_tokens``), and
    # extra headers as (name, value) pairs.
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def new_message_id() -> str:
    return make_msgid(domain="sanad")


def _message(settings: MailSettings, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id or new_message_id()
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay quiet
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.body, charset="utf-8")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    message["Content-Language"] = mail.lang  # after set_content, which resets Content-* headers
    return message


def send_mail(settings: MailSettings, mail: OutgoingMail) -> None:
    """Send ``mail`` now, or log it when no SMTP host is set; raise ``MailNotSent`` on failure."""
    message = _message(settings, mail)
    if not settings.host:
        log.info("mail (no SMTP host set) to %s: %s\n%s", mail.to, mail.subject, mail.body)
        return
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(f"could not send mail to {mail.to}: {exc}") from exc
