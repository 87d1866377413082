"""Knowledge-base use cases: open, check, import; and the ``sanad`` commands over them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from portal.cli import main
from portal.kb.models import ArticleInvalid, ArticleNotFound
from portal.kb.repository import ArticleRepository
from portal.kb.services import check_articles, import_articles, open_article
from tests.support.articles import ArticleWriter, git
from tests.support.prerequisites import shared_data


@pytest.fixture
def repo(articles_dir: Path) -> ArticleRepository:
    return ArticleRepository(articles_dir)


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- open and check --------------------------------------------------------------------------


def test_open_article_renders_sanitized_html_and_toc(
    repo: ArticleRepository, write_article: ArticleWriter
) -> None:
    write_article(
        "vpn",
        lang="ar",
        title="الاتصال بالشبكة الخاصة",
        body="## قبل أن تبدأ\n\nافتح <script>alert(1)</script> **البرنامج**.",
        category="network",
    )

    view = open_article(repo, "network/vpn.ar.md")

    assert view.article.title == "الاتصال بالشبكة الخاصة"
    assert view.article.direction == "rtl"
    assert [entry.title for entry in view.toc] == ["قبل أن تبدأ"]
    assert "<strong>البرنامج</strong>" in view.html
    assert "<script" not in view.html


def test_open_article_reports_missing_and_broken_files(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    write(articles_dir, "a/broken.en.md", "---\ntitle: T\nstatus: maybe\n---\nbody")

    with pytest.raises(ArticleNotFound):
        open_article(repo, "a/missing.en.md")
    with pytest.raises(ArticleInvalid) as invalid:
        open_article(repo, "a/broken.en.md")
    assert str(invalid.value.problem) == (
        "a/broken.en.md:3: unknown status 'maybe': use one of draft, review, published, archived"
    )


def test_check_articles_reports_articles_and_data_files(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    write(articles_dir, "a/good.en.md", "---\ntitle: Good\n---\nbody")
    write(articles_dir, "a/bad.en.md", "---\ntitle: Bad\nkind: essay\n---\nbody")
    write(articles_dir, "_synonyms.yml", "groups:\n  - [a, b\n")

    problems = [str(p) for p in check_articles(repo)]

    assert len(problems) == 2
    assert problems[0].startswith("_synonyms.yml:")
    assert problems[1].startswith("a/bad.en.md:3: unknown kind 'essay'")


def test_check_articles_on_a_clean_directory_is_empty(
    repo: ArticleRepository, write_article: ArticleWriter
) -> None:
    write_article("fine")

    assert check_articles(repo) == ()


# --- import ----------------------------------------------------------------------------------


@pytest.fixture
def foreign_kb(tmp_path: Path) -> Path:
    """A small knowledge base in Microsoft-docs style, with every kind of file to skip."""
    source = tmp_path / "foreign-kb"
    write(
        source,
        "Outlook/Client/cannot-send.md",
        "---\ntitle: Can't send mail in Outlook\ndescription: Fixes an issue\n  in Outlook.\n"
        "ms.date: 06/28/2023\nms.topic: troubleshooting\nappliesto:\n  - Outlook 2016\n"
        'ms.author: someone\n---\n\n# You can\'t send mail\n\n:::image type="content" '
        'source="./media/x.png" alt-text="x":::\n\nRestart Outlook.\n',
    )
    write(
        source,
        "Teams/arabic-page.md",
        "---\ntitle: تشغيل التحديثات التلقائية\nms.contentlocale: ar-SA\nms.service: o365-admin\n"
        'ms.lasthandoff: 08/05/2021\n---\n# <a name="x"></a>تشغيل التحديثات\n\nنص المقال.\n',
    )
    write(source, "Teams/heading-only.md", "# Title from the heading\n\nبعض النص العربي هنا فقط.\n")
    write(source, "Teams/no-title.md", "---\nms.date: 01/02/2023\n---\nJust text, no heading.\n")
    write(source, "Teams/empty-body.md", "---\ntitle: Empty\n---\n\n")
    write(source, "Teams/broken.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(source, "Teams/french.md", "---\ntitle: Bonjour\nms.locale: fr-fr\n---\nTexte.\n")
    write(source, "Teams/picture.png", b"\x89PNG\r\n")
    write(source, "includes/note.md", "> [!NOTE]\n> A shared fragment.\n")
    write(source, "README.md", "# Contributing\n")
    # Imported after Outlook/ (sorted order): same file stem, so the same id.
    write(source, "Viva/cannot-send.md", "---\ntitle: Another one\n---\nSame stem.\n")
    return source


def test_import_maps_foreign_front_matter_and_commits_once(
    repo: ArticleRepository, articles_dir: Path, foreign_kb: Path
) -> None:
    report = import_articles(foreign_kb, repo)

    reasons = {p.path.split("/", 1)[1]: p.message for p in report.skipped}
    assert reasons.keys() == {
        "Teams/no-title.md",
        "Teams/empty-body.md",
        "Teams/broken.md",
        "Teams/french.md",
        "Teams/picture.png",
        "includes/note.md",
        "README.md",
        "Viva/cannot-send.md",
    }
    assert "no title" in reasons["Teams/no-title.md"]
    assert "empty body" in reasons["Teams/empty-body.md"]
    assert "YAML" in reasons["Teams/broken.md"]
    assert "'fr'" in reasons["Teams/french.md"]
    assert "not a Markdown file" in reasons["Teams/picture.png"]
    assert "id collision" in reasons["Viva/cannot-send.md"]
    assert report.imported == 3
    assert report.commit == repo.head()
    assert git(articles_dir, "log", "--format=%s") == "Import 3 articles from foreign-kb"

    loaded = {a.path: a for a in repo.load_all().articles}
    assert set(loaded) == {
        "outlook/cannot-send.en.md",
        "o365-admin/arabic-page.ar.md",
        "teams/heading-only.ar.md",
    }
    outlook = loaded["outlook/cannot-send.en.md"]
    assert (outlook.title, outlook.lang, outlook.kind) == (
        "Can't send mail in Outlook",
        "en",
        "troubleshooting",
    )
    assert outlook.updated == dt.date(2023, 6, 28)
    assert outlook.description == "Fixes an issue in Outlook."
    assert outlook.tags == ("client", "Outlook 2016")
    assert outlook.extra["source"] == "foreign-kb/Outlook/Client/cannot-send.md"
    assert outlook.body.startswith("# You can't send mail")
    arabic = loaded["o365-admin/arabic-page.ar.md"]
    assert (arabic.lang, arabic.updated) == ("ar", dt.date(2021, 8, 5))
    assert loaded["teams/heading-only.ar.md"].title == "Title from the heading"


def test_import_with_forced_lang_and_a_second_import_collides(
    repo: ArticleRepository, foreign_kb: Path
) -> None:
    first = import_articles(foreign_kb, repo, lang="en")
    second = import_articles(foreign_kb, repo, lang="en")

    assert first.imported == 4  # the French page too, now that its language is forced
    assert second.imported == 0
    assert second.commit is None
    assert sum("id collision" in p.message for p in second.skipped) == 5


def test_import_into_a_new_directory_initialises_git(tmp_path: Path, foreign_kb: Path) -> None:
    repo = ArticleRepository(tmp_path / "fresh" / "articles")

    report = import_articles(foreign_kb, repo)

    assert report.imported == 3
    assert repo.head() == report.commit


@pytest.mark.shared_data
@pytest.mark.slow
def test_import_both_shared_corpora(tmp_path: Path) -> None:
    english = shared_data("kb-en-office-support")
    arabic = shared_data("kb-ar-m365-insights")
    repo = ArticleRepository(tmp_path / "articles")

    en = import_articles(english, repo)
    ar = import_articles(arabic, repo)

    assert en.imported > 2400
    assert ar.imported > 2950
    assert len(en.skipped) < 30
    assert len(ar.skipped) < 30
    commits = git(tmp_path / "articles", "log", "--format=%s").splitlines()
    assert commits == [
        f"Import {ar.imported} articles from kb-ar-m365-insights",
        f"Import {en.imported} articles from kb-en-office-support",
    ]
    result = repo.load_all()
    assert result.problems == ()
    assert len(result.articles) == en.imported + ar.imported
    by_lang = {lang: [a for a in result.articles if a.lang == lang] for lang in ("ar", "en")}
    assert len(by_lang["en"]) == en.imported
    sample = next(a for a in by_lang["ar"] if a.updated is not None)
    assert sample.title
    assert any("\u0600" <= ch <= "\u06ff" for ch in sample.title + sample.body)
    assert sum(a.updated is not None for a in by_lang["en"]) > 2400


# --- the sanad commands ------------------------------------------------------------------------


def test_cli_articles_check_prints_path_and_line_and_exits_1(
    runner: FlaskCliRunner, articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("fine")
    write(
        articles_dir, "general/broken.en.md", "---\ntitle: Broken\nlang: en\nupdated: soon\n---\nx"
    )

    result = runner.invoke(main, args=["articles", "check"])

    assert result.exit_code == 1
    assert "general/broken.en.md:4: updated 'soon' is not a date" in result.output
    assert "2 article files, 1 problem(s)" in result.output


def test_cli_articles_check_exits_0_on_a_clean_directory(
    runner: FlaskCliRunner, write_article: ArticleWriter
) -> None:
    write_article("fine")
    write_article("fine", lang="ar", title="جيد")

    result = runner.invoke(main, args=["articles", "check"])

    assert result.exit_code == 0, result.output
    assert "2 article files, 0 problem(s)" in result.output


def test_cli_import(runner: FlaskCliRunner, foreign_kb: Path, tmp_path: Path) -> None:
    into = tmp_path / "imported"

    result = runner.invoke(main, args=["import", str(foreign_kb), "--into", str(into)])

    assert result.exit_code == 0, result.output
    assert "imported 3 article(s), skipped 8, commit " in result.output
    assert "skipped foreign-kb/Teams/empty-body.md: empty body" in result.output
    assert ArticleRepository(into).article_paths() == [
        "o365-admin/arabic-page.ar.md",
        "outlook/cannot-send.en.md",
        "teams/heading-only.ar.md",
    ]
