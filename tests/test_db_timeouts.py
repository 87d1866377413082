"""portal.db bounds every database call and fails fast while the database is down."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from portal.db import (
    Breaker,
    DatabaseUnavailable,
    breaker_of,
    is_outage,
    make_engine,
    make_session_factory,
    reading,
)
from tests.support.stalled import StalledListener


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_tripped_breaker_fails_at_once_until_a_probe_succeeds() -> None:
    clock = Clock()
    healthy = threading.Event()
    breaker = Breaker(retry=2.0, patience=1.0, clock=clock)

    def probe() -> None:
        if not healthy.is_set():
            raise OSError("still down")

    breaker.probe = probe
    breaker.check()  # closed: passes
    breaker.trip("connection refused")
    with pytest.raises(DatabaseUnavailable, match="connection refused"):
        breaker.check()
    clock.now += 2.5  # a probe is due; it fails, so does the request that started it
    with pytest.raises(DatabaseUnavailable):
        breaker.check()
    assert breaker.is_open
    with pytest.raises(DatabaseUnavailable):
        breaker.check()  # the next probe is not due yet: no wait at all
    healthy.set()
    clock.now += 2.5
    breaker.check()  # the probe succeeds within the patience: this request goes through
    assert not breaker.is_open


def test_a_stalled_server_costs_one_timeout_then_nothing() -> None:
    with StalledListener() as listener:
        engine = make_engine(listener.url(), timeout=2)
        try:
            started = time.perf_counter()
            with pytest.raises(OperationalError), engine.connect():
                pass
            first = time.perf_counter() - started
            started = time.perf_counter()
            with pytest.raises(DatabaseUnavailable), engine.connect():
                pass
            second = time.perf_counter() - started
        finally:
            engine.dispose()
    assert 1.5 < first < 5
    assert second < 0.5
    assert breaker_of(engine).is_open
    assert is_outage(DatabaseUnavailable("x"))


def test_sqlite_waits_for_a_lock_only_as_long_as_the_timeout(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/locked.db"
    holder, engine = make_engine(url), make_engine(url, statement_timeout=0.5)
    try:
        with holder.connect() as held:
            held.execute(text("CREATE TABLE t (x INTEGER)"))
            held.commit()
            held.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock
            started = time.perf_counter()
            with pytest.raises(OperationalError, match="locked"), engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            assert time.perf_counter() - started < 2
            with reading(make_session_factory(engine)) as session:  # readers never wait
                assert session.scalar(text("SELECT count(*) FROM t")) == 0
            held.rollback()
        assert not breaker_of(engine).is_open  # contention is no outage
    finally:
        holder.dispose()
        engine.dispose()


def test_a_slow_postgresql_statement_is_cancelled(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    engine = make_engine(database_url, statement_timeout=1)
    try:
        with engine.connect() as conn:
            # the schema of the test database is still the search path (options merged)
            assert conn.scalar(text("SELECT count(*) FROM users")) == 0
            started = time.perf_counter()
            with pytest.raises(OperationalError, match="statement timeout"):
                conn.execute(text("SELECT pg_sleep(5)"))
            assert time.perf_counter() - started < 3
        assert not breaker_of(engine).is_open  # a slow statement is no outage
    finally:
        engine.dispose()
