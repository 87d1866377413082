"""The ticket and agent forms: every refused field is marked at once, and nothing typed is
lost, whether the form itself or the tickets service refuses it."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.hostile import naughty_strings
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def refused_fields(page: str) -> set[str]:
    """The ids of the fields the page marks as refused."""
    return set(re.findall(r'id="([\w-]+)"[^>]*aria-invalid="true"', page))


def ticket_json(client: FlaskClient, reference: str) -> dict[str, object]:
    answer = client.get(f"/api/v1/tickets/{reference}")
    assert answer.status_code == 200
    found: dict[str, object] = answer.get_json()
    return found


def test_a_visitor_sees_every_missing_field_at_once_and_keeps_the_rest(web: Flask) -> None:
    visitor = web.test_client()
    visitor.set_cookie("sanad_locale", "en")
    response = visitor.post(
        "/tickets/new",
        data={"subject": "   ", "body": "", "visitor_name": "", "visitor_email": "salma@"},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert refused_fields(page) == {"subject", "body", "visitor_name", "visitor_email"}
    assert "Enter your name." in page
    assert "Enter a valid e-mail address, like name@example.com." in page
    assert 'value="salma@"' in page


def test_a_subject_that_is_too_long_is_shown_back_not_cut(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    subject = "Printer " * 40  # 320 characters; the limit is 200
    response = client_for(make_account()).post(
        "/tickets/new", data={"subject": subject, "body": ""}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert refused_fields(page) == {"subject", "body"}
    assert "This text is too long." in page
    assert f'value="{subject.strip()}"' in page


def test_the_on_behalf_form_marks_every_refused_field_and_keeps_the_values(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = client_for(make_account("agent"))
    form = {
        "requester_email": "caller(at)example.com",
        "visitor_name": "Caller",
        "subject": "",
        "body": "",
        "channel": "phone",
        "priority": "high",
        "lang": "en",
    }
    response = staff.post("/agent/new", data=form)
    assert response.status_code == 400
    page = text_of(response)
    assert refused_fields(page) == {"requester_email", "subject", "body"}
    assert 'value="caller(at)example.com"' in page
    assert 'value="Caller"' in page
    assert re.search(r'<option value="high"[^>]* selected', page)


def test_canned_responses_mark_title_and_body_together(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = client_for(make_account("agent"))
    response = staff.post("/agent/canned", data={"title": "", "body": "", "lang": "en"})
    assert response.status_code == 400
    assert {"canned-title", "canned-body"} <= refused_fields(text_of(response))


def test_a_refused_escalation_keeps_the_reason_and_changes_nothing(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    reference = open_ticket(client_for(make_account()))
    staff = client_for(make_account("agent"))
    reason = "Needs the network team. " * 100  # over the 2,000 characters a reason may have
    staff.post(f"/agent/tickets/{reference}/escalate", data={"reason": reason})
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "Not saved: This text is too long." in page
    assert html.escape(reason.strip()[:300]) in page
    assert ticket_json(staff, reference)["tier"] == 1
    staff.post(f"/agent/tickets/{reference}/escalate", data={"reason": "  "})
    assert "Not saved: Write a reason." in text_of(staff.get(f"/agent/tickets/{reference}"))
    assert ticket_json(staff, reference)["tier"] == 1


def test_a_refused_resolution_keeps_the_note_and_the_typed_article(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    reference = open_ticket(client_for(make_account()))
    staff = client_for(make_account("agent"))
    staff.post(
        f"/agent/tickets/{reference}/resolve",
        data={"article_id": "no-such-article", "note": "Replaced the toner."},
    )
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "There is no published article with this id." in page
    assert 'value="no-such-article"' in page
    assert "Replaced the toner.</textarea>" in page
    assert ticket_json(staff, reference)["status"] != "resolved"


def test_an_assignee_that_is_not_a_number_is_refused_not_unassigned(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    reference = open_ticket(client_for(make_account()))
    agent = make_account("agent", name="Huda Agent")
    staff = client_for(agent)
    staff.post(f"/agent/tickets/{reference}/assign", data={"assignee_id": str(agent.id)})
    assert ticket_json(staff, reference)["assignee"] == "Huda Agent"
    for odd in ("abc", "٣", "99999999999999999999"):
        staff.post(f"/agent/tickets/{reference}/assign", data={"assignee_id": odd})
        page = text_of(staff.get(f"/agent/tickets/{reference}"))
        assert "Choose an active agent of the ticket&#39;s team." in page, odd
        assert ticket_json(staff, reference)["assignee"] == "Huda Agent", odd
    staff.post(f"/agent/tickets/{reference}/assign", data={"assignee_id": ""})
    assert ticket_json(staff, reference)["assignee"] is None


def test_a_refused_rating_keeps_the_comment(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account())
    reference = open_ticket(requester)
    staff = client_for(make_account("agent"))
    done = staff.post(f"/agent/tickets/{reference}/resolve", data={"note": "Cleaned it."})
    assert done.status_code == 303
    requester.post(f"/tickets/{reference}/rate", data={"rating": "⁵", "comment": "Quick and kind."})
    page = text_of(requester.get(f"/tickets/{reference}"))
    assert "Choose a rating from 1 to 5." in page
    assert "Quick and kind.</textarea>" in page
    assert ticket_json(requester, reference)["rating"] is None


@pytest.mark.slow
def test_hostile_text_in_every_ticket_form_is_never_a_500(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account())
    reference = open_ticket(requester)
    staff = client_for(make_account("agent"))
    forms = {
        "/tickets/new": ("subject", "body", "category"),
        f"/tickets/{reference}/reply": ("body",),
        f"/tickets/{reference}/rate": ("rating", "comment"),
        f"/agent/tickets/{reference}/assign": ("assignee_id",),
        f"/agent/tickets/{reference}/update": ("priority", "category", "tags"),
        f"/agent/tickets/{reference}/status": ("status",),
        f"/agent/tickets/{reference}/link": ("article_id",),
        f"/agent/tickets/{reference}/flag": ("article_id", "reason"),
        "/agent/new": ("requester_email", "channel", "priority", "lang"),
        "/agent/canned": ("id", "title", "lang"),
    }
    failures = []
    for text in naughty_strings()[::25]:
        for path, fields in forms.items():
            client = staff if path.startswith("/agent") else requester
            for name in fields:
                answer = client.post(path, data={name: text})
                if answer.status_code >= 500:
                    failures.append((path, name, text))
    assert not failures
