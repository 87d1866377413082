"""Fixtures of the mail-in tests: a private dovecot (IMAP) for ``sanad mail fetch``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dovecot import Dovecot, DovecotUnavailable, Mailbox
from tests.support.prerequisites import missing


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot | str]:
    """One private dovecot per test process, or why it could not start."""
    try:
        server = Dovecot()
    except DovecotUnavailable as exc:
        yield str(exc)
        return
    yield server
    server.stop()


@pytest.fixture
def imap_mailbox(dovecot_server: Dovecot | str) -> Mailbox:
    """A fresh, empty INBOX on the private dovecot (skipped, under CI=true failed, without)."""
    if isinstance(dovecot_server, str):
        missing(dovecot_server)
    return dovecot_server.new_mailbox()
