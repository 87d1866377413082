"""The ``sla`` object of the ticket JSON (detail and lists): its keys, times in ISO 8601 with
an offset, the state moving from ok to breached, and a breached ticket resolved over the API
only with ``"root_cause": {"code"?, "note"}``."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from portal.cli import main
from portal.db import transaction
from portal.tickets.models import Ticket
from tests.support.web import ClientFor, MakeAccount

SLA_KEYS = {"policy", "first_response_due", "resolution_due", "next_response_due", "state"}


def _aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text  # an offset, never a naive local time
    return value


def test_the_ticket_json_reports_the_deadline_columns_and_a_breach_needs_a_root_cause(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    mine, staff = client_for(make_account()), client_for(make_account("agent"))
    created = mine.post("/api/v1/tickets", json={"subject": "VPN", "body": "Drops"})
    reference = created.get_json()["reference"]

    sla = staff.get(f"/api/v1/tickets/{reference}").get_json()["sla"]
    assert SLA_KEYS | {"breaches"} <= set(sla)
    assert (sla["policy"], sla["state"], sla["breaches"]) == ("default", "ok", [])
    assert sla["resolution_due"] is None  # the default policy promises an answer, not a fix
    with transaction(web.extensions["sanad"].sessions) as session:
        row = session.scalar(select(Ticket).where(Ticket.reference == reference))
        assert row is not None
        assert row.first_response_due is not None
        due = row.first_response_due
    assert _aware(sla["first_response_due"]) == due  # the column is what it reports
    [listed] = staff.get("/api/v1/tickets").get_json()["tickets"]
    assert listed["sla"] == sla
    assert mine.get("/api/v1/tickets").get_json()["tickets"][0]["sla"]["state"] == "ok"

    late = (due + dt.timedelta(minutes=1)).isoformat()
    result = web.test_cli_runner().invoke(main, args=["sla", "run", "--now", late])
    assert "1 breaches" in result.output, result.output
    sla = staff.get(f"/api/v1/tickets/{reference}").get_json()["sla"]
    assert sla["state"] == "breached"
    [breach] = sla["breaches"]
    assert breach["target"] == "first_response"
    assert _aware(breach["due_at"]) == due
    assert breach["target_minutes"] == 48 * 60  # the target that was missed
    assert (breach["tier_before"], breach["tier_after"]) == (1, 2)

    refused = staff.post(f"/api/v1/tickets/{reference}/resolve", json={"note": "Fixed"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "root_cause"
    unknown = staff.post(
        f"/api/v1/tickets/{reference}/resolve",
        json={"note": "Fixed", "root_cause": {"code": "nonsense", "note": "x"}},
    )
    assert (unknown.status_code, unknown.get_json()["error"]["field"]) == (422, "root_cause.code")
    wrong = staff.post(
        f"/api/v1/tickets/{reference}/resolve", json={"note": "Fixed", "root_cause": "staffing"}
    )
    assert (wrong.status_code, wrong.get_json()["error"]["field"]) == (422, "root_cause")
    assert staff.get(f"/api/v1/tickets/{reference}").get_json()["status"] != "resolved"

    resolved = staff.post(
        f"/api/v1/tickets/{reference}/resolve",
        json={
            "note": "Fixed",
            "root_cause": {"code": "staffing", "note": "Nobody on shift that week"},
        },
    )
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["status"] == "resolved"
    with transaction(web.extensions["sanad"].sessions) as session:
        row = session.scalar(select(Ticket).where(Ticket.reference == reference))
        assert row is not None
        assert (row.root_cause_code, row.root_cause_note) == (
            "staffing",
            "Nobody on shift that week",
        )
