"""``/admin/outbox`` and ``/admin/mailbox``: admins see queued, sent and failed mail (with the
server's answer) and retry a failed one, and read every mail of the local mailbox with its
HTML part made inert; the profile's notification choices are kept per person."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.mail_preferences import MailOptOut, wants_mail
from portal.db import transaction, utcnow
from portal.notify.mail import OutgoingMail
from portal.notify.mailbox import MailboxMessage
from portal.notify.outbox import FAILED, QUEUED, OutboxMessage, deliver_due, enqueue
from tests.support.signing_in import MakePerson, csrf_token, log_in


def _signed_in(app: Flask, make_person: MakePerson, email: str, *roles: str) -> FlaskClient:
    client = app.test_client()
    person = make_person(email, roles=roles)
    assert log_in(client, person.email, person.password).status_code == 303
    return client


def _queue(app: Flask, mail: OutgoingMail) -> int:
    with transaction(app.extensions["sanad"].sessions) as session:
        return enqueue(session, mail, now=utcnow() - dt.timedelta(seconds=1))


def test_an_admin_sees_a_failed_mail_with_the_servers_answer_and_retries_it(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    sessions = accounts_app.extensions["sanad"].sessions
    row_id = _queue(accounts_app, OutgoingMail(to="noura@example.com", subject="Refused", body="B"))
    with transaction(sessions) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.attempts, row.last_error = FAILED, 8, "550 mailbox unavailable"
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    page = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "550 mailbox unavailable" in page
    assert "noura@example.com" in page
    assert f"/admin/outbox/{row_id}/retry" in page

    requester = _signed_in(accounts_app, make_person, "reem@example.com", "requester")
    assert requester.get("/admin/outbox").status_code == 403
    own = csrf_token(requester, "/auth/profile")
    refused = requester.post(f"/admin/outbox/{row_id}/retry", data={"csrf_token": own})
    assert refused.status_code == 403
    token = csrf_token(admin, "/admin/outbox")
    assert admin.post(f"/admin/outbox/{row_id}/retry", data={}).status_code == 400  # no CSRF

    response = admin.post(f"/admin/outbox/{row_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    with sessions() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        assert (row.status, row.attempts) == (QUEUED, 0)
    # Only a failed one may be retried: a second press says so and changes nothing.
    again = admin.post(f"/admin/outbox/{row_id}/retry", data={"csrf_token": token})
    assert again.status_code == 303
    with sessions() as session:
        assert session.get(OutboxMessage, row_id).status == QUEUED  # type: ignore[union-attr]


def test_the_mailbox_shows_every_local_mail_and_its_html_inert(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    services = accounts_app.extensions["sanad"]
    _queue(
        accounts_app,
        OutgoingMail(
            to="noura@example.com",
            subject="<b>Hello</b>",
            body="plain part: see https://x.example/a",
            html='<div dir="rtl" lang="ar"><p onclick="steal()">مرحبًا</p>'
            "<script>alert(1)</script>"
            '<img src="https://tracker.example/p.gif" alt="pixel">'
            '<a href="javascript:alert(2)">x</a></div>',
            lang="ar",
        ),
    )
    assert deliver_due(services.sessions, services.settings.mail, utcnow()).sent == 1
    admin = _signed_in(accounts_app, make_person, "root@example.com", "admin")
    listing = admin.get("/admin/mailbox").get_data(as_text=True)
    assert "&lt;b&gt;Hello&lt;/b&gt;" in listing
    with services.sessions() as session:
        mail_id = session.scalar(select(MailboxMessage.id))
    page = admin.get(f"/admin/mailbox/{mail_id}").get_data(as_text=True)
    assert "مرحبًا" in page
    assert "plain part: see https://x.example/a" in page
    assert "<script>alert(1)" not in page
    assert "onclick" not in page
    assert "javascript:" not in page
    assert '<img src="https://tracker.example' not in page  # an image is a link, never fetched
    assert 'dir="rtl"' in page
    assert admin.get("/admin/mailbox/999999").status_code == 404
    agent = _signed_in(accounts_app, make_person, "adel@example.com", "agent")
    assert agent.get(f"/admin/mailbox/{mail_id}").status_code == 403


def test_a_person_turns_notifications_off_but_not_security_mail(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    sessions = accounts_app.extensions["sanad"].sessions
    client = _signed_in(accounts_app, make_person, "reem@example.com", "requester")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'value="ticket_reply"' in page
    assert "cannot be turned off" in page or "لا يمكن إيقافها" in page
    assert "sla_warning" not in page  # a requester is not offered staff mail
    token = csrf_token(client, "/auth/profile")
    response = client.post(
        "/auth/notifications",
        data={"csrf_token": token, "kinds": ["ticket_opened", "ticket_resolved"]},
    )
    assert response.status_code == 303
    with sessions() as session:
        assert not wants_mail(session, "reem@example.com", "ticket_reply")
        assert wants_mail(session, "reem@example.com", "ticket_opened")
        assert wants_mail(session, "reem@example.com", "password_reset")
    # A kind a requester may not choose is refused and nothing changes.
    bad = client.post("/auth/notifications", data={"csrf_token": token, "kinds": ["sla_breach"]})
    assert bad.status_code == 400
    with sessions() as session:
        assert session.scalars(select(MailOptOut.kind)).all() == ["ticket_reply"]
