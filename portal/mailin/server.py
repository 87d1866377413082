"""``sanad mail serve``: an SMTP (or LMTP) listener on aiosmtpd, the only importer of it.

It accepts mail for the support addresses (with or without a ``+token``) and answers 550 for
any other recipient, then takes each message in (``portal.mailin.intake``) off the event
loop. A database failure answers 451, so the sending server keeps the message and tries
again: nothing is lost; a sender over their hourly limit gets 451 too. A message that makes
intake fail for a reason of its own (it would fail on every retry) is recorded as failed and
answered 554, so the sending server returns it to its sender instead of retrying for days.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import utcnow
from portal.mailin.intake import (
    DEFERRED,
    is_support_address,
    is_transient,
    record_failure,
    take_mail,
)

log = logging.getLogger(__name__)

# Whole messages above this are refused at DATA (552); attachments have their own limit.
MESSAGE_LIMIT_FACTOR = 3


class IntakeHandler:
    """aiosmtpd's handler: recipients checked at RCPT, messages taken in at DATA."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not is_support_address(self.settings, address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        try:
            taken = await loop.run_in_executor(
                None,
                lambda: take_mail(
                    self.sessions,
                    self.settings,
                    raw,
                    envelope_sender=envelope.mail_from or "",
                    envelope_recipients=tuple(envelope.rcpt_tos),
                    now=utcnow(),
                ),
            )
        except Exception as exc:
            log.exception("could not take in a message from %s", envelope.mail_from)
            status = "451 4.3.0 Temporary failure, please try again later"
            if not is_transient(exc):
                error = f"{type(exc).__name__}: {exc}"
                try:
                    await loop.run_in_executor(
                        None, lambda: record_failure(self.sessions, raw, error, now=utcnow())
                    )
                except Exception:  # not even that: the sender keeps it and tries again
                    log.exception("could not record the failed message either")
                else:
                    status = "554 5.6.0 This message could not be processed"
        else:
            if taken.outcome == DEFERRED:
                status = "451 4.7.1 Too many messages from this sender, try again later"
            else:
                status = "250 2.0.0 OK"
        if isinstance(server, LMTP):  # LMTP answers once per recipient
            return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))
        return status


class _LmtpController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def make_listener(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    host: str,
    port: int,
    lmtp: bool = False,
) -> Controller:
    """A started-on-demand listener (``.start()``/``.stop()``) on ``host``:``port``."""
    handler = IntakeHandler(sessions, settings)
    limit = settings.tickets.attachment_max_bytes * MESSAGE_LIMIT_FACTOR + 1024 * 1024
    kind = _LmtpController if lmtp else Controller
    return kind(
        handler,
        hostname=host,
        port=port,
        data_size_limit=limit,
        server_hostname="sanad",
        ready_timeout=10.0,
    )
