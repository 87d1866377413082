"""Attachments: adding a file to a ticket and handing it out again to those who may see it,
and the files themselves: identify the type from the bytes, store under a random name, find
again.

The name the person gave is never trusted: it is neither used on disk nor for the type, only
cleaned up as the download name (with the extension of the type actually found).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
import unicodedata
import zipfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.access import check_may_attach, load_ticket, may_work
from portal.tickets.errors import (
    AttachmentNotFound,
    ValidationError,
)
from portal.tickets.history import record_change
from portal.tickets.models import Ticket, TicketAttachment
from portal.tickets.values import AttachmentFile, AttachmentInfo

EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/html": ".html",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|script|svg|iframe)", re.I)
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


def add_attachment(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    filename: str,
    data: bytes,
    internal: bool = False,
    now: dt.datetime,
) -> AttachmentInfo:
    """Store a file on the ticket after checking size and type (by content, not name).

    The file is written just before its row; should the transaction then fail, no row points
    at the file and it is only an orphan on disk, never reachable through Sanad."""
    ticket = check_may_attach(session, viewer, reference, internal=internal)
    assert viewer is not None
    return attach_file(
        session, settings, ticket, viewer, filename=filename, data=data, internal=internal, now=now
    )


def check_file(settings: TicketSettings, data: bytes) -> str:
    """The media type of ``data`` if it may be attached (size, then type by content), else
    ``ValidationError`` on the ``file`` field."""
    if not data:
        raise ValidationError("file", "The file is empty.", "empty")
    if len(data) > settings.attachment_max_bytes:
        limit = settings.attachment_max_bytes // (1024 * 1024) or 1
        raise ValidationError("file", f"Files may be at most {limit} MB.", "too_large")
    media_type = sniff_type(data[: 64 * 1024] if not data.startswith(b"PK") else data)
    if media_type is None or media_type not in settings.attachment_types:
        raise ValidationError("file", "This type of file is not accepted.", "type")
    return media_type


def attach_file(
    session: Session,
    settings: TicketSettings,
    ticket: Ticket,
    uploader: UserInfo | None,
    *,
    filename: str,
    data: bytes,
    internal: bool = False,
    uploader_name: str | None = None,
    now: dt.datetime,
) -> AttachmentInfo:
    """Store a checked file on ``ticket``, already loaded and allowed by the caller (a
    requester, staff, a visitor's private link, or the new-ticket form); ``uploader`` is None
    for a visitor, named by ``uploader_name`` in the history."""
    media_type = check_file(settings, data)
    # The original of a mail (``.eml``, portal.tickets.mail_channel) is no upload: not counted.
    count = (
        session.scalar(
            select(func.count()).where(
                TicketAttachment.ticket_id == ticket.id,
                TicketAttachment.content_type != "message/rfc822",
            )
        )
        or 0
    )
    if count >= settings.attachments_per_ticket:
        raise ValidationError("file", "This ticket has reached its number of files.", "too_many")
    stored_name = new_stored_name()
    name = download_name(filename, media_type)
    store(settings.attachments_dir, stored_name, data)
    row = TicketAttachment(
        ticket_id=ticket.id,
        stored_name=stored_name,
        filename=name,
        content_type=media_type,
        size=len(data),
        internal=internal,
        uploaded_by_id=uploader.id if uploader else None,
        created_at=now,
    )
    session.add(row)
    record_change(session, ticket, uploader, "attach", now, new=name, actor_name=uploader_name)
    session.flush()
    return AttachmentInfo(
        row.id, row.filename, row.content_type, row.size, row.internal, row.created_at
    )


def get_attachment_file(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    attachment_id: int,
) -> AttachmentFile:
    """The file to send, after checking the viewer may see the ticket (and, for internal
    files, works it). Views send it with ``as_attachment=True`` and ``X-Content-Type-Options:
    nosniff``."""
    ticket = load_ticket(session, viewer, reference)
    row = session.get(TicketAttachment, attachment_id)
    if row is None or row.ticket_id != ticket.id or (row.internal and not may_work(viewer, ticket)):
        raise AttachmentNotFound(str(attachment_id))
    path = stored_path(settings.attachments_dir, row.stored_name)
    if path is None:
        raise AttachmentNotFound(str(attachment_id))
    return AttachmentFile(
        path=path, download_name=row.filename, content_type=row.content_type, size=row.size
    )


def sniff_type(data: bytes) -> str | None:
    """The media type the content really is, or None when it is none Sanad recognises."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")):
        return "text/html"  # never on the default allow-list: a browser would run it
    return "text/plain"


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" in names:
        for prefix, media_type in _OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return media_type
    return "application/zip"


def download_name(filename: str, media_type: str) -> str:
    """A safe download name: the given base name without paths or control characters, with
    the extension of the type found (a PNG called ``x.exe`` downloads as ``x.png``)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base.lstrip(".")
    stem = re.sub(r'[<>:"|?*;]', "_", stem).strip(" .") or "attachment"
    return stem[:150] + EXTENSIONS.get(media_type, "")


def new_stored_name() -> str:
    return secrets.token_hex(16)


def store(directory: Path, stored_name: str, data: bytes) -> Path:
    """Write ``data`` atomically under ``directory``; the directory is created private."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = directory / stored_name
    temporary = directory / f".{stored_name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, final)
    return final


def stored_path(directory: Path, stored_name: str) -> Path | None:
    """The file for ``stored_name`` if it exists; names are ours, but check the shape anyway."""
    if not _STORED_NAME.match(stored_name):
        return None
    path = directory / stored_name
    return path if path.is_file() else None


def discard(directory: Path, stored_name: str) -> None:
    """Remove a stored file (after its transaction failed)."""
    path = stored_path(directory, stored_name)
    if path is not None:
        path.unlink(missing_ok=True)
