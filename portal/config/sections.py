"""Settings, part two: the tree of frozen dataclasses, one per section (web, search...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.config.parsers import PROJECT_ROOT

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
    # The Arabic interface shows the Hijri (Umm al-Qura) date beside the Gregorian one.
    hijri_dates: bool = True


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
