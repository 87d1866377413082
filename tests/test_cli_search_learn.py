"""``sanad search learn [--now ISO]``: the learning job from the command line."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from portal.cli import main
from portal.db import transaction
from portal.events import record_event


def test_search_learn_folds_votes_once_and_refuses_a_bad_time(app: Flask) -> None:
    then = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    with transaction(app.extensions["sanad"].sessions) as session:
        for visitor in ("a", "b", "c"):
            record_event(session, "search", visitor=visitor, query="vpn drops", now=then)
            record_event(session, "view", visitor=visitor, article_id="vpn", lang="en", now=then)
            record_event(
                session,
                "vote",
                visitor=visitor,
                article_id="vpn",
                lang="en",
                data={"helpful": True},
                now=then + dt.timedelta(minutes=1),
            )
    runner = app.test_cli_runner()
    first = runner.invoke(main, args=["search", "learn", "--now", "2026-11-05T09:00:00"])
    assert first.exit_code == 0, first.output
    assert "learned from 3 vote session(s) and 0 ticket(s)" in first.output
    again = runner.invoke(main, args=["search", "learn", "--now", "2026-11-05T09:00:00+00:00"])
    assert "learned from 0 vote session(s)" in again.output
    assert app.extensions["sanad"].search.learned.boosts("VPN drops", then) != {}
    bad = runner.invoke(main, args=["search", "learn", "--now", "yesterday"])
    assert bad.exit_code == 1
    assert "--now: not an ISO 8601 time" in bad.output
