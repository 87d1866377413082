"""Sanad (سند): a knowledge-first, bilingual help desk portal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings, load_settings
from portal.db import make_engine, make_session_factory
from portal.kb.repository import ArticleRepository
from portal.search.services import SearchService

if TYPE_CHECKING:  # the web layer owns Flask; this package only names its application type
    from portal.web import WebApp

__all__ = ["Services", "create_app"]


@dataclass(frozen=True)
class Services:
    """What one application instance is wired to; views and commands reach it through the app.

    Settings live in ``settings`` only (``services.settings.tickets``...), never beside it."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    repository: ArticleRepository
    search: SearchService


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

    engine = make_engine(
        settings.database_url,
        timeout=settings.database_timeout,
        statement_timeout=settings.database_statement_timeout,
    )
    repository = ArticleRepository(settings.articles_dir)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        repository=repository,
        search=SearchService(settings, repository),
    )

    # Imported here so that importing ``portal`` (e.g. from the CLI or Alembic) stays light.
    from portal.web import build_app

    return build_app(services)
