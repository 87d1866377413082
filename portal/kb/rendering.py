"""The only importer of ``markdown`` and ``bleach``: Markdown → sanitized HTML.

CONTRACT (owned by portal.kb).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitized, safe to mark as Markup
    toc: tuple[TocEntry, ...]


def sanitize_html(html: str) -> str:
    """The one sanitizing seam: an explicit allow-list, safe links with rel=noopener."""
    raise NotImplementedError


def render_markdown(text: str) -> Rendered:
    """Markdown (tables, fenced code, heading anchors) → sanitized HTML; cached by content hash."""
    raise NotImplementedError


def plain_text(text: str) -> str:
    """Markdown → plain text for indexing and snippets (no markup, no URLs)."""
    raise NotImplementedError
