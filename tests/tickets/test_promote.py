"""Ticket → draft: scrubbing personal data and laying the ticket out on the article template."""

from __future__ import annotations

import pytest

from portal.tickets.promote import (
    PromotionSource,
    RelatedArticle,
    SourceMessage,
    headings,
    scrub,
    to_draft,
)


@pytest.mark.parametrize(
    "text",
    [
        "Write to fatimah.alzahrani@example.org please",
        "راسلني على MAILTO:Fatimah@Example.COM.SA شكرًا",
        "call +966 55 123 4567 today",
        "call +966551234567 today",
        "call 00966-55-123-4567 today",
        "call 055 123 4567 today",
        "call 0551234567 today",
        "call (011) 465-1234 today",
        "call 55 123 4567 today",
        "اتصل على ٠٥٥١٢٣٤٥٦٧ اليوم",
        "اتصل على +٩٦٦ ٥٥ ١٢٣ ٤٥٦٧ اليوم",
        "اتصل على ۰۵۵۱۲۳۴۵۶۷ اليوم",
        "see HD-000123 and hd 000777",
        "انظر التذكرة HD-٠٠٠١٢٣",
    ],
)
def test_scrub_removes_contact_details_and_references(text: str) -> None:
    out = scrub(text, lang="en")
    digits = [c for c in out if c.isdigit()]
    assert "@" not in out
    assert len(digits) < 3, out
    assert "HD" not in out.upper().replace("[", " ")


@pytest.mark.parametrize(
    "text",
    [
        "Windows 10.0.19045 on 2026-11-15, port 8080, 3 times",
        "الإصدار 2.4 بتاريخ 2026-11-15 وعدد المحاولات 3",
        "Error 0x80070005 after 120 minutes",
    ],
)
def test_scrub_keeps_ordinary_numbers(text: str) -> None:
    assert scrub(text, lang="en") == text


def test_scrub_says_what_was_removed_in_the_language_of_the_text() -> None:
    assert scrub("mail a@b.io", lang="en") == "mail [email address]"
    assert scrub("راسل a@b.io", lang="ar") == "راسل [البريد الإلكتروني]"
    assert scrub("رقمي 0551234567", lang="ar") == "رقمي [رقم الهاتف]"
    assert scrub("see HD-000123", lang="en") == "see [ticket]"


def test_scrub_removes_the_requesters_name_in_latin_and_arabic() -> None:
    latin = scrub(
        "Hello Fatimah, FATIMAH AL-ZAHRANI asked. Regards, Fatimah Al Zahrani",
        names=("Fatimah Al-Zahrani",),
    )
    assert "fatimah" not in latin.lower()
    assert "zahrani" not in latin.lower()
    assert latin.startswith("Hello [name],")
    arabic = scrub(
        "مرحبًا فاطمه، أرسلت فَاطِمَة الزهراني ملفًا. شكرًا لفاطمة",
        lang="ar",
        names=("فاطمة الزهراني",),
    )
    assert "فاطم" not in arabic
    assert "الزهراني" not in arabic
    assert arabic.endswith("شكرًا ل[الاسم]")


def test_scrub_keeps_words_that_only_contain_a_name_and_name_particles() -> None:
    out = scrub("Sam uses samba with Al and the bin", names=("Sam Al bin",))
    assert out == "[name] uses samba with Al and the bin"


def test_scrub_removes_given_addresses_and_references_even_when_unusual() -> None:
    out = scrub("ref X-1 from odd-address", emails=("odd-address",), references=("X-1",))
    assert out == "ref [ticket] from [email address]"


def _source(**changes: object) -> PromotionSource:
    values: dict[str, object] = {
        "reference": "HD-000123",
        "subject": "Outlook asks Fatimah for her password again and again",
        "body": "Since Monday Outlook asks for my password. I am Fatimah, 0551234567.",
        "lang": "en",
        "category": "email",
        "tags": ("outlook",),
        "resolution_note": "Removed the saved credentials; see HD-000123.",
        "messages": (
            SourceMessage(
                "Please clear the saved credentials, Fatimah.", False, False, "Omar Agent"
            ),
            SourceMessage("Internal: her manager is Khalid, ext 4455, VIP", True, False, "Omar"),
            SourceMessage("It still fails on my phone +966 55 123 4567", False, True, "Fatimah"),
            SourceMessage(
                "Then remove the account from the phone. Omar", False, False, "Omar Agent"
            ),
        ),
        "related": (
            RelatedArticle("outlook-password", "en", "Outlook keeps asking [for] a password"),
        ),
        "names": ("Fatimah Al-Zahrani",),
        "emails": ("fatimah@example.org",),
    }
    values.update(changes)
    return PromotionSource(**values)  # type: ignore[arg-type]


def test_draft_follows_the_template_without_personal_data_or_internal_notes() -> None:
    draft = to_draft(_source())
    assert draft.title == "Outlook asks [name] for her password again and again"
    assert draft.lang == "en"
    assert draft.kind == "troubleshooting"
    assert draft.category == "email"
    assert dict(draft.extra) == {"source_tickets": ["HD-000123"]}
    text = draft.markdown
    symptoms, rest = text.split("## Steps")
    assert symptoms.startswith("## Symptoms")
    assert "Since Monday Outlook asks for my password" in symptoms
    assert "It still fails on my phone [phone number]" in symptoms
    assert "clear the saved credentials" in rest
    assert "remove the account from the phone" in rest
    assert "### Resolution\n\nRemoved the saved credentials; see [ticket]." in rest
    assert (
        "## Related articles\n\n"
        "- [Outlook keeps asking \\[for\\] a password](/kb/en/outlook-password)" in rest
    )
    for secret in (
        "Fatimah",
        "Omar",
        "0551234567",
        "123 4567",
        "HD-000123",
        "Khalid",
        "4455",
        "VIP",
    ):
        assert secret not in text


def test_arabic_ticket_gets_arabic_headings() -> None:
    draft = to_draft(
        _source(
            lang="ar",
            subject="لا يعمل البريد عند فاطمة",
            body="البريد لا يفتح. رقمي ٠٥٥١٢٣٤٥٦٧",
            names=("فاطمة الزهراني",),
            related=(),
        )
    )
    words = headings("ar")
    assert draft.markdown.startswith(f"## {words['symptoms']}")
    assert f"## {words['steps']}" in draft.markdown
    assert f"### {words['resolution']}" in draft.markdown
    assert "Symptoms" not in draft.markdown
    assert "Related" not in draft.markdown
    assert draft.title == "لا يعمل البريد عند [الاسم]"
    assert "[رقم الهاتف]" in draft.markdown
    assert "٠٥٥" not in draft.markdown


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Fatimah: VPN drops", "VPN drops"),
        ("VPN drops - Fatimah", "VPN drops"),
        ("VPN drops for Fatimah", "VPN drops for [name]"),
        ("Fatimah", "[name]"),
        ("", "Since Monday Outlook asks for my password. I am [name], [phone number]."),
    ],
)
def test_title_drops_a_name_that_only_addressed_someone(subject: str, title: str) -> None:
    assert to_draft(_source(subject=subject)).title == title


def test_draft_of_a_ticket_without_replies_or_note_still_has_both_sections() -> None:
    draft = to_draft(_source(messages=(), resolution_note=None, related=(), category=None))
    assert "## Symptoms" in draft.markdown
    assert "## Steps" in draft.markdown
    assert "Resolution" not in draft.markdown
    assert draft.category == "general"
