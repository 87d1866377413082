"""What mail-in sends back, as the sender sees it through a real SMTP server on loopback: an
unknown sender writing in Arabic gets the private tracking link in Arabic (text and HTML,
right to left); files that could not be kept are listed in the sender's language."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from flask import Flask

from portal.db import utcnow
from portal.mailin.intake import take_mail
from portal.notify.outbox import deliver_due
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
FAR = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {**app_overrides, "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>"}


def take_and_deliver(app: Flask, inbox: Inbox, message: EmailMessage) -> list[EmailMessage]:
    compile_catalogs()
    services = app.extensions["sanad"]
    take_mail(services.sessions, services.settings, message.as_bytes(), now=utcnow())
    deliver_due(services.sessions, inbox.settings, FAR)
    return inbox.messages


def arabic_message(subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "salma@example.net", SUPPORT, subject
    mail["Message-ID"] = make_msgid(domain="mail.example.net")
    mail.set_content(body)
    return mail


def test_an_unknown_arabic_sender_gets_the_private_link_in_arabic(
    app: Flask, smtp_server: Inbox
) -> None:
    message = arabic_message(
        "<b>الطابعة</b> لا تعمل", "الطابعة في الطابق الثاني لا تطبع شيئًا منذ الصباح."
    )
    [reply] = take_and_deliver(app, smtp_server, message)
    assert reply["To"] == "salma@example.net"
    assert reply["Content-Language"] == "ar"
    assert re.fullmatch(r"\[HD-\d+\] استلمنا طلبك", str(reply["Subject"]))
    text = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    link = re.search(r"https?://\S+/tickets/visit/[\w-]+", text)
    assert link, text
    assert "تابعه ورُدّ عليه من هذا الرابط الخاص (لا تشاركه مع أحد)" in text
    assert '<html lang="ar" dir="rtl">' in html
    assert f'<a href="{link.group(0)}">' in html
    assert "الطابعة" not in text + html  # a visitor's mail repeats nothing they typed


def test_refused_files_are_listed_back_in_the_senders_language(
    app: Flask, smtp_server: Inbox
) -> None:
    message = arabic_message("فاتورة", "أرفقت الملف المطلوب للفاتورة الأخيرة من فضلكم.")
    message.add_attachment(
        b"MZ\x90\x00 not a document", maintype="application", subtype="octet-stream",
        filename="<img src=x onerror=alert(1)>.exe",
    )  # fmt: skip
    mails = take_and_deliver(app, smtp_server, message)
    [report] = [m for m in mails if "لم تُضف بعض الملفات" in str(m["Subject"])]
    text = report.get_body(("plain",)).get_content()
    html = report.get_body(("html",)).get_content()
    assert "لكن ملفًا واحدًا لم يُضف" in text
    assert "هذا النوع من الملفات غير مقبول" in text
    assert 'dir="rtl"' in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.exe" in html
