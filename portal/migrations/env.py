"""Alembic environment: runs migrations against the URL the caller configured."""

from __future__ import annotations

from alembic import context

import portal.accounts.mail_preferences

# Imported for their side effect: each registers its models on Base.metadata.
import portal.accounts.models
import portal.accounts.rate_counters
import portal.events
import portal.jobs.models
import portal.kb.tables
import portal.mailin.models
import portal.notify.mailbox
import portal.notify.outbox
import portal.search.learned
import portal.tickets.idempotency
import portal.tickets.models
import portal.tickets.routing_models
import portal.tickets.sla_models
import portal.tickets.workspace_models  # noqa: F401
from portal.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by the caller"
    # Bounded connecting (a stalled server fails start-up), unbounded statements.
    engine = make_engine(url, timeout=config.attributes.get("timeout", 3.0), limit_statements=False)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
