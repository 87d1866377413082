"""``sanad mail fetch``: polls the IMAP mailbox of SANAD_IMAP_* with imaplib.

Each unseen message is taken in (``portal.mailin.intake``), then flagged ``\\Seen`` and
``\\Flagged`` so the next poll skips it; a message is marked only after its transaction
committed, and a crash in between only means the next poll sees it again, where its
Message-ID makes it a duplicate. A sender over their hourly limit is left unseen for later,
and so is a message the database could not take; a message that makes intake fail for a
reason of its own is recorded as failed once and flagged, so it is reported on one poll and
not tried again on every one (it stays in the mailbox, flagged, for a person to read).
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import utcnow
from portal.mailin.intake import DEFERRED, DUPLICATE, is_transient, record_failure, take_mail

log = logging.getLogger(__name__)


class FetchError(Exception):
    """The IMAP server could not be reached, or refused the log-in or the mailbox."""


@dataclass(frozen=True)
class Fetched:
    """What one poll did."""

    seen: int = 0
    taken: int = 0
    duplicates: int = 0
    deferred: int = 0
    failed: int = 0


def _connect(settings: Settings) -> imaplib.IMAP4:
    mailin = settings.mailin
    assert mailin.imap_host is not None
    if mailin.imap_ssl:
        return imaplib.IMAP4_SSL(
            mailin.imap_host, mailin.imap_port, ssl_context=ssl.create_default_context(), timeout=30
        )
    return imaplib.IMAP4(mailin.imap_host, mailin.imap_port, timeout=30)


def _recorded(sessions: sessionmaker[Session], raw: bytes, exc: Exception) -> bool:
    """Record a message intake cannot take (``failed``); False when even that failed."""
    try:
        record_failure(sessions, raw, f"{type(exc).__name__}: {exc}", now=utcnow())
    except Exception:
        log.exception("could not record the failed message either")
        return False
    return True


def fetch_mail(sessions: sessionmaker[Session], settings: Settings, *, limit: int = 500) -> Fetched:
    """Take in up to ``limit`` unseen messages of the mailbox; raises ``FetchError``."""
    mailin = settings.mailin
    if not mailin.imap_host:
        raise FetchError("SANAD_IMAP_HOST is not set")
    seen = taken = duplicates = deferred = failed = 0
    try:
        with _connect(settings) as imap:
            imap.login(mailin.imap_user or "", mailin.imap_password or "")
            status, _ = imap.select(mailin.imap_mailbox)
            if status != "OK":
                raise FetchError(f"no mailbox {mailin.imap_mailbox!r} on the IMAP server")
            _, found = imap.uid("SEARCH", "UNSEEN")
            for uid in (found[0] or b"").split()[:limit]:
                seen += 1
                _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")  # type: ignore[arg-type]
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if not isinstance(raw, bytes):
                    failed += 1
                    continue
                try:
                    result = take_mail(sessions, settings, raw, now=utcnow())
                except Exception as exc:
                    failed += 1
                    if is_transient(exc) or not _recorded(sessions, raw, exc):
                        log.exception("could not take in IMAP message %s; next poll", uid)
                        continue  # unseen: the next poll tries again
                    log.exception("IMAP message %s cannot be taken in; flagged", uid)
                    imap.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)")  # type: ignore[arg-type]
                    continue
                if result.outcome == DEFERRED:
                    deferred += 1
                    continue
                duplicates += result.outcome == DUPLICATE
                taken += result.outcome != DUPLICATE
                imap.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)")  # type: ignore[arg-type]
    except (OSError, imaplib.IMAP4.error) as exc:
        raise FetchError(f"IMAP {mailin.imap_host}:{mailin.imap_port}: {exc}") from exc
    return Fetched(seen, taken, duplicates, deferred, failed)
