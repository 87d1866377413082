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
    # Failed log-ins in a row before the account locks until an admin unlocks it.
    lockout_threshold: int = 5
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


def _int(name: str, value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"SANAD_{name.upper()} must be a whole number") from exc
    if number < minimum:
        raise ConfigError(f"SANAD_{name.upper()} must be at least {minimum}")
    return number


def load_account_settings(environ: Mapping[str, str] | None = None) -> AccountSettings:
    """Build the settings from ``SANAD_*`` variables (empty counts as unset)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get("SANAD_" + name.upper(), "")
        return value if value.strip() else None

    base = AccountSettings()
    registration = get("registration_enabled")
    threshold = get("lockout_threshold")
    ttl = get("reset_token_ttl_minutes")
    team = get("default_team")
    return AccountSettings(
        registration_enabled=(
            _bool("registration_enabled", registration) if registration else True
        ),
        lockout_threshold=(
            _int("lockout_threshold", threshold, 1) if threshold else base.lockout_threshold
        ),
        reset_token_ttl=(
            dt.timedelta(minutes=_int("reset_token_ttl_minutes", ttl, 1))
            if ttl
            else base.reset_token_ttl
        ),
        default_team=team.strip() if team else base.default_team,
    )
