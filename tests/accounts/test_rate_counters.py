"""Rate-limit counters in the database: fixed windows that hold under concurrent workers, and
the ``database://`` storage flask-limiter counts with when no Redis is configured."""

from __future__ import annotations

import datetime as dt
import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.rate_counters import (
    RateCounter,
    count_hit,
    current_count,
    drop_expired,
    window_end,
)
from portal.db import make_engine, make_session_factory, transaction
from portal.web.rate_limit_storage import DatabaseStorage

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HOUR = 3600


def hit(sessions: sessionmaker[Session], key: str, at: dt.datetime, window: int = HOUR) -> int:
    with transaction(sessions) as session:
        return count_hit(session, key, amount=1, window=window, now=at)


def test_hits_count_up_within_a_window_and_start_again_after_it(
    sessions: sessionmaker[Session],
) -> None:
    assert [hit(sessions, "k", T0 + dt.timedelta(minutes=m)) for m in range(3)] == [1, 2, 3]
    with transaction(sessions) as session:
        assert current_count(session, "k", now=T0 + dt.timedelta(minutes=59)) == 3
        # The window opened by the first hit closes an hour later, not an hour after the last.
        assert window_end(session, "k", now=T0) == T0 + dt.timedelta(hours=1)
        assert current_count(session, "k", now=T0 + dt.timedelta(hours=1)) == 0
    assert hit(sessions, "k", T0 + dt.timedelta(hours=1)) == 1
    assert hit(sessions, "other", T0) == 1


def test_keys_longer_than_the_column_stay_distinct(sessions: sessionmaker[Session]) -> None:
    head = "LIMITER/sanad/email:" + "a" * 400
    assert hit(sessions, head + "@one.example", T0) == 1
    assert hit(sessions, head + "@two.example", T0) == 1
    assert hit(sessions, head + "@one.example", T0) == 2


def test_closed_windows_are_deleted(sessions: sessionmaker[Session]) -> None:
    hit(sessions, "old", T0, window=60)
    hit(sessions, "live", T0, window=HOUR)
    with transaction(sessions) as session:
        assert drop_expired(session, now=T0 + dt.timedelta(minutes=5)) == 1
        assert session.scalars(select(RateCounter.key)).all() == ["live"]


def test_concurrent_workers_never_lose_or_share_a_count(database_url: str) -> None:
    """Four workers, each with its own engine (as separate processes have), hit one key."""
    per_worker = 15
    seen: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        engine = make_engine(database_url)
        factory = make_session_factory(engine)
        try:
            start.wait()
            for _ in range(per_worker):
                seen.append(hit(factory, "burst", T0))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Every hit got its own number: none was counted twice or lost.
    assert sorted(seen) == list(range(1, 4 * per_worker + 1))


def test_the_limits_library_refuses_the_eleventh_hit_of_ten_per_hour(
    sessions: sessionmaker[Session],
) -> None:
    clock = [T0]
    storage = DatabaseStorage(sessions=lambda: sessions, clock=lambda: clock[0])
    limiter = FixedWindowRateLimiter(storage)
    ten_an_hour = parse("10 per hour")
    assert [limiter.hit(ten_an_hour, "user:1") for _ in range(11)] == [True] * 10 + [False]
    assert limiter.hit(ten_an_hour, "user:2")  # someone else has their own ten
    stats = limiter.get_window_stats(ten_an_hour, "user:1")
    assert stats.remaining == 0
    assert stats.reset_time == (T0 + dt.timedelta(hours=1)).timestamp()
    clock[0] = T0 + dt.timedelta(hours=1)
    assert limiter.hit(ten_an_hour, "user:1")
    assert storage.check()
    # That hit also swept user:2's closed window away: only user:1's new one is left.
    assert storage.reset() == 1
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(RateCounter)) == 0


def test_database_is_a_storage_scheme_of_the_limits_library() -> None:
    assert isinstance(storage_from_string("database://"), DatabaseStorage)
