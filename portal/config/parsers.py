"""Settings, part one: the error, and one parser (a ``Kind``) per type of setting."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
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
