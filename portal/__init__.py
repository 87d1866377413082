"""Sanad (سند): a knowledge-first, bilingual help desk portal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.config import BY_PATH, ConfigError, Settings, load_settings
from portal.db import make_engine, make_session_factory
from portal.kb.repository import ArticleRepository
from portal.search.learned import LearnedStore
from portal.search.services import SearchService

if TYPE_CHECKING:  # the web layer owns Flask; this package only names its application type
    from portal.web import WebApp

__all__ = ["Services", "check_directories", "create_app"]

# Directories the portal creates or reads; a plain file in their place failed on every page.
_DIRECTORIES = ("instance_dir", "articles_dir", "index_dir", "tickets.attachments_dir")


@dataclass(frozen=True)
class Services:
    """What one application instance is wired to; views and commands reach it through the app.

    Settings live in ``settings`` only (``services.settings.tickets``...), never beside it."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    repository: ArticleRepository
    search: SearchService
    # What else the wiring started (the outbox sender...), stopped by ``close`` first.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Stop what this instance started, then release the index and the database: a
        test or a short-lived command that disposes its engine must not leave a thread
        (or an at-exit hook) behind that later reaches a database that is gone."""
        while self.closers:
            self.closers.pop()()
        self.search.close()
        self.engine.dispose()


def create_app(overrides: Mapping[str, Any] | None = None) -> WebApp:
    """Build one Sanad application: settings, storage, search, then the web layer.

    ``overrides`` reach every setting, over the ``SANAD_*`` environment: environment-style
    text (``{"SANAD_VISITOR_TICKETS": "false"}``), dotted paths
    (``{"tickets.visitor_tickets_enabled": False}``), top-level and earlier flat names
    (``database_url``, ``articles_dir``, ``testing``, ``trusted_proxies``...), or a section
    with a dict of fields or a whole section object (``{"accounts": {"argon2_time_cost": 1}}``).
    See ``portal.config.load_settings`` for the rules.
    """
    settings = load_settings(overrides)
    check_directories(settings)

    engine = make_engine(
        settings.database_url,
        timeout=settings.database_timeout,
        statement_timeout=settings.database_statement_timeout,
    )
    repository = ArticleRepository(settings.articles_dir)
    sessions = make_session_factory(engine, settings=settings)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        repository=repository,
        search=SearchService(settings, repository, learned=LearnedStore(sessions, settings.search)),
    )

    # Imported here so that importing ``portal`` (e.g. from the CLI or Alembic) stays light.
    from portal.web import build_app

    return build_app(services)


def check_directories(settings: Settings) -> None:
    """Raise ConfigError (one line naming the variable) when a directory setting points at a
    plain file, or below one: the search index at a file made every page a 500."""
    for path in _DIRECTORIES:
        value: Any = settings
        for part in path.split("."):
            value = getattr(value, part)
        directory = Path(value)
        existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            name = BY_PATH[path].name
            where = "is" if existing == directory else f"lies under {existing}, which is"
            raise ConfigError(f"{name} ({directory}) {where} a file, not a directory")
