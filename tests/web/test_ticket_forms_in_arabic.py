"""Ticket forms in the Arabic interface: refusals in the interface language, references and
addresses kept left to right, canned responses edited in place."""

from __future__ import annotations

import gc
import io
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.web import PNG, ClientFor, MakeAccount, open_ticket, text_of


def arabic(client: FlaskClient) -> FlaskClient:
    client.set_cookie("sanad_locale", "ar")
    return client


def test_ticket_form_errors_are_in_the_interface_language(web: Flask) -> None:
    response = arabic(web.test_client()).post(
        "/tickets/new",
        data={
            "subject": "الطابعة",
            "body": "لا تطبع",
            "visitor_name": "سلمى",
            "visitor_email": "nope",
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "أدخل بريدًا إلكترونيًا صحيحًا" in page
    assert "@-sign" not in page
    assert 'value="nope"' in page
    assert "لا تطبع</textarea>" in page


def test_a_refused_file_is_explained_in_the_interface_language(
    client_for: ClientFor, make_account: MakeAccount, web: Flask
) -> None:
    client = client_for(make_account())
    reference = open_ticket(client)
    limit = web.extensions["sanad"].settings.tickets.attachment_max_bytes
    response = client.post(
        f"/tickets/{reference}/reply",
        data={"body": "", "file": (io.BytesIO(PNG + b"\0" * limit), "shot.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = text_of(response)
    megabytes = limit // (1024 * 1024)
    # The sentence comes from the catalog (msgid), not the service's English message.
    assert f"The file was not accepted: A file may be at most {megabytes} MB." in page
    del response
    gc.collect()


def test_sent_page_keeps_reference_and_address_left_to_right(web: Flask) -> None:
    response = arabic(web.test_client()).post(
        "/tickets/new",
        data={
            "subject": "Printer",
            "body": "Jammed",
            "visitor_name": "Salma",
            "visitor_email": "salma@example.com",
        },
    )
    page = text_of(response)
    assert '<bdi dir="ltr">salma@example.com</bdi>' in page
    assert re.search(r'<bdi dir="ltr">HD-\d{6}</bdi>', page)


def test_on_behalf_form_explains_every_refused_field(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = arabic(client_for(make_account("agent")))
    form = {
        "requester_email": "caller@example.com",
        "visitor_name": "",
        "subject": "Printer",
        "body": "Jammed",
        "channel": "phone",
        "priority": "asap",
        "lang": "ar",
    }
    response = staff.post("/agent/new", data=form)
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose one of" not in page
    assert 'id="priority" name="priority" aria-invalid="true"' in page
    assert '<p class="field-error" id="priority-error">اختر إحدى القيم المعروضة.</p>' in page
    response = staff.post("/agent/new", data={**form, "priority": "normal"})
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="visitor_name-error"' in page
    assert "This field is required." not in page
    assert 'value="caller@example.com"' in page


def test_canned_responses_can_be_edited_and_errors_are_translated(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    staff = arabic(client_for(make_account("agent")))
    staff.post("/agent/canned", data={"title": "Restart", "body": "Restart the VPN.", "lang": "en"})
    page = text_of(staff.get("/agent/canned"))
    found = re.search(r'name="id" value="(\d+)"', page)
    assert found, "each response offers an edit form"
    refused = staff.post("/agent/canned", data={"id": found.group(1), "title": "", "body": "x"})
    assert refused.status_code == 400
    assert "هذا الحقل مطلوب." in text_of(refused)
    assert "This field is required." not in text_of(refused)
    assert f'name="id" value="{found.group(1)}"' in text_of(refused)  # still an edit
    edited = staff.post(
        "/agent/canned",
        data={"id": found.group(1), "title": "Restart", "body": "Restart it twice.", "lang": "en"},
    )
    assert edited.status_code == 303
    page = text_of(staff.get("/agent/canned"))
    assert "Restart it twice." in page
    assert "Restart the VPN." not in page
