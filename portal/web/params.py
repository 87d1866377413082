"""Query-string and form values parsed once, the same way everywhere at the web edge.

Bad input is never a 500: these return None (or raise nothing) for anything they cannot read,
and each caller decides whether that is a 400 or the default.
"""

from __future__ import annotations

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})
MAX_DIGITS = 18  # stays inside a signed 64-bit integer, the widest id the database holds


def whole_number(raw: str | None, low: int, high: int) -> int | None:
    """``raw`` as a number from ``low`` to ``high``, or None. Only ASCII digits count:
    ``"²".isdigit()`` is true yet ``int("²")`` fails, and bad input must never be a 500."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdecimal() or len(raw) > MAX_DIGITS:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def flag(raw: str | None) -> bool | None:
    """``raw`` as true or false (``1/true/yes/on``, ``0/false/no/off`` or empty), else None."""
    value = (raw or "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


# --- ids from URLs and JSON -----------------------------------------------------------------

DB_ID_MAX = 2**63 - 1  # the widest integer column (BIGINT); SQLite's INTEGER is the same


def db_id(value: object) -> int | None:
    """A row id from a URL or a JSON body, or None when no row can have it.

    An id beyond 64 bits made the database driver raise (a 500) instead of finding nothing
    (a 404). Booleans are not ids, though ``True`` is an ``int`` to Python."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return whole_number(value, 1, DB_ID_MAX)
    if isinstance(value, int) and 1 <= value <= DB_ID_MAX:
        return value
    return None
