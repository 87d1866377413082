"""Settings, part three: every ``SANAD_*`` variable, one row each (``VARIABLES``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.config.parsers import (
    ADDRESS_LIST,
    BOOL,
    COMMA_LIST,
    KEY_VALUES,
    LOCALES,
    PATH,
    SECRET,
    TEAM,
    TEXT,
    TIMEZONE,
    Kind,
    choice,
    duration,
    seconds,
    share,
    url,
    whole_number,
)

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
    _var("HIJRI_DATES", BOOL, "web.hijri_dates"),
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
