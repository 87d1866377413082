"""When the database misbehaves: answer 503 within seconds, keep the knowledge base serving.

``portal.db`` bounds every database call in time and fails fast while the database is known
to be down. Here the web layer turns those failures into a calm 503 (a page in the reader's
language, or JSON under ``/api/``), both with ``Retry-After``, and lets pages that only
*optionally* read the database (the signed-in user on a public page, the article's "resolved
N tickets") carry on without it: ``optional(read, default)``. A request that met an outage
remembers it (``database_down()``), so a protected page answers 503 instead of sending a
signed-in person to the log-in form as if they were a visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import g

from portal.db import OUTAGES

log = logging.getLogger(__name__)

T = TypeVar("T")

# What clients are told to wait before retrying: a little more than the breaker's pause.
RETRY_AFTER_SECONDS = 5
_FLAG = "sanad_database_down"


def note_outage(error: BaseException) -> None:
    """Remember for this request that the database failed, and log it once."""
    if not g.get(_FLAG):
        log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else "")
    setattr(g, _FLAG, True)


def database_down() -> bool:
    """Whether this request already met a database outage."""
    return bool(g.get(_FLAG))


def optional(read: Callable[[], T], default: T) -> T:
    """``read()``, or ``default`` when the database cannot answer: for what a page can do
    without (counts, optional panels), never for what it exists to show or change."""
    try:
        return read()
    except OUTAGES as error:
        note_outage(error)
        return default
