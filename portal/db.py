"""Database plumbing: the declarative base, shared column types, engine and session factory.

SQLite (the embedded default) runs in WAL mode with a busy timeout so that several gunicorn
workers can write without "database is locked" errors.

Every engine is bounded in time. ``timeout`` (SANAD_DATABASE_TIMEOUT) bounds reaching the
database: PostgreSQL's connect timeout and TCP user timeout, and the pool's wait for a free
connection. ``statement_timeout`` (SANAD_DATABASE_STATEMENT_TIMEOUT) bounds the work once
there: PostgreSQL's server-side statement timeout (lock waits included) and SQLite's busy
timeout. Waiting for a lock is contention, not an outage, so it gets the longer figure. A
database that accepts connections but never answers then costs one timeout, not a worker:
each engine carries a ``Breaker`` that, after a failure that says "the database is
unreachable" (refused, timed out, dropped), makes further use fail at once
(``DatabaseUnavailable``) while a probe in the background checks every ``RETRY_SECONDS``
whether it is back; the first success closes it again, so the application recovers without
a restart.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, String, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import (
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, mapped_column, sessionmaker
from sqlalchemy.orm import Session as Session  # re-exported: views type their session with it
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every model's base; its metadata is what Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


log = logging.getLogger(__name__)

# What the web edge catches when the database fails, without importing SQLAlchemy itself.
DatabaseError = SQLAlchemyError


class DatabaseUnavailable(SQLAlchemyError):
    """The database cannot be used right now: it failed a moment ago and is left alone for a
    few seconds, or it cannot be opened at all (a path that cannot be created)."""


# Failures that mean "the database is not answering", not "this statement is wrong": the web
# layer answers them with 503 and a Retry-After, never 500. OperationalError covers a refused
# or timed-out connection, a cancelled (too slow) statement and SQLite's "database is locked";
# PoolTimeout is every pooled connection being busy for longer than the timeout.
OUTAGES: tuple[type[SQLAlchemyError], ...] = (
    DatabaseUnavailable,
    OperationalError,
    InterfaceError,
    PoolTimeout,
)


class UnstorableText(ValueError):
    """A statement carried text with a NUL character. PostgreSQL refuses NUL in text (a
    DataError, a 500 wherever a form or JSON field reached it) and SQLite stores it silently;
    both now refuse it before the statement is sent, so the web edge answers 400."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def _refuse_nul(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
    if parameters and _has_nul(parameters):
        raise UnstorableText("text with a NUL character (U+0000) cannot be stored")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database is unreachable or too slow (answer 503, not 500)."""
    return isinstance(error, OUTAGES)


def utcnow() -> dt.datetime:
    """Timezone-aware now; a callable so defaults are computed per row, not at import."""
    return dt.datetime.now(dt.UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str255 = Annotated[str, mapped_column(String(255))]
timestamp = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
]


class UtcDateTime(TypeDecorator[dt.datetime]):
    """``DateTime(timezone=True)`` that rejects naive values and returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"a timezone-aware datetime is required, not {value!r}")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# The defaults of SANAD_DATABASE_TIMEOUT and SANAD_DATABASE_STATEMENT_TIMEOUT (portal.config
# keeps the same figures): a page that needs a stalled database answers within a few seconds;
# a statement may run, or wait for another transaction's lock, a little longer.
DEFAULT_TIMEOUT = 3.0
DEFAULT_STATEMENT_TIMEOUT = 10.0
# Execution option of read-only work (``reading``): on SQLite it begins without taking the
# write lock, so a page's optional reads never queue behind writers (WAL lets them read).
READ_ONLY = "sanad_read_only"
# How often a failed database is probed again, and how long the request that starts a probe
# waits for its answer (a database that is back answers well within it).
RETRY_SECONDS = 2.0
PROBE_PATIENCE = 0.25
_PROBE_THREAD = threading.local()  # set in the probe's own thread: the breaker lets it pass


class Breaker:
    """Fail fast while the database is known to be down; find out in the background when
    it is back.

    ``check()`` is called before every connection attempt and every transaction. After
    ``trip()`` it raises ``DatabaseUnavailable`` at once. Every ``retry`` seconds, the next
    caller starts one probe (``probe``, run in a thread so no request waits out a timeout for
    it) and waits at most ``patience`` seconds for its answer: a database that is back
    answers within that, so this very request goes through; a stalled one leaves the caller
    with a fast 503. A successful probe or connection closes the breaker for everyone.
    """

    def __init__(
        self,
        *,
        retry: float = RETRY_SECONDS,
        patience: float = PROBE_PATIENCE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry = retry
        self.patience = patience
        self.probe: Callable[[], None] | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self._open = False
        self._next_probe = 0.0
        self._probing: threading.Event | None = None
        self.reason = ""

    @property
    def is_open(self) -> bool:
        """Whether the database failed recently and is being left alone."""
        with self._lock:
            return self._open

    def check(self) -> None:
        if getattr(_PROBE_THREAD, "active", False):
            return  # the probe itself goes through
        with self._lock:
            if not self._open:
                return
            done = None
            due = self._clock() >= self._next_probe
            if self._probing is None and due and self.probe is not None:
                done = self._probing = threading.Event()
                threading.Thread(target=self._run_probe, args=(done,), daemon=True).start()
        if done is not None:  # only the caller that started the probe waits, briefly
            done.wait(self.patience)
        with self._lock:
            if self._open:
                raise DatabaseUnavailable(f"the database failed a moment ago: {self.reason}")

    def trip(self, reason: str) -> None:
        # Not logged here: whoever meets the failure says so (the web layer once per request,
        # the CLI in its one-line error).
        with self._lock:
            self._open = True
            self._next_probe = self._clock() + self.retry
            self.reason = reason

    def reset(self) -> None:
        with self._lock:
            if self._open:
                log.warning("database available again")
            self._open = False
            self.reason = ""

    def _run_probe(self, done: threading.Event) -> None:
        _PROBE_THREAD.active = True
        try:
            assert self.probe is not None
            self.probe()
        except Exception as error:  # any failure: still down, try again after ``retry``
            self.trip(_first_line(error))
        else:
            self.reset()
        finally:
            with self._lock:
                self._probing = None
            done.set()


_BREAKERS: weakref.WeakKeyDictionary[Engine, Breaker] = weakref.WeakKeyDictionary()
_BREAKERS_LOCK = threading.Lock()


def breaker_of(engine: Engine) -> Breaker:
    """The breaker ``make_engine`` gave ``engine`` (a fresh, unwired one for any other)."""
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(engine, Breaker())


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _unreachable(context: ExceptionContext) -> bool:
    """A failure that says the database is not there (not a slow or a wrong statement)."""
    if context.is_pre_ping:
        return False  # a stale pooled connection: the pool reconnects, which may well work
    # Not SQLite's "database is locked", nor a cancelled statement: waiting for a lock is
    # contention between healthy requests, and each one already waited its own timeout.
    return bool(context.is_disconnect)


def _guard(engine: Engine, breaker: Breaker) -> None:
    """Wire ``breaker`` into ``engine``: checked before connecting and before each
    transaction, tripped by failed connections, disconnects and SQLite's lock timeouts."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
        breaker.check()
        try:
            connection = dialect.connect(*cargs, **cparams)
        except Exception as error:
            breaker.trip(_first_line(error))
            raise
        breaker.reset()
        return connection

    @event.listens_for(engine, "begin")
    def _begin(_conn: Any) -> None:
        breaker.check()

    @event.listens_for(engine, "handle_error")
    def _failed(context: ExceptionContext) -> None:
        if _unreachable(context):
            breaker.trip(_first_line(context.original_exception))

    @event.listens_for(engine, "commit")
    def _committed(_conn: Any) -> None:
        breaker.reset()


def _sqlite_setup(busy_ms: int) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return configure


def _begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN, so a transaction never fails half-way when it upgrades
    # from reading to writing while another worker writes (SQLITE_BUSY on upgrade is not retried).
    # Read-only work (``reading``) begins without it: WAL readers never wait for writers.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _postgres_args(url: str, timeout: float, statements: float | None) -> dict[str, Any]:
    """libpq's connect timeout (whole seconds, at least 2), TCP user timeout and the
    server-side statement timeout, unless the URL sets its own."""
    query = make_url(url).query
    args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = max(2, round(timeout))
    if "tcp_user_timeout" not in query:
        # A server host that stops acknowledging (frozen, cut off) drops a pooled connection
        # after this long, instead of leaving the request hanging on it.
        args["tcp_user_timeout"] = max(2000, round(timeout * 1000))
    if statements is not None:
        given = query.get("options", "")
        options = given if isinstance(given, str) else " ".join(given)
        if "statement_timeout" not in options:
            limit = f"-c statement_timeout={round(statements * 1000)}"
            args["options"] = f"{options} {limit}".strip()
    return args


def make_engine(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    limit_statements: bool = True,
) -> Engine:
    """Create the engine for ``url``, bounded as the module's text says.

    SQLite gets WAL, a busy timeout of ``statement_timeout`` and immediate transactions.
    ``limit_statements=False`` keeps PostgreSQL's statements unbounded (migrations may
    rewrite big tables) while still bounding the connection.
    """
    breaker = Breaker()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0] if "///" in url else ""
        in_memory = not path or path == ":memory:"
        if not in_memory:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = error.strerror or type(error).__name__
                raise DatabaseUnavailable(
                    f"cannot create the folder {Path(path).parent}: {reason}"
                ) from None
        # An in-memory database has one connection per thread (no pool to wait for).
        pooled = {} if in_memory else {"pool_timeout": timeout}
        busy = {"timeout": statement_timeout, "isolation_level": None}
        engine = create_engine(url, connect_args=busy, **pooled)
        _guard(engine, breaker)  # first: a known outage fails before waiting for the lock
        event.listen(engine, "connect", _sqlite_setup(round(statement_timeout * 1000)))
        event.listen(engine, "begin", _begin_immediate)
    else:
        connect_args = (
            _postgres_args(url, timeout, statement_timeout if limit_statements else None)
            if url.startswith("postgresql")
            else {}
        )
        try:
            engine = create_engine(
                url, pool_pre_ping=True, pool_timeout=timeout, connect_args=connect_args
            )
        except (NoSuchModuleError, ImportError) as error:
            raise DatabaseUnavailable(f"no database driver for this URL: {error}") from None
        _guard(engine, breaker)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    with _BREAKERS_LOCK:
        _BREAKERS[engine] = breaker
    held = weakref.ref(engine)  # the probe must not keep a discarded engine alive

    def probe() -> None:
        alive = held()
        if alive is not None:
            check_database(alive)

    breaker.probe = probe
    return engine


def check_database(engine: Engine) -> None:
    """Run a trivial query; raises one of ``OUTAGES`` when the database cannot answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.commit()


# ``Session.info`` key of the application's settings (``portal.config.Settings``), for the rare
# rule deep in a service that needs one and is reached from many callers without it (the
# service-level warning share when a status change recomputes deadlines).
SETTINGS_INFO = "sanad.settings"


def make_session_factory(
    engine: Engine, *, settings: object | None = None
) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit; with
    ``settings``, each session carries them in ``info[SETTINGS_INFO]``."""
    info = {SETTINGS_INFO: settings} if settings is not None else None
    return sessionmaker(bind=engine, expire_on_commit=False, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads only; on SQLite it never waits for another transaction's lock.
    Nothing is opened until the first query, so callers' own error handling covers it."""
    engine = factory.kw["bind"]
    with factory(bind=engine.execution_options(**{READ_ONLY: True})) as session:
        yield session


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def upgrade_database(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Bring the schema at ``url`` to the newest Alembic revision (safe to run repeatedly).

    Connecting is bounded by ``timeout``; the migrations' statements are not."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["timeout"] = timeout
    command.upgrade(config, "head")
