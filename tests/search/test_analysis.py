"""Normalisation, stop words, stemming and query parsing, without an index."""

from __future__ import annotations

import pytest

from portal.search import analysis
from portal.search.analysis import Synonyms, normalize_arabic, parse_query, terms


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("أحمد", "احمد"),
        ("إدارة", "اداره"),
        ("آخر", "اخر"),
        ("ٱلله", "الله"),
        ("مدرسة", "مدرسه"),
        ("مستوى", "مستوي"),
        ("مسؤول", "مسوول"),
        ("رئيس", "رييس"),
        ("إنشاء", "انشا"),  # standalone hamza is dropped: "انشا" and "إنشاء" meet
        ("شيء", "شي"),
        ("ی", "ي"),  # Persian yeh
        ("ک", "ك"),  # Persian keheh
    ],
)
def test_each_letter_rule(written: str, normal: str) -> None:
    assert normalize_arabic(written) == normal


@pytest.mark.parametrize(
    "mark",
    ["\u064e", "\u064f", "\u0650", "\u064b", "\u064c", "\u064d", "\u0651", "\u0652", "\u0670"],
    ids=["fatha", "damma", "kasra", "fathatan", "dammatan", "kasratan", "shadda", "sukun", "alef"],
)
def test_tashkeel_is_removed(mark: str) -> None:
    assert normalize_arabic(f"ك{mark}تب") == "كتب"


def test_tatweel_is_removed() -> None:
    assert normalize_arabic("كلمـــة") == "كلمه"


def test_arabic_indic_and_persian_digits_become_ascii() -> None:
    assert terms("الإصدار ٢٠٢٤ و ۱۲۳") == ["اصدار", "2024", "123"]


def test_presentation_forms_are_folded() -> None:
    assert normalize_arabic("ﻻ") == "لا"


@pytest.mark.parametrize(
    "word",
    [
        "من",
        "في",
        "على",
        "إلى",
        "الى",
        "عن",
        "هذا",
        "هذه",
        "التي",
        "الذي",
        "كيف",
        "ماذا",
        "هل",
        "أن",
        "إن",
        "ما",
        "لا",
        "و",
    ],
)
def test_arabic_stop_words_are_dropped_in_any_spelling(word: str) -> None:
    assert terms(word) == []


def test_english_stop_words_are_dropped() -> None:
    assert terms("how do I reset the password") == ["reset", "password"]


@pytest.mark.parametrize(
    "forms",
    [
        ("كلمة المرور", "كلمه المرور", "كَلِمَةُ المُرُور", "كلمـــة المرور"),
        ("إعادة", "اعاده", "أعادة"),
        ("البريد الإلكتروني", "بريد إلكتروني", "البريد الالكتروني"),
        ("الحسابات", "حساب", "والحساب", "بالحساب", "للحساب"),
    ],
)
def test_spelling_variants_meet(forms: tuple[str, ...]) -> None:
    assert len({tuple(terms(form)) for form in forms}) == 1


def test_english_is_lowercased_and_snowball_stemmed() -> None:
    assert terms("Passwords CONNECTING connection") == ["password", "connect", "connect"]


def test_mixed_arabic_and_english_text() -> None:
    found = terms("كيف أتصل بـVPN من Outlook؟")
    assert "vpn" in found
    assert "outlook" in found
    assert "اتصل" in found


def test_snowball_arabic_variant_is_available_for_the_benchmark() -> None:
    assert terms("المكتبات", arabic_stemmer="snowball") == terms("مكتبة", arabic_stemmer="snowball")


def test_positions_skip_stop_words_so_phrases_match_across_them() -> None:
    positions = [pos for _t, pos, _s, _e in analysis.analyze("reset the password")]
    assert positions == [0, 1]


def test_snippet_escapes_everything_and_marks_matches() -> None:
    text = "Use <script>alert(1)</script> to reset & then change your password."
    html = analysis.snippet(text, {"password", "reset"})
    assert html is not None
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>reset</mark>" in html
    assert "<mark>password</mark>" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_is_none_without_a_match_and_plain_snippet_is_escaped() -> None:
    assert analysis.snippet("nothing here", {"password"}) is None
    assert analysis.plain_snippet("a < b " * 100).startswith("a &lt; b")


def test_synonym_phrases_and_words_become_one_unit() -> None:
    synonyms = Synonyms([["كلمة المرور", "password"]])
    plan = parse_query("نسيت كلمه المرور", synonyms)
    alternatives = {alt for unit in plan.units for alt in unit.alternatives}
    assert ("password",) in alternatives
    assert ("كلم", "مرور") in alternatives


def test_quotes_plus_and_minus() -> None:
    plan = parse_query('"reset the password" +vpn -outlook')
    assert plan.units[0].alternatives == (("reset", "password"),)
    assert [(u.required, u.excluded) for u in plan.units[1:]] == [(True, False), (False, True)]


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "(((",
        "*",
        "*ing",
        "AND",
        "OR OR",
        "title:",
        "NOT",
        "--",
        "+",
        '""',
        "\\",
        "a" * 10_000,
        "word " * 5000,
        "\u202e\u0000\ufeff",
    ],
)
def test_parse_query_accepts_anything(text: str) -> None:
    plan = parse_query(text)
    assert len(plan.units) <= analysis.MAX_QUERY_UNITS


SURFACE_TEXTS = [
    "إنشاء حساب: أنشئ الحساب ثم انشاء كلمة المرور، وإنشاء (الإنشاء) بالإنشاء",
    "Reset your VPN. vpn, VPNs and OpenVPN; the VPN-client and ٣ vpn_x VPN",
    "كَلِمَةُ المرور وكلمـــة السر، كلمة كلمه كلمات",
    "قراءة القراءة قراءه قراه، ماء ما",
    "Straße STRASSE strasse ﻻ يعمل لا",
    "",
]


@pytest.mark.parametrize("text", SURFACE_TEXTS)
def test_surface_counts_agree_with_counting_every_token(text: str) -> None:
    """The fast count of a word's spellings is the token-by-token count, or declines."""
    for word in {*terms(text, stem=False), "vpn", "انشا", "قراه", "كلمه", "zz"}:
        expected = {
            token: times
            for token, times in analysis.token_counts(text).items()
            if analysis.term_of(token, stem=False) == word
        }
        found = analysis.surface_counts(text, word)
        if found is not None:
            assert dict(found) == expected, word


def test_surface_counts_finds_the_spellings_people_use() -> None:
    found = analysis.surface_counts(SURFACE_TEXTS[0], "انشا")
    assert found is not None
    # A final hamza, which the index form drops, is kept; «وإنشاء» is another token.
    assert dict(found) == {"إنشاء": 1, "انشاء": 1}
    found = analysis.surface_counts(SURFACE_TEXTS[1], "vpn")
    assert found is not None
    assert found["VPN"] == 3  # "VPNs", "OpenVPN" and "vpn_x" are other tokens
    # A hamza inside the word: the caller must count token by token.
    assert analysis.surface_counts("قراءة", "قراه") is None
