"""The only code that touches article files and git.

CONTRACT (owned by portal.kb; portal.search, portal.web and portal.cli use these signatures).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.kb.models import Article, LoadResult


@dataclass(frozen=True)
class Category:
    """A category's display names and order, from ``_categories.yml``."""

    slug: str
    names: dict[str, str]  # lang → name
    descriptions: dict[str, str]
    order: int = 100
    icon: str = ""

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()), self.slug)


class ArticleRepository:
    """A directory of Markdown articles that is, or sits inside, a git work tree."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure_git(self) -> None:
        """Create the directory and ``git init`` it when it is in no work tree yet."""
        raise NotImplementedError

    def article_paths(self) -> list[str]:
        """Every article file (``*.md`` not starting with ``_`` or ``.``), relative, sorted."""
        raise NotImplementedError

    def load_all(self) -> LoadResult:
        """Parse every article; broken files and duplicate (id, lang) pairs become problems."""
        raise NotImplementedError

    def load(self, path: str) -> Article:
        """Parse one file; raises ArticleInvalid (with line) or ArticleNotFound."""
        raise NotImplementedError

    def head(self) -> str | None:
        """The commit the work tree is at, or None before the first commit."""
        raise NotImplementedError

    def changed_since(self, commit: str | None) -> set[str] | None:
        """Article paths changed since ``commit`` (committed or not); None = cannot tell."""
        raise NotImplementedError

    def read_data(self, name: str) -> Any:
        """Parsed YAML of a data file beside the articles (``_synonyms.yml``, ``_golden.yml``)."""
        raise NotImplementedError

    def categories(self) -> dict[str, Category]:
        """Categories from ``_categories.yml`` (missing file → empty)."""
        raise NotImplementedError

    def commit(self, paths: Iterable[str], message: str, author: str | None = None) -> str:
        """Commit exactly ``paths`` (inside the directory) and return the new commit id."""
        raise NotImplementedError
