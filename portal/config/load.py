"""Settings, part four: reading the environment and overrides into ``Settings``, and what
``sanad config check`` prints. The only code in Sanad that reads ``os.environ``."""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from portal.config.parsers import BOOL, PROJECT_ROOT, ConfigError
from portal.config.sections import SECTIONS, Settings
from portal.config.variables import BY_NAME, BY_PATH, FLAT_NAMES, VARIABLES


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
    settings = _build(found)
    _check_together(settings)
    return settings


def _check_together(settings: Settings) -> None:
    """Rules between two settings, each error naming both variables."""
    accounts = settings.accounts
    if accounts.lockout_max_duration < accounts.lockout_duration:
        first = int(accounts.lockout_duration.total_seconds() // 60)
        most = int(accounts.lockout_max_duration.total_seconds() // 60)
        raise ConfigError(
            f"SANAD_LOCKOUT_MAX_MINUTES ({most}) must not be below SANAD_LOCKOUT_MINUTES "
            f"({first}): the longest lock-out cannot be shorter than the first"
        )


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
