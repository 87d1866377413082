"""Attachment files: identify the type from the bytes, store under a random name, find again.

The name the person gave is never trusted: it is neither used on disk nor for the type, only
cleaned up as the download name (with the extension of the type actually found).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import unicodedata
import zipfile
from pathlib import Path

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
