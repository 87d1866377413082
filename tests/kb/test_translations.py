"""Translation staleness from the articles' git history, and the diff to translate."""

from __future__ import annotations

import subprocess
from pathlib import Path

from portal.kb.repository import ArticleRepository
from portal.kb.translations import stale_translations, translation_diff, translation_status
from tests.support.articles import ArticleWriter, git


def test_a_version_changed_after_its_translation_makes_the_translation_stale(
    articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article(
        "vpn", "ar", "الشبكة الخاصة", "افتح البرنامج.\n\nأدخل العنوان.", owner="it-service-desk"
    )
    write_article("vpn", "en", "VPN", "Open the app.\n\nEnter the address.")
    repository = ArticleRepository(articles_dir)
    assert stale_translations(repository) == []  # English came last: the pair was in step
    write_article(
        "vpn",
        "ar",
        "الشبكة الخاصة",
        "افتح البرنامج.\n\nأدخل العنوان vpn.example.org.",
        owner="it-service-desk",
    )
    (stale,) = stale_translations(repository)
    assert (stale.lang, stale.article_id, stale.source_lang) == ("en", "vpn", "ar")
    assert stale.owner == "it-service-desk"
    assert translation_status(repository, "vpn", "en") == stale
    assert translation_status(repository, "vpn", "ar") is None
    diff = translation_diff(repository, stale)
    assert [line.text for line in diff.lines if line.kind == "add"] == [
        "أدخل العنوان vpn.example.org."
    ]
    assert [line.text for line in diff.lines if line.kind == "remove"] == ["أدخل العنوان."]
    # Translating it catches up: nothing is stale any more.
    write_article("vpn", "en", "VPN", "Open the app.\n\nEnter vpn.example.org.")
    assert stale_translations(repository) == []


def test_the_diff_covers_every_change_since_the_translation(
    articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("mail", "en", "Mail", "One.\n\nTwo.")
    write_article("mail-ar", "ar", "البريد", "واحد.\n\nاثنان.", translation_of="mail")
    write_article("mail", "en", "Mail", "One!\n\nTwo.")
    write_article("mail", "en", "Mail", "One!\n\nTwo!")
    (stale,) = stale_translations(ArticleRepository(articles_dir))
    assert (stale.lang, stale.article_id, stale.source_id) == ("ar", "mail-ar", "mail")
    added = [
        line.text
        for line in translation_diff(ArticleRepository(articles_dir), stale).lines
        if line.kind == "add"
    ]
    assert added == ["One!", "Two!"]


def test_versions_changed_in_one_commit_are_in_step(
    articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("wifi", "ar", "واي فاي", "نص.", commit=False)
    write_article("wifi", "en", "Wi-Fi", "Text.", commit=False)
    git(articles_dir, "add", "-A")
    git(articles_dir, "commit", "-q", "-m", "both")
    assert stale_translations(ArticleRepository(articles_dir)) == []


def test_an_approved_draft_counts_from_its_merge(
    articles_dir: Path, write_article: ArticleWriter
) -> None:
    """A change approved as a merge commit goes live with the merge."""
    write_article("print", "ar", "الطباعة", "قديم.")
    write_article("print", "en", "Printing", "Old.")
    git(articles_dir, "checkout", "-q", "-b", "drafts/1")
    write_article("print", "ar", "الطباعة", "جديد.")
    git(articles_dir, "checkout", "-q", "main")
    write_article("other", "en", "Other", "Text.")
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "approve", "drafts/1"],
        cwd=articles_dir,
        check=True,
        capture_output=True,
    )
    repository = ArticleRepository(articles_dir)
    (stale,) = stale_translations(repository)
    assert (stale.lang, stale.source_lang) == ("en", "ar")
    assert stale.source_commit == git(articles_dir, "rev-parse", "HEAD")
    added = [line.text for line in translation_diff(repository, stale).lines if line.kind == "add"]
    assert added == ["جديد."]


def test_untranslated_and_uncommitted_articles_are_not_stale(
    articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("alone", "en", "Alone", "Text.")
    write_article("new", "ar", "جديد", "نص.", commit=False)
    write_article("new", "en", "New", "Text.")
    assert stale_translations(ArticleRepository(articles_dir)) == []
