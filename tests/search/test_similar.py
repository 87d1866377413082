"""More-like-this for promoting a ticket: existing articles like a ticket's text."""

from __future__ import annotations

import pytest

from portal.search.services import SearchService
from tests.support.articles import ArticleWriter


@pytest.fixture
def kb(write_article: ArticleWriter, service: SearchService) -> SearchService:
    write_article(
        "outlook-password",
        "en",
        "Outlook keeps asking for your password",
        "Outlook asks for the password again and again. Remove the saved credentials "
        "in Credential Manager, then sign in to Outlook once more.",
        category="email",
    )
    write_article(
        "printer-offline",
        "en",
        "The printer shows offline",
        "Restart the printer, check the network cable and add the printer again.",
        category="devices",
    )
    write_article(
        "outlook-password",
        "ar",
        "برنامج أوتلوك يطلب كلمة المرور باستمرار",
        "يطلب أوتلوك كلمة المرور مرة بعد مرة. احذف بيانات الاعتماد المحفوظة ثم سجّل الدخول.",
        category="email",
    )
    write_article(
        "draft-vpn",
        "en",
        "VPN disconnects every hour",
        "The VPN client disconnects every hour; renew the certificate.",
        status="draft",
    )
    service.rebuild()
    return service


def test_ticket_text_finds_the_article_it_duplicates(kb: SearchService) -> None:
    found = kb.similar(
        "Since Monday Outlook keeps asking me for my password again, I typed it many times",
        lang="en",
    )
    assert found
    assert found[0].key == "en/outlook-password"
    assert all(entry.lang == "en" for entry in found)


def test_arabic_text_goes_through_the_same_analysis(kb: SearchService) -> None:
    found = kb.similar("أوتلوك يطلب مني كلمة المرور كل مرة أفتحه", lang="ar")
    assert [entry.key for entry in found][:1] == ["ar/outlook-password"]


def test_drafts_are_candidates_and_exclude_and_limit_apply(kb: SearchService) -> None:
    assert [e.key for e in kb.similar("VPN disconnects every hour", lang="en")][:1] == [
        "en/draft-vpn"
    ]
    found = kb.similar(
        "outlook password printer", lang=None, limit=2, exclude="en/outlook-password"
    )
    assert len(found) <= 2
    assert "en/outlook-password" not in [e.key for e in found]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\ud800", "!!! ??? ***", "a" * 100_000, 'OR AND NOT ( ) " *', "٠١٢٣"],
)
def test_never_raises_on_any_text(kb: SearchService, text: str) -> None:
    assert isinstance(kb.similar(text, lang="en"), list)


def test_unknown_language_finds_nothing(kb: SearchService) -> None:
    assert kb.similar("outlook password", lang="fr") == []
