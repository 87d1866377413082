"""Settings: built-in defaults, overridden by ``SANAD_*`` environment variables, frozen.

This package is the only code that reads the environment (``load``). Every variable is one row
of ``VARIABLES`` (its name, where it lands in the ``Settings`` tree, and its parser), so the
loader, ``create_app(overrides)`` and ``sanad config check`` can never disagree about a name.
Every setting is documented in docs/configuration.md; keep the two in step.

``parsers``: one parser per type; ``sections``: the frozen dataclasses; ``variables``: the
table; ``load``: reading and describing. The public names are re-exported here.
"""

from portal.config.load import (
    describe,
    load_settings,
)
from portal.config.parsers import (
    BOOL,
    COMMA_LIST,
    KEY_VALUES,
    LOCALES,
    MASK,
    PATH,
    PROJECT_ROOT,
    SECRET,
    TEAM,
    TEXT,
    TIMEZONE,
    ConfigError,
    Kind,
    choice,
    duration,
    mask_url,
    seconds,
    share,
    url,
    whole_number,
)
from portal.config.sections import (
    DEFAULT_ATTACHMENT_TYPES,
    SECTIONS,
    AccountSettings,
    JobSettings,
    KnowledgeSettings,
    MailSettings,
    RateLimitSettings,
    SearchSettings,
    Settings,
    SlaSettings,
    TicketSettings,
    WebSettings,
)
from portal.config.variables import (
    BY_NAME,
    BY_PATH,
    DATABASE_URL,
    FLAT_NAMES,
    JOB_MINUTES,
    MAX_API_TOKEN_DAYS,
    MAX_JOB_MINUTES,
    MAX_JOB_SECONDS,
    MAX_LOCKOUT_MINUTES,
    VARIABLES,
    Variable,
)

__all__ = [
    "BOOL",
    "BY_NAME",
    "BY_PATH",
    "COMMA_LIST",
    "DATABASE_URL",
    "DEFAULT_ATTACHMENT_TYPES",
    "FLAT_NAMES",
    "JOB_MINUTES",
    "KEY_VALUES",
    "LOCALES",
    "MASK",
    "MAX_API_TOKEN_DAYS",
    "MAX_JOB_MINUTES",
    "MAX_JOB_SECONDS",
    "MAX_LOCKOUT_MINUTES",
    "PATH",
    "PROJECT_ROOT",
    "SECRET",
    "SECTIONS",
    "TEAM",
    "TEXT",
    "TIMEZONE",
    "VARIABLES",
    "AccountSettings",
    "ConfigError",
    "JobSettings",
    "Kind",
    "KnowledgeSettings",
    "MailSettings",
    "RateLimitSettings",
    "SearchSettings",
    "Settings",
    "SlaSettings",
    "TicketSettings",
    "Variable",
    "WebSettings",
    "choice",
    "describe",
    "duration",
    "load_settings",
    "mask_url",
    "seconds",
    "share",
    "url",
    "whole_number",
]
