"""``/admin/jobs``: admins see every job's last run, outcome and next due time, in both
languages, and ask for a run; nobody else sees or starts anything."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient

from portal.db import transaction
from portal.jobs import EXTENSION, JobContext, Runner
from portal.jobs.builtin import JOBS
from portal.jobs.models import JobState
from tests.support.signing_in import MakePerson, csrf_token, log_in


def _signed_in(app: Flask, make_person: MakePerson, email: str, *roles: str) -> FlaskClient:
    client = app.test_client()
    person = make_person(email, roles=roles)
    assert log_in(client, person.email, person.password).status_code == 303
    return client


def _run_all(app: Flask) -> None:
    services = app.extensions["sanad"]
    context = JobContext(
        settings=services.settings, sessions=services.sessions, repository=services.repository
    )
    Runner(context, JOBS).run_due()


def test_only_admins_see_and_start_jobs(accounts_app: Flask, make_person: MakePerson) -> None:
    visitor = accounts_app.test_client()
    response = visitor.get("/admin/jobs")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login?next=/admin/jobs")
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    token = csrf_token(admin, "/admin/jobs")
    for roles in (("requester",), ("agent",), ("knowledge_manager",)):
        client = _signed_in(accounts_app, make_person, f"{roles[0]}@example.com", *roles)
        assert client.get("/admin/jobs").status_code == 403
        refused = client.post("/admin/jobs/mail_outbox/run", data={"csrf_token": token})
        assert refused.status_code in (400, 403)  # someone else's token, or the role
        assert "/admin/jobs" not in client.get("/auth/profile").get_data(as_text=True)
    with accounts_app.extensions["sanad"].sessions() as session:
        assert session.get(JobState, "mail_outbox") is None  # nothing was asked for


def test_the_page_shows_each_jobs_last_run_outcome_and_next_due_time(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    admin.get("/locale/en")
    page = admin.get("/admin/jobs").get_data(as_text=True)
    for title in ("Send the mail outbox", "Close resolved tickets", "Scan articles that need"):
        assert title in page
    assert page.count("Not run yet") == len(JOBS)
    assert "/admin/jobs" in admin.get("/auth/profile").get_data(as_text=True)  # in the menu

    _run_all(accounts_app)
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert page.count("Succeeded") == len(JOBS)
    assert "Tickets closed: 0" in page
    assert "Mails sent: 0" in page
    assert "Owners notified: 0" in page
    assert "Every 30 seconds" in page
    assert "Every 1 hour" in page
    assert "1 in all, 0 failed" in page


def test_a_failed_run_shows_its_error_and_arabic_readers_get_arabic(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    _run_all(accounts_app)
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        row = session.get(JobState, "attention_scan")
        assert row is not None
        row.last_outcome, row.last_detail = "failed", "KbError: _owners.yml is not a mapping"
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    admin.get("/locale/ar")
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert "المهام الدورية" in page
    assert "أخفق" in page
    assert "KbError: _owners.yml is not a mapping" in page
    assert "تذاكر أُغلقت: 0" in page


def test_figures_without_a_label_show_the_jobs_own_text(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    _run_all(accounts_app)
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        row = session.get(JobState, "mail_outbox")
        assert row is not None
        row.last_counts, row.last_detail = '{"frobs": 2}', "2 frobs sent"
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    admin.get("/locale/en")
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "2 frobs sent" in page
    assert "Mails sent" not in page


def test_run_now_asks_for_a_run_and_wakes_this_processs_runner(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    _run_all(accounts_app)
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    admin.get("/locale/en")

    class Woken:
        count = 0

        def wake(self) -> None:
            self.count += 1

    woken = accounts_app.extensions[EXTENSION] = Woken()
    token = csrf_token(admin, "/admin/jobs")
    assert admin.post("/admin/jobs/close_resolved_tickets/run").status_code == 400  # no token
    assert admin.post("/admin/jobs/no-such-job/run", data={"csrf_token": token}).status_code == 404
    response = admin.post(
        "/admin/jobs/close_resolved_tickets/run", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "runs now; reload the page" in page
    assert "Asked for by root@example.com" in page
    assert woken.count == 1
    with accounts_app.extensions["sanad"].sessions() as session:
        row = session.get(JobState, "close_resolved_tickets")
        assert row is not None
        assert row.requested_by == "root@example.com"
        assert row.requested_at is not None
        assert row.requested_at <= dt.datetime.now(dt.UTC)
