"""Query-string parsing for every page and API route, in one place.

Pages are forgiving (a bad filter is dropped, a bad page number means page 1) so a person
always gets a page; the API is strict (400 with a message) so integrations learn their
mistake. Free text is never an error: control characters are removed and length is capped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from portal.config import LOCALES
from portal.kb.models import KINDS
from portal.search.models import MAX_PER_PAGE
from portal.web.params import whole_number

MAX_PAGE = 1000  # deeper pages are never useful and only cost the server
MAX_QUERY_CHARS = 2000  # the search service cuts further (and says so); this bounds the work
MAX_FILTER_CHARS = 100
DEFAULT_PER_PAGE = 10


class BadParameter(ValueError):
    """A query parameter the API cannot accept; the message names it and says what is allowed."""


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    lang: str | None = None
    category: str | None = None
    kind: str | None = None
    tag: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class ListParams:
    lang: str | None = None
    category: str | None = None
    page: int = 1


def clean_text(value: str | None, limit: int) -> str:
    """Text without control or unpaired-surrogate characters, whitespace collapsed, capped."""
    if not value:
        return ""
    kept = []
    for ch in value[: limit * 2]:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs"):
            kept.append(" ")
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())[:limit]


def _int(
    args: Mapping[str, str], name: str, default: int, low: int, high: int, strict: bool
) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw, low, high)
    if value is None:
        if strict:
            raise BadParameter(f"{name} must be a whole number from {low} to {high}")
        return default
    return value


def _choice(
    args: Mapping[str, str], name: str, allowed: tuple[str, ...], strict: bool
) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw not in allowed:
        if strict:
            raise BadParameter(f"{name} must be one of: {', '.join(allowed)}")
        return None
    return raw


def _filter(args: Mapping[str, str], name: str) -> str | None:
    return clean_text(args.get(name), MAX_FILTER_CHARS) or None


def parse_search(args: Mapping[str, str], *, strict: bool) -> SearchParams:
    """Parameters of the search page and ``/api/v1/search``."""
    return SearchParams(
        q=clean_text(args.get("q"), MAX_QUERY_CHARS),
        lang=_choice(args, "lang", LOCALES, strict),
        category=_filter(args, "category"),
        kind=_choice(args, "kind", KINDS, strict),
        tag=_filter(args, "tag"),
        page=_int(args, "page", 1, 1, MAX_PAGE, strict),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, strict),
    )


def parse_list(args: Mapping[str, str], *, strict: bool) -> ListParams:
    """Parameters of category pages and ``/api/v1/articles``."""
    return ListParams(
        lang=_choice(args, "lang", LOCALES, strict),
        category=_filter(args, "category"),
        page=_int(args, "page", 1, 1, MAX_PAGE, strict),
    )


def parse_lang(args: Mapping[str, str], *, strict: bool) -> str | None:
    """An optional ``lang`` parameter."""
    return _choice(args, "lang", LOCALES, strict)
