"""Settings: built-in defaults, overridden by ``SANAD_*`` environment variables, frozen.

Every setting is documented in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("ar", "en")


class ConfigError(ValueError):
    """A SANAD_* setting has a value Sanad cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment, resolved once."""

    instance_dir: Path
    database_url: str
    articles_dir: Path
    index_dir: Path
    secret_key: str
    default_locale: str = "ar"
    # Wall-clock budget of one search before a partial result is returned.
    search_time_limit: float = 1.0
    # Longest query text that is analysed; the rest is cut off and the user told so.
    search_max_query_chars: int = 500
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    translations_dir: Path = PROJECT_ROOT / "translations"
    testing: bool = False
    # Sanad runs behind a TLS proxy in production; the test client speaks plain HTTP.
    session_cookie_secure: bool = False
    # How many reverse proxies in front of Sanad set X-Forwarded-For/-Proto/-Host. 0 trusts
    # none (direct exposure); behind one proxy, 1, or every visitor shares the proxy's address.
    trusted_proxies: int = 0
    # Knowledge lifecycle (docs/lifecycle.md).
    # May the author of a draft approve it? Off: a second person must review every change.
    review_self_approve: bool = False
    # Do trainers' workshop guides go through review? Off: a trainer publishes their own.
    workshop_review: bool = False
    # An article needs attention when, with at least this many votes, this share was "no".
    feedback_min_votes: int = 5
    feedback_unhelpful_share: float = 0.4
    # ...or when this many tickets it resolved were reopened.
    attention_reopens: int = 1

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


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


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: overrides win over ``SANAD_*`` variables, which win over defaults."""
    env = os.environ if environ is None else environ
    given = dict(overrides or {})

    def pick(name: str, default: Any) -> Any:
        if name in given:
            return given[name]
        key = "SANAD_" + name.upper()
        return env[key] if key in env and env[key] != "" else default

    instance_dir = Path(pick("instance_dir", PROJECT_ROOT / "instance")).resolve()
    database_url = str(pick("database_url", f"sqlite:///{instance_dir / 'sanad.db'}"))
    articles_dir = Path(pick("articles_dir", PROJECT_ROOT / "articles")).resolve()
    index_dir = Path(pick("index_dir", PROJECT_ROOT / "search_index")).resolve()
    default_locale = str(pick("default_locale", "ar"))
    if default_locale not in LOCALES:
        raise ConfigError(
            f"SANAD_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, not {default_locale!r}"
        )
    secret_key = pick("secret_key", None) or _secret_key(instance_dir)
    try:
        time_limit = float(pick("search_time_limit", 1.0))
    except ValueError as exc:
        raise ConfigError("SANAD_SEARCH_TIME_LIMIT must be a number of seconds") from exc
    try:
        feedback_min_votes = int(pick("feedback_min_votes", 5))
        feedback_share = float(pick("feedback_unhelpful_share", 0.4))
        attention_reopens = int(pick("attention_reopens", 1))
    except ValueError as exc:
        raise ConfigError(
            "SANAD_FEEDBACK_MIN_VOTES and SANAD_ATTENTION_REOPENS must be whole numbers, "
            "SANAD_FEEDBACK_UNHELPFUL_SHARE a number between 0 and 1"
        ) from exc
    try:
        trusted_proxies = int(pick("trusted_proxies", 0))
    except ValueError as exc:
        raise ConfigError("SANAD_TRUSTED_PROXIES must be a whole number (0 = no proxy)") from exc
    if trusted_proxies < 0:
        raise ConfigError("SANAD_TRUSTED_PROXIES must be 0 or more")
    if not 0 < feedback_share <= 1 or feedback_min_votes < 1 or attention_reopens < 1:
        raise ConfigError(
            "SANAD_FEEDBACK_UNHELPFUL_SHARE must be in (0, 1]; SANAD_FEEDBACK_MIN_VOTES and "
            "SANAD_ATTENTION_REOPENS at least 1"
        )
    settings = Settings(
        instance_dir=instance_dir,
        database_url=database_url,
        articles_dir=articles_dir,
        index_dir=index_dir,
        secret_key=str(secret_key),
        default_locale=default_locale,
        search_time_limit=time_limit,
        testing=bool(given.get("testing", False)),
        session_cookie_secure=_env_bool(str(pick("session_cookie_secure", "false"))),
        trusted_proxies=trusted_proxies,
        review_self_approve=_env_bool(str(pick("review_self_approve", "false"))),
        workshop_review=_env_bool(str(pick("workshop_review", "false"))),
        feedback_min_votes=feedback_min_votes,
        feedback_unhelpful_share=feedback_share,
        attention_reopens=attention_reopens,
    )
    known = {f.name for f in fields(Settings)}
    rest = {k: v for k, v in given.items() if k in known and k not in _RESOLVED}
    return replace(settings, **rest) if rest else settings


_RESOLVED = {
    "instance_dir",
    "database_url",
    "articles_dir",
    "index_dir",
    "secret_key",
    "default_locale",
    "search_time_limit",
    "testing",
    "session_cookie_secure",
    "review_self_approve",
    "workshop_review",
    "feedback_min_votes",
    "feedback_unhelpful_share",
    "attention_reopens",
}
