"""Knowledge-base use cases for readers and operators.

CONTRACT (owned by portal.kb).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.kb.importer import run_import
from portal.kb.models import Article, ArticleProblem
from portal.kb.rendering import TocEntry, render_limit, render_markdown
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
    article = repository.load(path)
    rendered = render_markdown(article.body)
    return ArticleView(article=article, html=rendered.html, toc=rendered.toc)


def check_articles(repository: ArticleRepository) -> tuple[ArticleProblem, ...]:
    """Every problem with every article file (what ``sanad articles check`` prints).

    Data files (``_categories.yml``, ``_synonyms.yml``, ``_golden.yml``) are checked too:
    a broken one would otherwise only show up as a quietly missing feature.
    """
    loaded = repository.load_all()
    # A file too costly to render still loads (readers see it as plain text); its author
    # should hear why, by name.
    costly = tuple(
        ArticleProblem(article.path, None, f"too expensive to render, shown as plain text: {why}")
        for article in loaded.articles
        if (why := render_limit(article.body)) is not None
    )
    return (*repository.data_problems(), *loaded.problems, *costly)


def import_articles(
    source: Path, repository: ArticleRepository, lang: str | None = None
) -> ImportReport:
    """Import a foreign Markdown knowledge base, mapping its front matter; one commit.

    ``lang`` forces the language; otherwise it comes from the front matter's locale or, failing
    that, from the script the text is written in. See docs/articles.md for the mapping.
    """
    outcome, commit = run_import(source, repository, lang)
    return ImportReport(imported=len(outcome.written), skipped=outcome.skipped, commit=commit)
