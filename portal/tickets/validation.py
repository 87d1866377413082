"""Checks on what people type into a ticket: each returns the cleaned value or raises
``ValidationError`` naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterable

from portal.tickets.errors import ValidationError
from portal.tickets.states import IMPACTS, PRIORITIES

MAX_BODY = 20_000
MAX_TAGS = 20
_ARTICLE_ID = re.compile(r"^(?!\.)[\w.-]{1,200}$")
_SLUG = re.compile(r"^[\w-]{1,100}$")


def valid_text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """``value`` stripped; required unless told otherwise, at most ``limit`` characters."""
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError(field, "This field is required.", "required")
    if len(cleaned) > limit:
        raise ValidationError(field, f"Use at most {limit} characters.", "too_long")
    return cleaned


def valid_priority(value: str) -> str:
    """One of ``PRIORITIES``."""
    if value not in PRIORITIES:
        raise ValidationError("priority", f"Choose one of: {', '.join(PRIORITIES)}.", "choice")
    return value


def valid_impact(value: str | None) -> str | None:
    """One of ``IMPACTS`` (who is affected), or None when not stated."""
    if value is None or not value.strip():
        return None
    if value.strip() not in IMPACTS:
        raise ValidationError("impact", f"Choose one of: {', '.join(IMPACTS)}.", "choice")
    return value.strip()


def valid_category(value: str | None) -> str | None:
    """A category slug, or None when empty."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _SLUG.match(cleaned):
        raise ValidationError("category", "Unknown category.", "choice")
    return cleaned


def valid_tags(values: Iterable[str]) -> list[str]:
    """Tags lower-cased with single spaces, duplicates and empty ones dropped."""
    tags: list[str] = []
    for value in values:
        tag = " ".join(value.split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > 40:
            raise ValidationError("tags", "A tag has at most 40 characters.", "too_long")
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError("tags", f"Use at most {MAX_TAGS} tags.", "too_many")
    return tags


def valid_article_id(value: str, field: str = "article_id") -> str:
    """An article id as the knowledge base writes them (no path, no leading dot)."""
    cleaned = value.strip()
    if not _ARTICLE_ID.match(cleaned):
        raise ValidationError(field, f"{value!r} is not an article id.", "invalid")
    return cleaned
