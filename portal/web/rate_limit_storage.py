"""``database://``: a storage for the ``limits`` library (which flask-limiter counts with) in
the application's own database, the default when SANAD_RATELIMIT_STORAGE_URL is not set.

Counting per worker process (``memory://``) lets N workers pass N times each limit; counting in
the database every worker and host already shares makes the documented figures hold without
running Redis. The SQL is ``portal.accounts.rate_counters``; this adapter only finds the
database. It asks the application handling the request for it, not the one that created the
limiter: the limiter is one object shared by every app in the process (tests build many), and
each app must count in its own database.

Fixed windows only (the limiter's strategy): the class offers no moving-window support, so a
configuration asking for that strategy fails at start-up instead of counting wrongly.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts import rate_counters
from portal.db import transaction, utcnow
from portal.web.context import services

log = logging.getLogger(__name__)

SCHEME = "database"
# Closed windows are deleted at most this often per worker: often enough that the table stays
# the size of the live keys, rarely enough that a busy site pays one DELETE a few minutes.
SWEEP_SECONDS = 300


def _app_sessions() -> sessionmaker[Session]:
    return services().sessions


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the ``limits`` registry reads a plain list)

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        sessions: Callable[[], sessionmaker[Session]] = _app_sessions,
        clock: Callable[[], dt.datetime] = utcnow,
        **options: float | str | bool,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._sessions = sessions
        self._clock = clock
        self._swept_at: dt.datetime | None = None

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self._clock()
        with transaction(self._sessions()) as session:
            count = rate_counters.count_hit(session, key, amount=amount, window=expiry, now=now)
        self._sweep(now)
        return count

    def get(self, key: str) -> int:
        with transaction(self._sessions()) as session:
            return rate_counters.current_count(session, key, now=self._clock())

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        with transaction(self._sessions()) as session:
            closes = rate_counters.window_end(session, key, now=now)
        # Like the library's own storages: a key without a window resets "now".
        return (closes or now).timestamp()

    def check(self) -> bool:
        try:
            with transaction(self._sessions()) as session:
                rate_counters.current_count(session, "", now=self._clock())
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with transaction(self._sessions()) as session:
            return rate_counters.clear_counters(session)

    def clear(self, key: str) -> None:
        with transaction(self._sessions()) as session:
            rate_counters.clear_counter(session, key)

    def _sweep(self, now: dt.datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < dt.timedelta(
            seconds=SWEEP_SECONDS
        ):
            return
        self._swept_at = now
        try:
            with transaction(self._sessions()) as session:
                rate_counters.drop_expired(session, now=now)
        except SQLAlchemyError:
            # Two workers sweeping at once may deadlock on PostgreSQL; the loser's rows are
            # deleted by the winner or by the next sweep, and the hit itself has committed.
            log.info("rate-limit sweep skipped", exc_info=True)
