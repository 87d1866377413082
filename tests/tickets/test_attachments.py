"""Attachments: type by content, size limits, private storage, downloads only for viewers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.attachments import (
    add_attachment,
    download_name,
    get_attachment_file,
    sniff_type,
)
from portal.tickets.conversation import get_ticket_detail
from portal.tickets.errors import (
    AttachmentNotFound,
    InvalidTransition,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from portal.tickets.resolution import confirm_resolution, resolve_ticket
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]
MINUTE = dt.timedelta(minutes=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        ("سجل الأخطاء\nerror 42".encode(), "text/plain"),
        (b"\xef\xbb\xbf<!DOCTYPE html><script>alert(1)</script>", "text/html"),
        (b"  <svg onload=alert(1)>", "text/html"),
        (b"MZ\x90\x00\x03\x00", None),
        (b"\xff\xfe\x00\x01", None),
    ],
)
def test_types_come_from_the_content(data: bytes, expected: str | None) -> None:
    assert sniff_type(data) == expected


def test_office_documents_are_told_from_plain_zips() -> None:
    assert sniff_type(docx()).endswith("wordprocessingml.document")  # type: ignore[union-attr]
    assert sniff_type(b"PK\x03\x04broken") is None


def test_download_names_are_cleaned_and_take_the_real_extension() -> None:
    assert download_name("../../etc/passwd", "text/plain") == "passwd.txt"
    assert download_name("C:\\Users\\me\\لقطة شاشة.PNG", "image/png") == "لقطة شاشة.png"
    assert download_name("invoice.pdf.exe", "image/png") == "invoice.pdf.png"
    assert download_name('a"b\r\n;c.txt', "text/plain") == "a_b_c.txt"
    assert download_name(".bashrc", "text/plain") == "bashrc.txt"
    assert download_name("", "application/pdf") == "attachment.pdf"


def test_an_attachment_is_stored_privately_and_downloaded_by_viewers_only(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    info = run(
        add_attachment,
        ticket_settings,
        requester,
        ticket.reference,
        filename="screenshot.exe",
        data=PNG,
        now=now,
    )
    assert (info.filename, info.content_type, info.size) == (
        "screenshot.png",
        "image/png",
        len(PNG),
    )
    for viewer in (requester, agent):
        found = run(get_attachment_file, ticket_settings, viewer, ticket.reference, info.id)
        assert found.path.read_bytes() == PNG
        assert found.path.parent == ticket_settings.attachments_dir
        assert "screenshot" not in found.path.name
        assert found.download_name == "screenshot.png"
    with pytest.raises(TicketNotFound):
        run(get_attachment_file, ticket_settings, make_user(), ticket.reference, info.id)
    other = make_ticket()
    with pytest.raises(AttachmentNotFound):
        run(get_attachment_file, ticket_settings, requester, other.reference, info.id)


def test_internal_attachments_stay_with_staff(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    info = run(
        add_attachment,
        ticket_settings,
        agent,
        ticket.reference,
        filename="log.txt",
        data=b"server log",
        internal=True,
        now=now,
    )
    with pytest.raises(AttachmentNotFound):
        run(get_attachment_file, ticket_settings, requester, ticket.reference, info.id)
    assert (
        run(get_ticket_detail, ticket_settings, requester, ticket.reference, now=now).attachments
        == ()
    )
    with pytest.raises(TicketForbidden):
        run(
            add_attachment,
            ticket_settings,
            requester,
            ticket.reference,
            filename="x.txt",
            data=b"x",
            internal=True,
            now=now,
        )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 windows program", "type"),
        (b"<html><script>alert(1)</script></html>", "type"),
        (b"x" * 1025, "too_large"),
    ],
)
def test_rejected_files_name_the_field_and_leave_nothing_behind(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    now: dt.datetime,
    data: bytes,
    code: str,
) -> None:
    small = TicketSettings(
        attachments_dir=ticket_settings.attachments_dir, attachment_max_bytes=1024
    )
    ticket = make_ticket()
    with pytest.raises(ValidationError) as caught:
        run(
            add_attachment, small, requester, ticket.reference, filename="x.png", data=data, now=now
        )
    assert (caught.value.field, caught.value.code) == ("file", code)
    assert not small.attachments_dir.exists() or not any(small.attachments_dir.iterdir())


def test_requester_cannot_add_files_to_a_resolved_ticket_and_nobody_to_a_closed_one(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=now)
    with pytest.raises(InvalidTransition):
        run(
            add_attachment,
            ticket_settings,
            requester,
            ticket.reference,
            filename="shot.png",
            data=PNG,
            now=now + MINUTE,
        )
    # Staff may still add a file to a resolved ticket, and are offered it.
    detail = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now)
    assert "attach" in detail.actions
    run(confirm_resolution, requester, ticket.reference, now=now + MINUTE)
    detail = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now + MINUTE)
    assert "attach" not in detail.actions  # add_attachment refuses closed tickets
