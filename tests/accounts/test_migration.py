"""The Alembic revisions create exactly what the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import portal.accounts.models
import portal.accounts.rate_counters
import portal.events
import portal.jobs.models
import portal.notify.outbox
import portal.tickets.idempotency
import portal.tickets.models
import portal.tickets.routing_models
from portal.db import Base, make_engine


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    assert portal.accounts.models.User.__tablename__ in Base.metadata.tables
    assert portal.events.Event.__tablename__ in Base.metadata.tables
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
