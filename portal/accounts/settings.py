"""Accounts settings: defaults, overridden by ``SANAD_*`` environment variables, frozen.

Kept here until ``portal.config.Settings`` grows these fields; the names match the future
environment variables so moving them changes nothing for operators.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from portal.config import ConfigError


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


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"SANAD_{name.upper()} must be true or false, not {value!r}")


def _int(name: str, value: str, minimum: int, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"SANAD_{name.upper()} must be a whole number") from exc
    if number < minimum:
        raise ConfigError(f"SANAD_{name.upper()} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"SANAD_{name.upper()} must be at most {maximum}")
    return number


# Bounds that keep "now + duration" a real date; a week of lock-out and ten years of token
# life are already far beyond any sensible choice.
MAX_LOCKOUT_MINUTES = 7 * 24 * 60
MAX_API_TOKEN_DAYS = 3650


def load_account_settings(environ: Mapping[str, str] | None = None) -> AccountSettings:
    """Build the settings from ``SANAD_*`` variables (empty counts as unset)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get("SANAD_" + name.upper(), "")
        return value if value.strip() else None

    base = AccountSettings()
    registration = get("registration_enabled")
    threshold = get("lockout_threshold")
    lock_minutes = get("lockout_minutes")
    lock_max_minutes = get("lockout_max_minutes")
    address_threshold = get("lockout_address_threshold")
    token_days = get("api_token_ttl_days")
    ttl = get("reset_token_ttl_minutes")
    team = get("default_team")
    lockout_duration = (
        dt.timedelta(minutes=_int("lockout_minutes", lock_minutes, 1, MAX_LOCKOUT_MINUTES))
        if lock_minutes
        else base.lockout_duration
    )
    lockout_max_duration = (
        dt.timedelta(minutes=_int("lockout_max_minutes", lock_max_minutes, 1, MAX_LOCKOUT_MINUTES))
        if lock_max_minutes
        else max(base.lockout_max_duration, lockout_duration)
    )
    if lockout_max_duration < lockout_duration:
        raise ConfigError("SANAD_LOCKOUT_MAX_MINUTES must be at least SANAD_LOCKOUT_MINUTES")
    return AccountSettings(
        registration_enabled=(
            _bool("registration_enabled", registration) if registration else True
        ),
        lockout_threshold=(
            _int("lockout_threshold", threshold, 1) if threshold else base.lockout_threshold
        ),
        lockout_duration=lockout_duration,
        lockout_max_duration=lockout_max_duration,
        lockout_address_threshold=(
            _int("lockout_address_threshold", address_threshold, 1)
            if address_threshold
            else base.lockout_address_threshold
        ),
        api_token_ttl=(
            dt.timedelta(days=_int("api_token_ttl_days", token_days, 1, MAX_API_TOKEN_DAYS))
            if token_days
            else base.api_token_ttl
        ),
        reset_token_ttl=(
            dt.timedelta(minutes=_int("reset_token_ttl_minutes", ttl, 1))
            if ttl
            else base.reset_token_ttl
        ),
        default_team=team.strip() if team else base.default_team,
    )
