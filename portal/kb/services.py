"""Knowledge-base use cases for readers and operators.

CONTRACT (owned by portal.kb).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.kb.models import Article, ArticleProblem
from portal.kb.rendering import TocEntry
from portal.kb.repository import ArticleRepository


@dataclass(frozen=True)
class ArticleView:
    """An article ready to show: metadata, sanitized HTML and its table of contents."""

    article: Article
    html: str
    toc: tuple[TocEntry, ...]


@dataclass(frozen=True)
class ImportReport:
    imported: int
    skipped: tuple[ArticleProblem, ...]  # files not imported, with the reason
    commit: str | None


def open_article(repository: ArticleRepository, path: str) -> ArticleView:
    """Load and render one article file; raises ArticleNotFound / ArticleInvalid."""
    raise NotImplementedError


def check_articles(repository: ArticleRepository) -> tuple[ArticleProblem, ...]:
    """Every problem with every article file (what ``sanad articles check`` prints)."""
    raise NotImplementedError


def import_articles(
    source: Path, repository: ArticleRepository, lang: str | None = None
) -> ImportReport:
    """Import a foreign Markdown knowledge base, mapping its front matter; one commit."""
    raise NotImplementedError
