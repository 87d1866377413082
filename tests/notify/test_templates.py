"""Every kind of mail as its recipient sees it, through a real SMTP server on loopback: a
plain-text and an HTML part, in the recipient's language (right to left for Arabic), the
catalog's sentences and plurals, dates in the site's time zone, typed text inert."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage

import pytest

from portal.dates import moment_text
from portal.notify.mail import send_mail
from portal.notify.messages import KINDS, compose
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox

DUE = dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)  # already 4 December in Riyadh
RESUMES = dt.datetime(2026, 12, 6, 7, 0, tzinfo=dt.UTC)
ZONE = "Asia/Riyadh"
LINK = "https://help.example.com/tickets/HD-000042"

# What each kind is given by its caller (the ticket, SLA, attention, accounts, mail-in code).
VALUES: dict[str, dict[str, object]] = {
    "password_reset": {
        "name": "Noura",
        "link": "https://help.example.com/auth/reset/t",
        "minutes": 60,
    },
    "account_welcome": {"name": "Noura", "link": "https://help.example.com/auth/login"},
    "account_exists": {
        "name": "Noura",
        "login_link": "https://help.example.com/auth/login",
        "reset_link": "https://help.example.com/auth/forgot",
    },
    "account_locked": {
        "name": "Noura",
        "until": DUE,
        "reset_link": "https://help.example.com/auth/forgot",
    },
    "ticket_opened": {
        "name": "Reem",
        "reference": "HD-000042",
        "subject": "Printer",
        "link": LINK,
        "due": DUE,
        "resumes": RESUMES,
    },
    "ticket_opened_visitor": {
        "reference": "HD-000042",
        "link": "https://help.example.com/tickets/visit/tok",
        "due": DUE,
    },
    "ticket_reply": {
        "name": "Reem",
        "reference": "HD-000042",
        "subject": "Printer",
        "author": "Adel",
        "body": "Restart it.\n\nThen try again.",
        "link": LINK,
    },
    "ticket_reply_visitor": {
        "name": "Reem",
        "reference": "HD-000042",
        "subject": "Printer",
        "author": "Adel",
        "body": "Restart it.",
        "renew_link": "https://help.example.com/tickets/link",
    },
    "ticket_resolved": {
        "name": "Reem",
        "reference": "HD-000042",
        "subject": "Printer",
        "note": "New driver installed.",
        "days": 7,
        "link": LINK,
    },
    "ticket_resolved_visitor": {
        "name": "Reem",
        "reference": "HD-000042",
        "subject": "Printer",
        "note": "",
        "renew_link": "https://help.example.com/tickets/link",
    },
    "ticket_link_visitor": {
        "reference": "HD-000042",
        "link": "https://help.example.com/tickets/visit/new",
    },
    "sla_warning": {
        "name": "Adel",
        "reference": "HD-000042",
        "subject": "Printer",
        "target": "first_response",
        "due": DUE,
        "tier": 1,
        "team": "Support team",
        "link": LINK,
    },
    "sla_breach": {
        "name": "Adel",
        "reference": "HD-000042",
        "subject": "Printer",
        "target": "resolution",
        "due": DUE,
        "tier": 2,
        "team": "Network",
        "link": LINK,
    },
    "weekly_summary": {
        "name": "Mona",
        "start": dt.date(2026, 11, 16),
        "end": dt.date(2026, 11, 22),
        "opened": 12,
        "backlog": 4,
        "resolved_percent": 75.0,
        "first_response_minutes": 95.5,
        "compliance_percent": None,
        "csat_average": 4.5,
        "rated": 11,
        "searches": 340,
        "no_results": 21,
        "self_service_percent": 62.5,
        "service_link": "https://help.example.com/reports/service",
        "knowledge_link": "https://help.example.com/reports/knowledge",
    },
    "ticket_escalated": {
        "name": "Mona",
        "reference": "HD-000042",
        "subject": "Printer",
        "tier": 2,
        "team": "Network",
        "why": "Needs a driver from the vendor.",
        "link": "https://help.example.com/agent/tickets/HD-000042",
    },
    "attention": {
        "article_title": "Reset your password",
        "key": "en/reset-password",
        "reason": "agent_flag",
        "detail": "HD-000042: should mention the phone",
        "link": "https://help.example.com/attention/",
    },
    "mail_refused": {"subject": "Printer", "link": "https://help.example.com/tickets/new"},
    "files_refused": {
        "reference": "HD-000042",
        "refused": (("setup.exe", "type"), ("scan.pdf", "too_large")),
        "max_mb": 10,
    },
}
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module", autouse=True)
def catalogs() -> None:
    compile_catalogs()


def received(inbox: Inbox, kind: str, lang: str, **values: object) -> EmailMessage:
    mail = compose(kind, lang, f"{lang}@example.com", timezone=ZONE, **{**VALUES[kind], **values})
    inbox.messages.clear()
    send_mail(inbox.settings, mail)
    [message] = inbox.messages
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_every_kind_has_values_here() -> None:
    assert set(VALUES) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_arrives_as_text_and_html_in_arabic_right_to_left(
    smtp_server: Inbox, kind: str
) -> None:
    message = received(smtp_server, kind, "ar")
    text, html = parts(message)
    assert message["Content-Language"] == "ar"
    assert ARABIC.search(str(message["Subject"])), message["Subject"]
    assert '<html lang="ar" dir="rtl">' in html
    assert '<body dir="rtl" lang="ar">' in html
    for part in (text, html):
        assert ARABIC.search(part)
        for leftover in ("%(", "{{", "{%"):
            assert leftover not in part
        # Every sentence comes from the Arabic catalog: no English sentence is left over.
        assert not re.search(r"\b(Hello|Your|Please|Ticket|The|If)\b", part), part


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_arrives_in_english_left_to_right(smtp_server: Inbox, kind: str) -> None:
    message = received(smtp_server, kind, "en")
    text, html = parts(message)
    assert message["Content-Language"] == "en"
    assert '<html lang="en" dir="ltr">' in html
    assert not ARABIC.search(text + html + str(message["Subject"]))


def test_an_unknown_language_gets_arabic(smtp_server: Inbox) -> None:
    assert received(smtp_server, "ticket_opened", "fr")["Content-Language"] == "ar"


def test_dates_are_the_pages_dates_in_the_site_time_zone(smtp_server: Inbox) -> None:
    # 21:30 UTC on 3 December is 00:30 on Friday 4 December in Riyadh.
    text, html = parts(received(smtp_server, "ticket_opened", "ar"))
    riyadh = moment_text(DUE, "ar", ZONE, "full")
    assert riyadh.startswith("الجمعة، 4 ديسمبر 2026، 12:30:00 ص")
    assert riyadh.endswith("(24 جمادى الآخرة 1448)")  # the Hijri date of the local day
    assert f"يمكنك أن تتوقع ردًّا قبل {riyadh}." in text
    assert riyadh in html
    english = parts(received(smtp_server, "sla_warning", "en"))[0]
    assert "Friday, December 4, 2026, 12:30:00\u202fAM Arabian Standard Time" in english
    assert "UTC" not in english
    # Another site zone, another hour: the mail follows SANAD_TIMEZONE.
    cairo = compose(
        "account_locked", "en", "a@example.com", timezone="Africa/Cairo", **VALUES["account_locked"]
    )
    assert "Thursday, December 3, 2026, 11:30:00\u202fPM" in cairo.body


def test_a_date_needs_the_site_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        compose("account_locked", "en", "a@example.com", **VALUES["account_locked"])


@pytest.mark.parametrize(
    ("days", "arabic", "english"),
    [(1, "خلال يوم واحد إذا", "within 1 day if"), (2, "خلال يومين إذا", "within 2 days if"),
     (7, "خلال 7 أيام إذا", "within 7 days if"), (11, "خلال 11 يومًا إذا", "within 11 days if"),
     (100, "خلال 100 يوم إذا", "within 100 days if")],
)  # fmt: skip
def test_plurals_come_from_the_catalogs(
    smtp_server: Inbox, days: int, arabic: str, english: str
) -> None:
    for lang, expected in (("ar", arabic), ("en", english)):
        text, html = parts(received(smtp_server, "ticket_resolved", lang, days=days))
        assert expected in text
        assert expected in html


def test_the_plural_of_refused_files_and_minutes() -> None:
    one = compose(
        "files_refused", "ar", "a@x", **{**VALUES["files_refused"], "refused": (("a.exe", "type"),)}
    )
    assert "لكن ملفًا واحدًا لم يُضف" in one.body
    two = compose("files_refused", "ar", "a@x", **VALUES["files_refused"])
    assert "لكن ملفين لم يُضافا" in two.body
    assert "- scan.pdf: حجمه أكبر من 10 ميغابايت" in two.body
    assert (
        "خلال 60 دقيقةً" in compose("password_reset", "ar", "a@x", **VALUES["password_reset"]).body
    )
    assert (
        "within 1 minute to"
        in compose("password_reset", "en", "a@x", **{**VALUES["password_reset"], "minutes": 1}).body
    )


ATTACK = '<script>alert(1)</script><img src=x onerror="alert(2)">'
BAD_LINK = 'javascript:alert(3)//"><b>x</b>'


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_typed_text_and_links_are_inert_in_every_kind(
    smtp_server: Inbox, kind: str, lang: str
) -> None:
    hostile: dict[str, object] = {}
    for key, value in VALUES[kind].items():
        if isinstance(value, str) and "link" in key:
            hostile[key] = BAD_LINK
        elif isinstance(value, str) and key not in ("reason", "target"):
            hostile[key] = f"{value} {ATTACK}\r\nBcc: victim@example.com"
    if kind == "files_refused":
        hostile["refused"] = ((ATTACK, "type"),)
    message = received(smtp_server, kind, lang, **hostile)
    _, html = parts(message)
    assert message["Bcc"] is None  # a typed newline never becomes a header
    for markup in ("<script", "<img", "<b>", 'onerror="', "href='"):
        assert markup not in html
    if any(isinstance(v, str) and ATTACK in v for v in hostile.values()):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    # Only http(s) addresses become links; the real ones still do.
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://")), href


def test_real_links_and_addresses_in_a_reply_are_clickable(smtp_server: Inbox) -> None:
    body = "See https://help.example.com/kb/printer and javascript:alert(1)"
    _, html = parts(received(smtp_server, "ticket_reply", "en", body=body))
    assert '<a href="https://help.example.com/kb/printer">' in html
    assert f'<a href="{LINK}">{LINK}</a>' in html
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html
