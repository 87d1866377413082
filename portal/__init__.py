"""Sanad (سند): a knowledge-first, bilingual help desk portal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.settings import AccountSettings, load_account_settings
from portal.config import Settings, load_settings
from portal.db import make_engine, make_session_factory
from portal.kb.repository import ArticleRepository
from portal.notify.settings import MailSettings, load_mail_settings
from portal.search.services import SearchService
from portal.tickets.settings import TicketSettings, load_ticket_settings

__all__ = ["Services", "create_app"]


@dataclass(frozen=True)
class Services:
    """What one application instance is wired to; views and commands reach it through the app."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    repository: ArticleRepository
    search: SearchService
    accounts: AccountSettings
    tickets: TicketSettings
    mail: MailSettings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build one Sanad application: settings, storage, search, then the web layer."""
    settings = load_settings(overrides)

    engine = make_engine(settings.database_url)
    repository = ArticleRepository(settings.articles_dir)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        repository=repository,
        search=SearchService(settings, repository),
        accounts=load_account_settings(),
        tickets=load_ticket_settings(settings.instance_dir),
        mail=load_mail_settings(),
    )

    # Imported here so that importing ``portal`` (e.g. from the CLI or Alembic) stays light.
    from portal.web import init_app

    app = Flask(
        "portal",
        template_folder=str(settings.templates_dir),
        static_folder=str(settings.static_dir),
        instance_path=str(settings.instance_dir),
    )
    app.extensions["sanad"] = services
    init_app(app, services)
    return app
