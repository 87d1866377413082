"""Outbound mail through a real SMTP server on loopback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from portal.config import MailSettings, load_settings
from portal.notify.mail import MailNotSent, OutgoingMail, send_mail
from portal.notify.messages import KINDS, compose, password_reset_mail
from portal.notify.templating import MAIL_TEMPLATES_DIR
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox


@pytest.fixture(scope="module", autouse=True)
def catalogs() -> None:
    compile_catalogs()  # plurals come from the pages' compiled catalogs


def test_a_reset_mail_arrives_in_the_recipients_language(smtp_server: Inbox) -> None:
    mail = password_reset_mail(
        to="noura@example.com",
        name="نورة",
        lang="ar",
        link="https://help.example.com/reset/abc",
        minutes=60,
    )
    send_mail(smtp_server.settings, mail)
    [received] = smtp_server.messages
    assert received["To"] == "noura@example.com"
    assert received["From"] == "Sanad <sanad@example.com>"
    assert received["Subject"] == "إعادة تعيين كلمة المرور في سند"
    assert received["Content-Language"] == "ar"
    body = received.get_body(("plain",)).get_content()
    assert "مرحبًا نورة" in body
    assert "https://help.example.com/reset/abc" in body


def test_english_texts_and_unknown_languages_fall_back_to_arabic() -> None:
    english = compose(
        "ticket_opened",
        "en",
        "a@example.com",
        name="Ann",
        reference="HD-000007",
        subject="VPN",
        link="http://x/tickets/HD-000007",
    )
    assert english.subject == "[HD-000007] We received your request: VPN"
    assert (
        compose(
            "ticket_opened", "fr", "a@example.com", name="A", reference="R", subject="S", link="L"
        ).lang
        == "ar"
    )


def test_every_kind_of_mail_has_a_text_and_an_html_template() -> None:
    for kind in KINDS:
        assert (MAIL_TEMPLATES_DIR / f"{kind}.txt").is_file(), kind
        assert (MAIL_TEMPLATES_DIR / f"{kind}.html").is_file(), kind


def test_a_subject_with_newlines_cannot_inject_headers(smtp_server: Inbox) -> None:
    mail = compose(
        "ticket_opened",
        "en",
        "a@example.com",
        name="A",
        reference="HD-000001",
        subject="help\r\nBcc: victim@example.com",
        link="L",
    )
    send_mail(smtp_server.settings, mail)
    [received] = smtp_server.messages
    assert received["Bcc"] is None
    assert "Bcc: victim@example.com" in received["Subject"]


def test_without_a_host_mail_is_written_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.notify.mail")
    send_mail(MailSettings(), OutgoingMail(to="a@example.com", subject="Hi", body="Body text"))
    assert "a@example.com" in caplog.text
    assert "Body text" in caplog.text


def test_an_unreachable_server_is_reported(smtp_server: Inbox) -> None:
    dead = MailSettings(host="127.0.0.1", port=1, timeout=2)
    with pytest.raises(MailNotSent):
        send_mail(dead, OutgoingMail(to="a@example.com", subject="S", body="B"))
    send_mail(smtp_server.settings, OutgoingMail(to="p0@example.com", subject="S", body="B"))
    assert [m["To"] for m in smtp_server.messages] == ["p0@example.com"]


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    def load_mail_settings(environ: dict[str, str]) -> MailSettings:
        return load_settings({"instance_dir": tmp_path}, environ=environ).mail

    settings = load_mail_settings(
        {
            "SANAD_SMTP_HOST": "smtp.example.com",
            "SANAD_SMTP_STARTTLS": "true",
            "SANAD_SMTP_USER": "u",
            "SANAD_SMTP_PASSWORD": "hunter2-secret",
            "SANAD_SMTP_FROM": "Help <help@example.com>",
        }
    )
    assert (settings.host, settings.port, settings.starttls) == ("smtp.example.com", 587, True)
    assert settings.sender == "Help <help@example.com>"
    assert "hunter2-secret" not in repr(settings)
    assert load_mail_settings({}).host is None


@pytest.mark.parametrize(
    ("days", "arabic", "english"),
    [
        (1, "يوم واحد", "1 day"),
        (2, "يومين", "2 days"),
        (3, "3 أيام", "3 days"),
        (7, "7 أيام", "7 days"),
        (11, "11 يومًا", "11 days"),
        (14, "14 يومًا", "14 days"),
        (100, "100 يوم", "100 days"),
    ],
)
def test_the_reopen_window_reads_as_proper_arabic(days: int, arabic: str, english: str) -> None:
    mail = compose(
        "ticket_resolved",
        "ar",
        "a@example.com",
        name="Reem",
        reference="HD-000001",
        subject="VPN",
        link="http://x/t",
        note="",
        days=days,
    )
    assert f"خلال {arabic} إذا" in mail.body
    assert "\n\n\n" not in mail.body  # no note: no gap of blank lines
    english_mail = compose(
        "ticket_resolved",
        "en",
        "a@example.com",
        name="Reem",
        reference="HD-000001",
        subject="VPN",
        link="http://x/t",
        note="",
        days=days,
    )
    assert f"within {english} if" in english_mail.body


def test_typed_markup_in_a_subject_or_reply_is_inert_in_the_html_part() -> None:
    mail = compose(
        "ticket_reply",
        "ar",
        "a@example.com",
        name='<img src=x onerror="alert(1)">',
        reference="HD-000001",
        subject="<script>alert(2)</script>",
        link="https://help.example.com/tickets/HD-000001",
        author="عادل",
        body='انقر <a href="javascript:alert(3)">هنا</a>',
    )
    assert mail.html is not None
    assert "<script>" not in mail.html
    assert "<img" not in mail.html
    assert 'href="javascript:' not in mail.html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in mail.html
    assert '<a href="https://help.example.com/tickets/HD-000001">' in mail.html
    assert '<html lang="ar" dir="rtl">' in mail.html


def test_a_mail_reaches_a_real_smtp_server_as_text_and_html_alternatives(
    smtp_server: Inbox,
) -> None:
    mail = compose(
        "ticket_resolved",
        "ar",
        "reem@example.com",
        name="ريم",
        reference="HD-000042",
        subject="الطابعة",
        link="https://help.example.com/tickets/HD-000042",
        note="",
        days=11,
    )
    send_mail(smtp_server.settings, mail)
    [received] = smtp_server.messages
    assert received.get_content_type() == "multipart/alternative"
    text, html = received.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert "خلال 11 يومًا إذا" in text.get_content()
    page = html.get_content()
    assert 'dir="rtl"' in page
    assert 'lang="ar"' in page
    assert "خلال 11 يومًا إذا" in page
    assert received["Content-Language"] == "ar"


def test_an_unknown_kind_of_mail_is_refused() -> None:
    with pytest.raises(KeyError):
        compose("weekly_digest", "en", "a@example.com")
