"""A reply by mail keeps what the person wrote, not the history their mail program quoted."""

from __future__ import annotations

import pytest

from portal.mailin.trim import trim_reply


@pytest.mark.parametrize(
    "quote",
    [
        "On Mon, 30 Nov 2026 at 10:00, Help desk <help@example.org> wrote:",
        "في الاثنين، ٣٠ نوفمبر ٢٠٢٦ في ١٠:٠٠ ص، كتب مكتب الدعم <help@example.org>:",
        "في 30 نوفمبر 2026، كتب سند:",
        "مكتب الدعم كتب:",
        "-----Original Message-----",
        "-----الرسالة الأصلية-----",
    ],
)
def test_the_quoted_history_is_cut_in_both_languages(quote: str) -> None:
    text = f"تم حل المشكلة، شكرًا.\n\n{quote}\n> النص القديم\n> more\n"
    assert trim_reply(text) == "تم حل المشكلة، شكرًا."


def test_a_signature_goes_and_a_line_that_only_mentions_writing_stays() -> None:
    text = "The printer works again.\nفي الدرس كتب المعلم: اضغط زر التشغيل\n-- \nSara\nIT office"
    assert trim_reply(text) == "The printer works again.\nفي الدرس كتب المعلم: اضغط زر التشغيل"


def test_a_message_that_is_all_quotation_is_kept_as_it_came() -> None:
    assert trim_reply("> only quoted\n> text") == "> only quoted\n> text"
