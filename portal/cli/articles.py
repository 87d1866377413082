"""``sanad articles check`` and ``sanad import``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli.base import _services, main

# --- articles ------------------------------------------------------------------------------


@main.group()
def articles() -> None:
    """The articles directory."""


@articles.command("check")
def articles_check() -> None:
    """Report every broken article file with its path and line; exit 1 if any."""
    from portal.kb.services import check_articles

    services = _services()
    problems = check_articles(services.repository)
    for problem in problems:
        click.echo(str(problem), err=True)
    total = len(services.repository.article_paths())
    click.echo(f"{total} article files, {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@main.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--lang", type=click.Choice(["ar", "en"]), default=None, help="Language of the files."
)
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Articles directory to import into (default: SANAD_ARTICLES_DIR).",
)
def import_command(source: Path, lang: str | None, into: Path | None) -> None:
    """Import a Markdown knowledge base that uses another front-matter schema."""
    from portal.kb.repository import ArticleRepository
    from portal.kb.services import import_articles

    repository = ArticleRepository(into.resolve()) if into else _services().repository
    report = import_articles(source, repository, lang=lang)
    for problem in report.skipped:
        click.echo(f"skipped {problem}", err=True)
    click.echo(
        f"imported {report.imported} article(s), skipped {len(report.skipped)}"
        + (f", commit {report.commit[:12]}" if report.commit else "")
    )
