"""The per-process event buffer ``sanad serve`` uses (portal.events); here because search
events are what it batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import make_engine, make_session_factory
from portal.events import Event, EventBuffer


def test_buffer_writes_in_batches_and_on_flush(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'events.db'}")
    Event.__table__.create(engine)
    sessions = make_session_factory(engine)
    buffer = EventBuffer(max_events=3, max_seconds=3600)

    def stored() -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count(Event.id))) or 0)

    buffer.add(sessions, "search", visitor="v", query="vpn", hits=2, data={"lang": "ar"})
    buffer.add(sessions, "view", article_id="a1")
    assert (stored(), buffer.pending()) == (0, 2)
    buffer.add(sessions, "search", query="printer", hits=0)
    assert (stored(), buffer.pending()) == (3, 0)
    buffer.add(sessions, "search", query="x" * 600)
    buffer.flush()
    assert stored() == 4
    with sessions() as session:
        rows = session.scalars(select(Event).order_by(Event.id)).all()
    assert [r.kind for r in rows] == ["search", "view", "search", "search"]
    assert (rows[0].visitor, rows[0].data, rows[1].article_id) == ("v", {"lang": "ar"}, "a1")
    assert len(rows[3].query or "") == 500
    engine.dispose()


def test_unknown_kind_is_refused_before_buffering() -> None:
    buffer = EventBuffer()
    with pytest.raises(ValueError, match="unknown event kind"):
        buffer.add(make_session_factory(make_engine("sqlite://")), "nonsense")
    assert buffer.pending() == 0
