"""Hostile values in the filters of the newer listings and the reports API (issue 15): a
page shows (the bad filter dropped), the API answers 400 naming the parameter; never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.reports.registry import REPORTS
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

HOSTILE = {
    "nul": "a\x00b",
    "only-nul": "\x00",
    "long": "ك" * 5_000,
    "superscript": "⁰⁴⁵",
    "beyond-64-bits": str(2**64 + 1),
    "huge": "9" * 60,
    "rtl-override": "\u202eevil\u202c",
    "bad-date": "2026-02-30",
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "week-date": "2026-W01-1",
    "script": '"><script>alert(1)</script>',
    "like-wildcards": "%_%\\",
}
LISTINGS = [
    ("admin", "/admin/outbox", ("status", "to", "page")),
    ("admin", "/admin/mailbox", ("to", "page")),
    ("agent", "/agent/canned", ("q", "page")),
    (
        "agent",
        "/agent",
        ("status", "assignee", "priority", "tier", "team", "category", "q", "page", "sort"),
    ),
]
CANNED = ("q", "ticket", "lang", "page")
REPORT_PARAMETERS = (
    "from", "to", "team", "agent", "category", "channel", "priority", "language", "hours",
    "format", "table",
)  # fmt: skip


@pytest.fixture
def staff(client_for: ClientFor, make_account: MakeAccount) -> dict[str, FlaskClient]:
    admin = client_for(make_account("admin", "agent"))
    agent = client_for(make_account("agent"))
    open_ticket(client_for(make_account()))
    assert (
        agent.post(
            "/agent/canned", data={"title": "Hi", "body": "Hello {name}", "lang": "en"}
        ).status_code
        == 303
    )
    return {"admin": admin, "agent": agent}


@pytest.mark.parametrize(("who", "path", "names"), LISTINGS)
def test_listing_filters_show_the_page(
    web: Flask, staff: dict[str, FlaskClient], who: str, path: str, names: tuple[str, ...]
) -> None:
    failures = []
    for name in names:
        for label, value in HOSTILE.items():
            response = staff[who].get(path, query_string={name: value})
            if response.status_code != 200:
                failures.append((name, label, response.status_code))
            elif "<script>alert(1)" in text_of(response):
                failures.append((name, label, "unescaped"))
    assert not failures


def test_canned_response_api_answers_400_or_the_list(
    web: Flask, staff: dict[str, FlaskClient]
) -> None:
    failures = []
    for name in CANNED:
        for label, value in HOSTILE.items():
            response = staff["agent"].get("/api/v1/canned-responses", query_string={name: value})
            body = response.get_json()
            if response.status_code == 200:
                assert "items" in body
            elif response.status_code in (400, 404):
                assert body["error"]["status"] == response.status_code
            elif response.status_code == 422:  # the service's refusal names the parameter
                assert body["error"]["field"] == name
            else:
                failures.append((name, label, response.status_code))
    assert not failures


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_report_filters_answer_400_naming_the_parameter(
    web: Flask, staff: dict[str, FlaskClient], report: str
) -> None:
    failures = []
    for name in REPORT_PARAMETERS:
        for label, value in HOSTILE.items():
            response = staff["admin"].get(f"/api/v1/reports/{report}", query_string={name: value})
            if response.status_code == 400:
                message = response.get_json()["error"]["message"]
                if not message.startswith(name) and name not in message:
                    failures.append((name, label, message))
            elif response.status_code != 200:
                failures.append((name, label, response.status_code))
    assert not failures


def test_report_dates_beyond_the_calendar_are_a_400_not_a_500(
    web: Flask, staff: dict[str, FlaskClient]
) -> None:
    """Year 9999 went one day past the calendar, year 1 before it once shifted to UTC."""
    for start, end in (("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-02")):
        for suffix in ("", ".csv"):
            response = staff["admin"].get(
                f"/api/v1/reports/volume{suffix}", query_string={"from": start, "to": end}
            )
            assert response.status_code == 400, (start, suffix)
            assert (
                "Choose a day from 1970-01-01 to 2999-12-31"
                in response.get_json()["error"]["message"]
            )
    fine = staff["admin"].get(
        "/api/v1/reports/volume", query_string={"from": "2999-12-01", "to": "2999-12-31"}
    )
    assert fine.status_code == 200
    assert fine.get_json()["filters"]["to"] == "2999-12-31"
