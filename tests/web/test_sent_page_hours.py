"""The confirmation a visitor sees after sending a request says when to expect a first answer
and, outside working hours (10:00–16:00 in Riyadh), when work resumes."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from tests.support.web import ClientFor, text_of

AFTER_CLOSING = dt.datetime(2026, 11, 23, 13, 30, tzinfo=dt.UTC)  # Monday 16:30 in Riyadh
MIDDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday 12:00 in Riyadh


def _send(client_for: ClientFor, lang: str) -> str:
    client = client_for(None)
    if lang == "ar":
        client.get("/locale/ar?next=/")
    response = client.post(
        "/tickets/new",
        data={
            "subject": "Cannot sign in",
            "body": "Since this morning.",
            "visitor_name": "Salma",
            "visitor_email": "salma@example.com",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, text_of(response)
    return response.get_data(as_text=True)


def test_after_closing_the_confirmation_says_when_work_resumes(
    web: Flask, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.web.tickets.views.utcnow", lambda: AFTER_CLOSING)
    page = _send(client_for, "en")
    assert "We are outside working hours now; work resumes" in page
    assert '<time datetime="2026-11-24T07:00:00+00:00"' in page  # Tuesday 10:00 in Riyadh
    # 48 working hours from Tuesday 10:00: eight days of six hours, 1 Dec at 16:00.
    assert "Expect a first answer by" in page
    assert '<time datetime="2026-12-01T13:00:00+00:00"' in page
    arabic = _send(client_for, "ar")
    assert 'dir="rtl"' in arabic
    assert "نحن الآن خارج ساعات العمل؛ يُستأنف العمل" in arabic
    assert '<time datetime="2026-11-24T07:00:00+00:00"' in arabic


def test_within_working_hours_there_is_no_resume_sentence(
    web: Flask, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.web.tickets.views.utcnow", lambda: MIDDAY)
    page = _send(client_for, "en")
    assert "Expect a first answer by" in page
    assert "outside working hours" not in page
