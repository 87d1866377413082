"""End to end on a real HTTP server and a loopback SMTP server: a ticket opened over the API,
``sanad sla run --now`` at 75 % (warning mail delivered to the assignee), after the breach
(tier 2, escalation mail to the tier-2 agent), again (nothing new), and resolving without a
root cause refused with 422 naming root_cause. Mail goes through the outbox, drained here."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.tokens import create_api_token
from portal.cli import main
from portal.db import transaction, upgrade_database
from portal.notify.outbox import OutboxMessage, deliver_due
from portal.tickets.assignment import assign_ticket
from portal.tickets.models import Ticket, TicketHistory
from tests.e2e.sites import ARTICLES, add_user, serve, write_articles
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox


def _app(root: Path, inbox: Inbox) -> Flask:
    compile_catalogs()
    database_url = f"sqlite:///{root / 'sanad.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "instance_dir": root / "instance",
            "database_url": database_url,
            "articles_dir": write_articles(root, ARTICLES),
            "index_dir": root / "search_index",
            "secret_key": "e2e-sla-smtp",
            "SANAD_SMTP_HOST": inbox.settings.host,
            "SANAD_SMTP_PORT": str(inbox.settings.port),
        }
    )
    app.extensions["sanad"].search.sync()
    return app


def _call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_warning_escalation_and_root_cause_over_http_and_smtp(
    tmp_path: Path, smtp_server: Inbox
) -> None:
    app = _app(tmp_path, smtp_server)
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        people = {
            "requester": add_user(
                session, email="reem@example.com", name="Reem", role="requester", now=now
            ),
            "agent": add_user(
                session,
                email="adel@example.com",
                name="Adel",
                role="agent",
                tier=1,
                teams=("support",),
                now=now,
            ),
            "tier2": add_user(
                session,
                email="tariq@example.com",
                name="Tariq",
                role="agent",
                tier=2,
                teams=("support",),
                now=now,
            ),
        }
        tokens = {
            key: create_api_token(session, email=user.email, now=now)
            for key, user in people.items()
        }

    def sanad(*args: str) -> str:
        result = app.test_cli_runner().invoke(main, args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def drain(at: dt.datetime) -> list[str]:
        """Send everything queued, then what the SMTP server received so far (recipients)."""
        while deliver_due(services.sessions, services.settings.mail, at).sent:
            pass
        return [str(m["To"]) for m in smtp_server.messages]

    def counts() -> tuple[int, int]:
        with transaction(services.sessions) as session:
            mails = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
            history = session.scalar(select(func.count()).select_from(TicketHistory)) or 0
            return mails, history

    with serve(app, people) as site:
        status, opened = _call(
            site.base,
            "POST",
            "/api/v1/tickets",
            tokens["requester"],
            {"subject": "VPN drops every hour", "body": "It disconnects at :00."},
        )
        assert status == 201, opened
        reference = opened["reference"]
        with transaction(services.sessions) as session:
            assign_ticket(
                session, people["agent"], reference, assignee_id=people["agent"].id, now=now
            )
            ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
            assert ticket is not None
            warn_at, due = ticket.first_response_warn_at, ticket.first_response_due
        assert warn_at is not None
        assert due is not None
        # The ticket-received mail, to the requester (queued when the request ran, after `now`).
        assert drain(dt.datetime.now(dt.UTC)) == ["reem@example.com"]
        smtp_server.messages.clear()

        assert "1 warnings" in sanad("sla", "run", "--now", warn_at.isoformat())
        received = drain(warn_at)
        assert any("adel@example.com" in to for to in received), received
        assert not any("tariq@example.com" in to for to in received)
        smtp_server.messages.clear()

        late = due + dt.timedelta(minutes=1)
        output = sanad("sla", "run", "--now", late.isoformat())
        assert "1 breaches, 1 escalations" in output
        received = drain(late)
        assert any("tariq@example.com" in to for to in received), received
        status, shown = _call(site.base, "GET", f"/api/v1/tickets/{reference}", tokens["tier2"])
        assert status == 200
        assert shown["tier"] == 2
        assert shown["sla"]["state"] == "breached"
        assert [b["target"] for b in shown["sla"]["breaches"]] == ["first_response"]
        smtp_server.messages.clear()

        before = counts()
        again = late + dt.timedelta(hours=1)
        assert "0 warnings, 0 breaches, 0 escalations, 0 mails" in sanad(
            "sla", "run", "--now", again.isoformat()
        )
        assert drain(again) == []
        assert counts() == before

        status, refused = _call(
            site.base,
            "POST",
            f"/api/v1/tickets/{reference}/resolve",
            tokens["tier2"],
            {"note": "Restarted the concentrator."},
        )
        assert status == 422, refused
        assert refused["error"]["field"] == "root_cause"
