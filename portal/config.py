"""Settings: built-in defaults, overridden by ``SANAD_*`` environment variables, frozen.

This is the only module that reads the environment. Every variable is one row of
``VARIABLES`` (its name, where it lands in the ``Settings`` tree, and its parser), so the
loader, ``create_app(overrides)`` and ``sanad config check`` can never disagree about a name.
Every setting is documented in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("ar", "en")
MASK = "********"

T = TypeVar("T")


class ConfigError(ValueError):
    """A SANAD_* setting has a value Sanad cannot use; the message names it and what it takes."""


# --- one parser per type -------------------------------------------------------------------


@dataclass(frozen=True)
class Kind(Generic[T]):
    """How one type of setting is read from text, described and shown back."""

    accepted: str  # finishes "SANAD_X must be ..." in every error message
    convert: Callable[[str], T]  # raises ValueError on text it cannot use
    show: Callable[[T], str] = str
    # Error messages repeat the bad value, except a secret (or a URL's password part).
    redact: Callable[[str], str] = repr

    def parse(self, name: str, raw: str) -> T:
        try:
            return self.convert(raw.strip())
        except ValueError:
            raise ConfigError(f"{name} must be {self.accepted}, not {self.redact(raw)}") from None


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# ASCII only: int() would also take "٥" or "1_000", which no operator means.
_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise ValueError(text)


def _int(text: str, low: int, high: int | None) -> int:
    if not _WHOLE.fullmatch(text) or len(text) > 18:
        raise ValueError(text)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise ValueError(text)
    return value


def _range(low: int, high: int | None) -> str:
    return f"from {low} to {high}" if high is not None else f"of {low} or more"


def whole_number(low: int = 0, high: int | None = None) -> Kind[int]:
    return Kind(f"a whole number {_range(low, high)}", lambda text: _int(text, low, high))


def seconds() -> Kind[float]:
    def convert(text: str) -> float:
        if not _DECIMAL.fullmatch(text) or float(text) <= 0:
            raise ValueError(text)
        return float(text)

    return Kind("a number of seconds above 0, such as 1.5", convert)


def share() -> Kind[float]:
    def convert(text: str) -> float:
        if not _DECIMAL.fullmatch(text) or not 0 < float(text) <= 1:
            raise ValueError(text)
        return float(text)

    return Kind("a share above 0 and at most 1, such as 0.4", convert)


def choice(*options: str) -> Kind[str]:
    def convert(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return Kind(f"one of {', '.join(options)}", convert)


def duration(unit: str, low: int = 1, high: int | None = None) -> Kind[dt.timedelta]:
    """A whole number of ``unit`` ("seconds", "minutes" or "days"), as the variable's name says."""
    size = dt.timedelta(**{unit: 1})
    return Kind(
        f"a whole number of {unit} {_range(low, high)}",
        lambda text: size * _int(text, low, high),
        show=lambda value: f"{value // size} {unit}",
    )


def _comma_list(text: str) -> tuple[str, ...]:
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items:
        raise ValueError(text)
    return items


def _key_values(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in _comma_list(text):
        key, equals, value = item.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ValueError(text)
        pairs[key.strip()] = value.strip().lower()
    return pairs


def _checked_url(schemes: tuple[str, ...] | None) -> Callable[[str], str]:
    def convert(text: str) -> str:
        scheme, sep, _ = text.partition("://")
        if not sep or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
            raise ValueError(text)
        if schemes is not None and (scheme not in schemes or not urlsplit(text).hostname):
            raise ValueError(text)
        return text

    return convert


def mask_url(url: str) -> str:
    """The URL with its password part (``user:password@``) replaced, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:{MASK}@{host}").geturl()


def url(accepted: str, schemes: tuple[str, ...] | None = None) -> Kind[str]:
    return Kind(
        accepted, _checked_url(schemes), show=mask_url, redact=lambda raw: repr(mask_url(raw))
    )


BOOL: Kind[bool] = Kind(
    "true or false (also 1/0, yes/no, on/off)",
    _bool,
    show=lambda value: "true" if value else "false",
)
PATH: Kind[Path] = Kind("a file system path", lambda text: Path(text).resolve())
TEXT: Kind[str] = Kind("some text", lambda text: text)
TEAM: Kind[str] = Kind("a team name", lambda text: text.lower())


def _zone_name(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(text) from None
    return text


TIMEZONE: Kind[str] = Kind("an IANA time zone, such as Asia/Riyadh", _zone_name)
SECRET: Kind[str] = Kind("some text", lambda text: text, show=lambda _: MASK, redact=lambda _: MASK)
COMMA_LIST: Kind[tuple[str, ...]] = Kind(
    "a comma-separated list, such as image/png,application/pdf", _comma_list, show=",".join
)


def _addresses(text: str) -> tuple[str, ...]:
    items = tuple(item.lower() for item in _comma_list(text))
    if any(item.count("@") != 1 or item.startswith("@") or item.endswith("@") for item in items):
        raise ValueError(text)
    return items


ADDRESS_LIST: Kind[tuple[str, ...]] = Kind(
    "a comma-separated list of e-mail addresses, such as help@example.org,it@example.org",
    _addresses,
    show=",".join,
)
KEY_VALUES: Kind[dict[str, str]] = Kind(
    "comma-separated key=value pairs, such as network=netops,email=messaging",
    _key_values,
    show=lambda pairs: ",".join(f"{k}={v}" for k, v in pairs.items()),
)

# --- the settings tree ---------------------------------------------------------------------

# Types identified from the file's first bytes (see portal.tickets.attachments), never its name.
DEFAULT_ATTACHMENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)


@dataclass(frozen=True)
class WebSettings:
    """How the web layer meets the network in front of it."""

    # Sanad runs behind a TLS proxy in production; the test client speaks plain HTTP.
    session_cookie_secure: bool = False
    # How many reverse proxies in front of Sanad set X-Forwarded-For/-Proto/-Host. 0 trusts
    # none (direct exposure); behind one proxy, 1, or every visitor shares the proxy's address.
    trusted_proxies: int = 0


@dataclass(frozen=True)
class RateLimitSettings:
    # database:// counts in Sanad's own database, so limits hold across workers and hosts;
    # redis://host:6379 does the same in Redis; memory:// counts per worker process.
    storage_url: str = field(default="database://", repr=False)


@dataclass(frozen=True)
class SearchSettings:
    # Wall-clock budget of one search before a partial result is returned.
    time_limit: float = 1.0
    # Longest query text that is analysed; the rest is cut off and the user told so.
    max_query_chars: int = 500
    # Learning from use (docs/search.md): an article learned to answer a query is boosted
    # only once this many independent sessions showed it, by at most this share of the top
    # score, and the evidence counts half as much after each half-life.
    learn_min_sessions: int = 3
    learn_max_boost: float = 0.25
    learn_half_life: dt.timedelta = dt.timedelta(days=90)


@dataclass(frozen=True)
class KnowledgeSettings:
    """The knowledge lifecycle (docs/lifecycle.md): review and content health."""

    # May the author of a draft approve it? Off: a second person must review every change.
    review_self_approve: bool = False
    # Do trainers' workshop guides go through review? Off: a trainer publishes their own.
    workshop_review: bool = False
    # An article needs attention when, with at least this many votes, this share was "no".
    feedback_min_votes: int = 5
    feedback_unhelpful_share: float = 0.4
    # ...or when this many tickets it resolved were reopened.
    attention_reopens: int = 1


@dataclass(frozen=True)
class AccountSettings:
    """Registration, lock-out, reset and password-hashing parameters."""

    registration_enabled: bool = True
    # Failed log-ins in a row before the first lock. Locks are temporary: the first lasts
    # ``lockout_duration``, each further failure in the streak doubles it, up to
    # ``lockout_max_duration``; the right password gets in once the lock has run out.
    lockout_threshold: int = 5
    lockout_duration: dt.timedelta = dt.timedelta(minutes=1)
    lockout_max_duration: dt.timedelta = dt.timedelta(hours=1)
    # The same, counted per client address over every account it tries. Higher than the
    # account threshold: many people may share one office or campus address.
    lockout_address_threshold: int = 20
    # Lifetime of a personal API token when its creator does not choose one.
    api_token_ttl: dt.timedelta = dt.timedelta(days=90)
    password_min_length: int = 12
    reset_token_ttl: dt.timedelta = dt.timedelta(hours=1)
    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile). Tests lower
    # them so a suite that creates hundreds of users stays fast.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65_536  # KiB
    argon2_parallelism: int = 4
    default_team: str = "support"


@dataclass(frozen=True)
class TicketSettings:
    # Under Settings.instance_dir by default, outside any served folder.
    attachments_dir: Path
    # People without an account may open tickets with a name and e-mail address.
    visitor_tickets_enabled: bool = True
    # How long after resolution the requester may reopen instead of opening a new ticket;
    # after it, resolved tickets close (``close_resolved_tickets``).
    reopen_window: dt.timedelta = dt.timedelta(days=7)
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_ticket: int = 20
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES
    default_team: str = "support"
    # Category → team routing of new tickets; anything else goes to ``default_team``.
    category_teams: Mapping[str, str] = field(default_factory=dict)
    # Base of links in e-mails; the web layer's /tickets/<reference> is appended.
    public_url: str = "http://127.0.0.1:5000"
    # Service levels (the same SANAD_TIMEZONE and SANAD_SLA_WARNING_SHARE as Settings').
    timezone: str = "Asia/Riyadh"
    sla_warning_share: float = 0.75
    # Replies by mail: the From of notifications (SANAD_SMTP_FROM), whose address carries the
    # reply token (``support+<token>@domain``), and the key the tokens are signed with
    # (SANAD_SECRET_KEY; changing it voids the tokens in mails already sent).
    mail_from: str = "Sanad <sanad@localhost>"
    reply_key: str = field(default="", repr=False)

    def ticket_url(self, reference: str) -> str:
        return f"{self.public_url.rstrip('/')}/tickets/{reference}"

    def visitor_url(self, token: str) -> str:
        """A visitor's private link to their ticket (``/tickets/visit/<token>``)."""
        return f"{self.public_url.rstrip('/')}/tickets/visit/{token}"


@dataclass(frozen=True)
class MailSettings:
    """Where outbound mail goes. ``host=None`` means "write it to the log" (development)."""

    host: str | None = None
    port: int = 25
    user: str | None = None
    # Never printed into a log or traceback.
    password: str | None = field(default=None, repr=False)
    sender: str = "Sanad <sanad@localhost>"
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class MailInSettings:
    """Incoming mail (docs/mail.md): the addresses Sanad takes mail for, and the IMAP mailbox
    ``sanad mail fetch`` polls (``imap_host=None``: no polling)."""

    # Besides the address of SANAD_SMTP_FROM (see ``support_addresses``).
    addresses: tuple[str, ...] = ()
    mail_from: str = "Sanad <sanad@localhost>"
    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = field(default=None, repr=False)
    imap_mailbox: str = "INBOX"
    imap_ssl: bool = True
    # Messages one sender may have taken in per hour; more wait (SMTP 451, IMAP: left unseen).
    sender_hourly_limit: int = 30

    @property
    def support_addresses(self) -> tuple[str, ...]:
        """Every address mail is taken for, lower-case: SANAD_SMTP_FROM's first."""
        from email.utils import parseaddr

        found = [parseaddr(self.mail_from)[1].lower()]
        found += [parseaddr(item)[1].lower() for item in self.addresses]
        return tuple(dict.fromkeys(address for address in found if "@" in address))


@dataclass(frozen=True)
class JobSettings:
    """The job runner (docs/jobs.md): periodic work, one runner per job across all hosts."""

    # `sanad serve` runs the runner in every worker; off when `sanad jobs run` runs apart.
    in_serve: bool = True
    # How long a runner holds a job unless renewed; a crashed holder's job is retried after.
    lease: dt.timedelta = dt.timedelta(seconds=60)
    # Intervals of the built-in jobs.
    close_resolved_interval: dt.timedelta = dt.timedelta(minutes=60)
    attention_interval: dt.timedelta = dt.timedelta(minutes=60)
    outbox_interval: dt.timedelta = dt.timedelta(seconds=30)
    inbound_mail_interval: dt.timedelta = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class SlaSettings:
    """Service levels (docs/service-levels.md)."""

    # Share of a target (first response, resolution) after which assignee and team are warned.
    warning_share: float = 0.75


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment, resolved once."""

    instance_dir: Path
    # Out of repr, like every secret below: a URL may carry a password.
    database_url: str = field(repr=False)
    articles_dir: Path
    index_dir: Path
    secret_key: str = field(repr=False)
    tickets: TicketSettings
    # Seconds reaching the database may take (connecting, an unacknowledged packet, waiting
    # for a pooled connection) before the page answers 503: a stalled database must not hang
    # workers. Then the seconds one statement may run or wait for a lock (PostgreSQL
    # statement_timeout, SQLite busy timeout). portal.db's DEFAULT_* are the same figures.
    database_timeout: float = 3.0
    database_statement_timeout: float = 10.0
    default_locale: str = "ar"
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    translations_dir: Path = PROJECT_ROOT / "translations"
    testing: bool = False
    # `sanad serve` creates and prints the demo accounts; off unless asked (make run asks).
    demo: bool = False
    web: WebSettings = WebSettings()
    ratelimits: RateLimitSettings = RateLimitSettings()
    search: SearchSettings = SearchSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    accounts: AccountSettings = AccountSettings()
    mail: MailSettings = MailSettings()
    mailin: MailInSettings = MailInSettings()
    jobs: JobSettings = JobSettings()
    # The site's time zone: business-hours calendars without their own, and dates shown.
    timezone: str = "Asia/Riyadh"
    sla: SlaSettings = SlaSettings()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# The nested parts of the tree, by their attribute on Settings (and prefix in dotted paths).
SECTIONS: dict[str, type[Any]] = {
    "web": WebSettings,
    "ratelimits": RateLimitSettings,
    "search": SearchSettings,
    "knowledge": KnowledgeSettings,
    "accounts": AccountSettings,
    "tickets": TicketSettings,
    "mail": MailSettings,
    "mailin": MailInSettings,
    "jobs": JobSettings,
    "sla": SlaSettings,
}


# --- the variables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """One SANAD_* variable: the dotted path(s) it sets and how its text is read."""

    name: str
    paths: tuple[str, ...]
    kind: Kind[Any]


def _var(name: str, kind: Kind[Any], *paths: str) -> Variable:
    return Variable("SANAD_" + name, paths, kind)


# Bounds that keep "now + duration" a real date.
MAX_LOCKOUT_MINUTES = 7 * 24 * 60
MAX_API_TOKEN_DAYS = 3650
MAX_JOB_MINUTES, MAX_JOB_SECONDS = 31 * 24 * 60, 24 * 60 * 60
JOB_MINUTES = duration("minutes", 1, MAX_JOB_MINUTES)
DATABASE_URL = url("an SQLAlchemy URL, such as sqlite:///instance/sanad.db")
# Order matters twice: the SMTP port's default depends on STARTTLS, the IMAP port's on
# SANAD_IMAP_SSL (each read first).
VARIABLES: tuple[Variable, ...] = (
    _var("INSTANCE_DIR", PATH, "instance_dir"),
    _var("DATABASE_URL", DATABASE_URL, "database_url"),
    _var("DATABASE_TIMEOUT", seconds(), "database_timeout"),
    _var("DATABASE_STATEMENT_TIMEOUT", seconds(), "database_statement_timeout"),
    _var("ARTICLES_DIR", PATH, "articles_dir"),
    _var("INDEX_DIR", PATH, "index_dir"),
    _var("SECRET_KEY", SECRET, "secret_key", "tickets.reply_key"),
    _var("DEFAULT_LOCALE", choice(*LOCALES), "default_locale"),
    _var("DEMO", BOOL, "demo"),
    _var("SESSION_COOKIE_SECURE", BOOL, "web.session_cookie_secure"),
    _var("TRUSTED_PROXIES", whole_number(0), "web.trusted_proxies"),
    _var(
        "RATELIMIT_STORAGE_URL",
        url("a storage URL: database://, redis://127.0.0.1:6379 or memory://"),
        "ratelimits.storage_url",
    ),
    _var("SEARCH_TIME_LIMIT", seconds(), "search.time_limit"),
    _var("SEARCH_MAX_QUERY_CHARS", whole_number(1), "search.max_query_chars"),
    _var("SEARCH_LEARN_MIN_SESSIONS", whole_number(1), "search.learn_min_sessions"),
    _var("SEARCH_LEARN_MAX_BOOST", share(), "search.learn_max_boost"),
    _var("SEARCH_LEARN_HALF_LIFE_DAYS", duration("days", 1, 3650), "search.learn_half_life"),
    _var("REVIEW_SELF_APPROVE", BOOL, "knowledge.review_self_approve"),
    _var("WORKSHOP_REVIEW", BOOL, "knowledge.workshop_review"),
    _var("FEEDBACK_MIN_VOTES", whole_number(1), "knowledge.feedback_min_votes"),
    _var("FEEDBACK_UNHELPFUL_SHARE", share(), "knowledge.feedback_unhelpful_share"),
    _var("ATTENTION_REOPENS", whole_number(1), "knowledge.attention_reopens"),
    _var("REGISTRATION_ENABLED", BOOL, "accounts.registration_enabled"),
    _var("LOCKOUT_THRESHOLD", whole_number(1), "accounts.lockout_threshold"),
    _var(
        "LOCKOUT_MINUTES", duration("minutes", 1, MAX_LOCKOUT_MINUTES), "accounts.lockout_duration"
    ),
    _var(
        "LOCKOUT_MAX_MINUTES",
        duration("minutes", 1, MAX_LOCKOUT_MINUTES),
        "accounts.lockout_max_duration",
    ),
    _var("LOCKOUT_ADDRESS_THRESHOLD", whole_number(1), "accounts.lockout_address_threshold"),
    _var("API_TOKEN_TTL_DAYS", duration("days", 1, MAX_API_TOKEN_DAYS), "accounts.api_token_ttl"),
    _var("RESET_TOKEN_TTL_MINUTES", duration("minutes"), "accounts.reset_token_ttl"),
    _var("DEFAULT_TEAM", TEAM, "accounts.default_team", "tickets.default_team"),
    _var("VISITOR_TICKETS", BOOL, "tickets.visitor_tickets_enabled"),
    _var("REOPEN_WINDOW_DAYS", duration("days", low=0), "tickets.reopen_window"),
    _var("ATTACHMENTS_DIR", PATH, "tickets.attachments_dir"),
    _var("ATTACHMENT_MAX_BYTES", whole_number(0), "tickets.attachment_max_bytes"),
    _var("ATTACHMENT_TYPES", COMMA_LIST, "tickets.attachment_types"),
    _var("CATEGORY_TEAMS", KEY_VALUES, "tickets.category_teams"),
    _var(
        "PUBLIC_URL",
        url("an http:// or https:// URL, such as https://help.example.org", ("http", "https")),
        "tickets.public_url",
    ),
    _var("SMTP_HOST", TEXT, "mail.host"),
    _var("SMTP_STARTTLS", BOOL, "mail.starttls"),
    _var("SMTP_PORT", whole_number(1, 65535), "mail.port"),
    _var("SMTP_USER", TEXT, "mail.user"),
    _var("SMTP_PASSWORD", SECRET, "mail.password"),
    _var("SMTP_FROM", TEXT, "mail.sender", "tickets.mail_from", "mailin.mail_from"),
    _var("MAIL_ADDRESSES", ADDRESS_LIST, "mailin.addresses"),
    _var("MAIL_SENDER_HOURLY_LIMIT", whole_number(1), "mailin.sender_hourly_limit"),
    _var("IMAP_HOST", TEXT, "mailin.imap_host"),
    _var("IMAP_SSL", BOOL, "mailin.imap_ssl"),
    _var("IMAP_PORT", whole_number(1, 65535), "mailin.imap_port"),
    _var("IMAP_USER", TEXT, "mailin.imap_user"),
    _var("IMAP_PASSWORD", SECRET, "mailin.imap_password"),
    _var("IMAP_MAILBOX", TEXT, "mailin.imap_mailbox"),
    _var("JOBS_IN_SERVE", BOOL, "jobs.in_serve"),
    _var("JOBS_LEASE_SECONDS", duration("seconds", 5, MAX_JOB_SECONDS), "jobs.lease"),
    _var("JOBS_CLOSE_RESOLVED_MINUTES", JOB_MINUTES, "jobs.close_resolved_interval"),
    _var("JOBS_ATTENTION_MINUTES", JOB_MINUTES, "jobs.attention_interval"),
    _var("JOBS_OUTBOX_SECONDS", duration("seconds", 1, MAX_JOB_SECONDS), "jobs.outbox_interval"),
    _var(
        "JOBS_INBOUND_MAIL_SECONDS",
        duration("seconds", 1, MAX_JOB_SECONDS),
        "jobs.inbound_mail_interval",
    ),
    _var("TIMEZONE", TIMEZONE, "timezone", "tickets.timezone"),
    _var("SLA_WARNING_SHARE", share(), "sla.warning_share", "tickets.sla_warning_share"),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}
BY_PATH = {path: variable for variable in VARIABLES for path in variable.paths}
# The flat names create_app(overrides) took before the tree was nested.
FLAT_NAMES = {path.rpartition(".")[2]: path for path in BY_PATH if path.startswith("web.")}
FLAT_NAMES |= {"search_" + p.rpartition(".")[2]: p for p in BY_PATH if p.startswith("search.")}
FLAT_NAMES |= {p.rpartition(".")[2]: p for p in BY_PATH if p.startswith("knowledge.")}


def _secret_key(instance_dir: Path) -> str:
    """Reuse the key kept in ``instance/`` so sessions survive restarts; create it once."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once, exactly one writes and all read the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _leaf_paths() -> set[str]:
    top = {f.name for f in dataclasses.fields(Settings) if f.name not in SECTIONS}
    nested = {f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)}
    return top | nested


def _given_values(overrides: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Split overrides into environment-style text and values by dotted path."""
    text: dict[str, str] = {}
    values: dict[str, Any] = {}
    leaves = _leaf_paths()
    for key, value in overrides.items():
        if key.startswith("SANAD_"):
            if key not in BY_NAME:
                raise ConfigError(f"{key} is not a Sanad setting")
            text[key] = str(value)
        elif key in SECTIONS and isinstance(value, Mapping):
            values |= {f"{key}.{name}": item for name, item in value.items()}
        elif key in SECTIONS or key in leaves:
            values[key] = value
        elif key in FLAT_NAMES:
            values[FLAT_NAMES[key]] = value
        else:
            raise ConfigError(f"{key!r} is not a Sanad setting")
    unknown = [path for path in values if path not in leaves and path not in SECTIONS]
    if unknown:
        raise ConfigError(f"{unknown[0]!r} is not a Sanad setting")
    return text, values


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: overrides win over ``SANAD_*`` variables, which win over defaults.

    ``overrides`` (what ``create_app(overrides)`` passes on) may hold, mixed freely:

    - ``"SANAD_*"`` names with text, read exactly as the environment variable would be;
    - a dotted path to any setting, ``{"tickets.visitor_tickets_enabled": False}``, or a
      top-level name (``database_url``, ``articles_dir``, ``testing``...), or one of the flat
      names of earlier releases (``search_time_limit``, ``trusted_proxies``...);
    - a section name with a dict of its fields, merged over the environment
      (``{"accounts": {"argon2_time_cost": 1}}``), or with a section object, which replaces
      the whole section.

    A text value goes through the variable's parser (and errors name the variable); any other
    value is taken as it is, so tests may set what an operator may not (a 1e-9 s time limit).
    An empty variable counts as unset. Unknown names raise ``ConfigError``.
    """
    env = os.environ if environ is None else environ
    text, values = _given_values(overrides or {})
    raw = {name: env.get(name, "") for name in BY_NAME} | text
    found: dict[str, Any] = {}
    for variable in VARIABLES:
        for path in variable.paths:
            if path in values:
                given = values[path]
                is_text = isinstance(given, str)
                found[path] = variable.kind.parse(variable.name, given) if is_text else given
            elif raw[variable.name].strip():
                found[path] = variable.kind.parse(variable.name, raw[variable.name])
    for path, given in values.items():  # settings without a variable (argon2 costs, testing)
        found.setdefault(path, given)
    for path in ("instance_dir", "articles_dir", "index_dir", "tickets.attachments_dir"):
        if path in found:
            found[path] = Path(found[path]).resolve()
    instance_dir = found.setdefault("instance_dir", (PROJECT_ROOT / "instance").resolve())
    found.setdefault("database_url", f"sqlite:///{instance_dir / 'sanad.db'}")
    found.setdefault("articles_dir", (PROJECT_ROOT / "articles").resolve())
    found.setdefault("index_dir", (PROJECT_ROOT / "search_index").resolve())
    found.setdefault("tickets.attachments_dir", (instance_dir / "attachments").resolve())
    found.setdefault("mail.port", 587 if found.get("mail.starttls") else 25)
    found.setdefault("mailin.imap_port", 993 if found.get("mailin.imap_ssl", True) else 143)
    if not found.get("secret_key"):
        found["secret_key"] = _secret_key(instance_dir)
    found.setdefault("tickets.reply_key", found["secret_key"])
    return _build(found)


def _build(found: Mapping[str, Any]) -> Settings:
    """The tree from values by dotted path; a whole section object wins over its fields."""
    top: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        given = found.get(section)
        if isinstance(given, cls):
            top[section] = given
        else:
            prefix = section + "."
            own = {p.removeprefix(prefix): v for p, v in found.items() if p.startswith(prefix)}
            top[section] = cls(**own)
    top |= {path: value for path, value in found.items() if "." not in path and path not in top}
    return Settings(**top)


# --- what `sanad config check` prints ------------------------------------------------------


def _shown(path: str, value: Any) -> str:
    variable = BY_PATH.get(path)
    if value is None:
        return "(unset)"
    if variable is not None:
        return variable.kind.show(value)
    if isinstance(value, bool):
        return BOOL.show(value)
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def describe(settings: Settings) -> Iterator[tuple[str, str, str]]:
    """Every effective setting as (dotted path, value as text, variable name or ""), secrets
    masked: the top-level settings first, then each section."""
    leaves = [(f.name, getattr(settings, f.name)) for f in dataclasses.fields(Settings)]
    for section in SECTIONS:
        part = getattr(settings, section)
        leaves += [(f"{section}.{f.name}", getattr(part, f.name)) for f in dataclasses.fields(part)]
    for path, value in leaves:
        if path not in SECTIONS:
            variable = BY_PATH.get(path)
            yield path, _shown(path, value), variable.name if variable else ""
