"""The article repository: parsing with exact problem lines, git changes, safe commits."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from portal.kb.models import ArticleInvalid, ArticleNotFound, KbError, UnsafePath
from portal.kb.repository import ArticleRepository
from tests.support.articles import ArticleWriter, git
from tests.support.hostile import naughty_strings


@pytest.fixture
def repo(articles_dir: Path) -> ArticleRepository:
    return ArticleRepository(articles_dir)


def put(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_problem(repo: ArticleRepository) -> tuple[int | None, str]:
    result = repo.load_all()
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    return problem.line, problem.message


# --- defaults ---------------------------------------------------------------------------


def test_defaults_come_from_the_file_name_and_directory(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(
        articles_dir,
        "accounts/reset-password.ar.md",
        "---\ntitle: إعادة تعيين كلمة المرور\n---\nنص",
    )
    put(articles_dir, "accounts/reset-password.en.md", "---\ntitle: Reset your password\n---\nText")

    result = repo.load_all()

    assert result.problems == ()
    ar, en = result.articles
    assert (ar.id, ar.lang, ar.category, ar.path) == (
        "reset-password",
        "ar",
        "accounts",
        "accounts/reset-password.ar.md",
    )
    assert (en.id, en.lang, en.direction, ar.direction) == ("reset-password", "en", "ltr", "rtl")
    assert (en.kind, en.audience, en.status, en.is_public) == (
        "article",
        "public",
        "published",
        True,
    )


def test_every_field_is_read_and_unknown_keys_are_kept(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(
        articles_dir,
        "workshops/excel-basics.en.md",
        "---\n"
        "id: excel-101\n"
        "title: Excel basics\n"
        "lang: en\n"
        "category: training\n"
        "tags: [excel, spreadsheets]\n"
        "kind: workshop\n"
        "audience: internal\n"
        "status: review\n"
        "owner: training-team\n"
        "updated: 2026-01-05\n"
        "review_by: '2026-07-01'\n"
        "translation_of: excel-101-ar\n"
        "description: Two mornings of Excel.\n"
        "schedule: [2026-02-01, 2026-02-02]\n"
        "---\n\nBring a laptop.\n",
    )

    (article,) = repo.load_all().articles

    assert article.id == "excel-101"
    assert article.category == "training"
    assert article.tags == ("excel", "spreadsheets")
    assert (article.kind, article.audience, article.status) == ("workshop", "internal", "review")
    assert article.is_public is False
    assert article.updated == dt.date(2026, 1, 5)
    assert article.review_by == dt.date(2026, 7, 1)
    assert article.translation_of == "excel-101-ar"
    assert article.extra["schedule"] == [dt.date(2026, 2, 1), dt.date(2026, 2, 2)]
    assert article.body == "Bring a laptop."
    assert len(article.content_hash) == 64


def test_dates_with_times_become_dates(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "a/x.en.md", "---\ntitle: X\nupdated: 2026-03-04 10:30:00\n---\nx")
    put(articles_dir, "a/y.en.md", "---\ntitle: Y\nupdated: '2026-03-04T10:30:00+03:00'\n---\ny")

    dates = {a.id: a.updated for a in repo.load_all().articles}

    assert dates == {"x": dt.date(2026, 3, 4), "y": dt.date(2026, 3, 4)}


def test_files_starting_with_underscore_or_dot_are_not_articles(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "_draft-notes.en.md", "not an article")
    put(articles_dir, "a/.hidden.en.md", "not an article")
    put(articles_dir, "_includes/part.en.md", "not an article")
    put(articles_dir, "_synonyms.yml", "groups: []\n")
    put(articles_dir, "a/real.en.md", "---\ntitle: Real\n---\nbody")

    assert repo.article_paths() == ["a/real.en.md"]


# --- problems with the right line --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("---\ntitle: Fine\nlang: en\ntags: [a, b\n---\nbody", 5, "not valid YAML"),
        ("---\ntitle: Fine\n  bad indent: x\n---\nbody", 3, "not valid YAML"),
        ("---\nlang: en\nkind: article\n---\nbody", 1, "missing title"),
        ("---\ntitle: ''\nlang: en\n---\nbody", 2, "missing title"),
        ("---\ntitle: T\nstatus: published\nlang: fr\n---\nbody", 4, "unknown lang"),
        ("---\ntitle: T\n\nkind: novel\n---\nbody", 4, "unknown kind"),
        ("---\ntitle: T\naudience: everyone\n---\nbody", 3, "unknown audience"),
        ("---\ntitle: T\nstatus: live\n---\nbody", 3, "unknown status"),
        ("---\ntitle: T\nupdated: next tuesday\n---\nbody", 3, "not a date"),
        ("---\ntitle: T\nreview_by: 2026-13-45\n---\nbody", 3, "not a date"),
        ("---\ntitle: T\nid: ../../etc/passwd\n---\nbody", 3, "not a safe slug"),
        ("---\ntitle: T\nid: has space\n---\nbody", 3, "not a safe slug"),
        ("---\ntitle: T\ntags: {a: b}\n---\nbody", 3, "tags must be a list"),
        ("---\ntitle: [a, b]\n---\nbody", 2, "single value"),
        ("---\ntitle: T\nlang: en\nbody without an end", 1, "not terminated"),
        ("---\n- just\n- a list\n---\nbody", 2, "must be a mapping"),
        ("", 1, "empty file"),
        ("   \n\n", 1, "empty file"),
    ],
)
def test_each_front_matter_mistake_points_at_its_line(
    repo: ArticleRepository, articles_dir: Path, content: str, line: int, fragment: str
) -> None:
    put(articles_dir, "general/broken.en.md", content)
    put(articles_dir, "general/fine.en.md", "---\ntitle: Fine\n---\nStill loads.")

    result = repo.load_all()

    assert [a.id for a in result.articles] == ["fine"]
    (problem,) = result.problems
    assert problem.path == "general/broken.en.md"
    assert (problem.line, fragment in problem.message) == (line, True), problem
    assert str(problem).startswith(f"general/broken.en.md:{line}: ")


def test_yaml_error_line_counts_from_the_top_of_the_file(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "a/x.en.md", '---\ntitle: T\nlang: en\ndescription: "unclosed\n---\nbody')

    line, message = only_problem(repo)

    assert line is not None
    assert 4 <= line <= 5
    assert "YAML" in message


def test_lang_is_required_one_way_or_the_other(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "a/no-suffix.md", "---\ntitle: T\n---\nbody")

    line, message = only_problem(repo)

    assert line == 1
    assert "no lang" in message


def test_lang_contradicting_the_suffix_is_a_problem(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "a/x.ar.md", "---\ntitle: T\nlang: en\n---\nbody")

    assert only_problem(repo)[0] == 3


def test_non_utf8_bytes_are_reported_with_their_line(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "a/latin1.en.md", b"---\ntitle: T\n---\nline four\ncaf\xe9\n")

    line, message = only_problem(repo)

    assert (line, "UTF-8" in message) == (5, True)


def test_a_duplicate_id_names_the_first_file_and_points_at_the_second(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "a/first.en.md", "---\ntitle: First\nid: shared\n---\nbody")
    put(articles_dir, "b/second.en.md", "---\ntitle: Second\nlang: en\nid: shared\n---\nbody")
    put(articles_dir, "b/shared.ar.md", "---\ntitle: الثاني\n---\nنص")

    result = repo.load_all()

    assert sorted(a.path for a in result.articles) == ["a/first.en.md", "b/shared.ar.md"]
    (problem,) = result.problems
    assert (problem.path, problem.line) == ("b/second.en.md", 4)
    assert "a/first.en.md" in problem.message


def test_problems_are_logged(
    repo: ArticleRepository, articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    put(articles_dir, "a/x.en.md", "---\nlang: en\n---\nbody")

    with caplog.at_level("WARNING", logger="portal.kb"):
        repo.load_all()

    assert "a/x.en.md:1: missing title" in caplog.text


def test_naughty_strings_never_crash_loading(repo: ArticleRepository, articles_dir: Path) -> None:
    naughty = naughty_strings()
    for number, text in enumerate(naughty):
        # As a raw title line, as a quoted title and as the whole front matter and body.
        put(articles_dir, f"n/raw-{number}.en.md", f"---\ntitle: {text}\n---\n{text}\n")
        quoted = json.dumps(text, ensure_ascii=False)  # JSON strings are YAML strings
        put(articles_dir, f"n/quoted-{number}.en.md", f"---\ntitle: {quoted}\n---\n{text}\n")
        put(articles_dir, f"n/whole-{number}.en.md", f"---\n{text}\n---\n{text}")

    result = repo.load_all()

    total = 3 * len(naughty)
    assert len(result.articles) + len(result.problems) == total
    loaded = {a.path for a in result.articles}
    # Every non-blank string survives as a quoted title, except the control characters YAML
    # itself forbids, which are reported as such.
    problems = {p.path: p.message for p in result.problems}
    for number, text in enumerate(naughty):
        path = f"n/quoted-{number}.en.md"
        if text.strip() and path not in loaded:
            assert "not allow" in problems[path] or "NUL" in problems[path], (text, problems[path])
    for problem in result.problems:
        assert problem.line is None or problem.line >= 1


def test_hostile_yaml_is_a_problem_not_a_crash(repo: ArticleRepository, articles_dir: Path) -> None:
    laughs = "\n".join(
        [
            "a: &a [x, x, x, x, x, x, x, x, x]",
            *(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)),
        ]
    )
    put(articles_dir, "h/laughs.en.md", f"---\ntitle: T\n{laughs}\n---\nbody")
    put(articles_dir, "h/deep.en.md", "---\ntitle: T\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nb")
    put(articles_dir, "h/python.en.md", "---\ntitle: !!python/object:os.system ls\n---\nbody")
    put(articles_dir, "h/key.en.md", "---\n? [a, b]\n: c\ntitle: T\n---\nbody")

    result = repo.load_all()

    assert {p.path for p in result.problems} >= {"h/python.en.md", "h/key.en.md"}
    assert len(result.articles) + len(result.problems) == 4


# --- load one -----------------------------------------------------------------------------


def test_load_one_file(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "a/x.en.md", "---\ntitle: X\n---\nbody")
    put(articles_dir, "a/bad.en.md", "---\ntitle: X\nkind: nope\n---\nbody")

    assert repo.load("a/x.en.md").title == "X"
    with pytest.raises(ArticleInvalid) as invalid:
        repo.load("a/bad.en.md")
    assert invalid.value.problem.line == 3
    for missing in ("a/none.en.md", "../outside.en.md", "/etc/passwd", "_synonyms.yml"):
        with pytest.raises(ArticleNotFound):
            repo.load(missing)


# --- data files ---------------------------------------------------------------------------


def test_read_data_and_categories(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "_synonyms.yml", "groups:\n  - [كلمة المرور, كلمة السر, password]\n")
    put(
        articles_dir,
        "_categories.yml",
        "accounts:\n  order: 1\n  icon: key\n"
        "  ar: {name: الحسابات, description: الدخول}\n  en: {name: Accounts}\n"
        "broken: just a string\n",
    )

    assert repo.read_data("_synonyms.yml") == {"groups": [["كلمة المرور", "كلمة السر", "password"]]}
    assert repo.read_data("_golden.yml") is None
    categories = repo.categories()
    assert list(categories) == ["accounts"]
    accounts = categories["accounts"]
    assert (accounts.order, accounts.icon, accounts.name("ar"), accounts.name("en")) == (
        1,
        "key",
        "الحسابات",
        "Accounts",
    )
    assert accounts.descriptions == {"ar": "الدخول"}


def test_bad_data_yaml_names_the_file_and_line(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "_golden.yml", "queries:\n  - q: one\n    lang: [en\n")

    with pytest.raises(KbError, match=r"^_golden\.yml:\d+: "):
        repo.read_data("_golden.yml")
    (problem,) = repo.data_problems()
    assert problem.path == "_golden.yml"
    assert problem.line is not None
    assert problem.line >= 3


def test_broken_categories_file_leaves_pages_working(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "_categories.yml", "accounts: [unclosed\n")

    assert repo.categories() == {}


# --- git ----------------------------------------------------------------------------------


def test_head_is_none_before_the_first_commit(repo: ArticleRepository) -> None:
    assert repo.head() is None


def test_ensure_git_creates_and_initialises_a_directory(tmp_path: Path) -> None:
    repo = ArticleRepository(tmp_path / "new" / "articles")

    repo.ensure_git()
    repo.ensure_git()  # idempotent

    assert (tmp_path / "new" / "articles" / ".git").is_dir()
    assert repo.head() is None


def test_ensure_git_leaves_a_directory_inside_a_repository_alone(articles_dir: Path) -> None:
    inner = articles_dir / "docs" / "articles"
    ArticleRepository(inner).ensure_git()

    assert not (inner / ".git").exists()


def test_changed_since_sees_commits_edits_additions_deletions_and_renames(
    repo: ArticleRepository, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("keep")
    write_article("edit")
    write_article("delete-me")
    write_article("rename-me")
    base = repo.head()
    assert base is not None
    assert repo.changed_since(base) == set()

    write_article("committed-later")
    (articles_dir / "general" / "edit.en.md").write_text("---\ntitle: Edited\n---\nnew\n")
    put(articles_dir, "general/untracked.en.md", "---\ntitle: New\n---\nnew")
    put(articles_dir, "deep/er/nested.ar.md", "---\ntitle: جديد\n---\nنص")
    (articles_dir / "general" / "delete-me.en.md").unlink()
    git(articles_dir, "mv", "general/rename-me.en.md", "general/renamed.en.md")
    put(articles_dir, "_synonyms.yml", "groups: []\n")

    changed = repo.changed_since(base)

    assert changed == {
        "general/committed-later.en.md",
        "general/edit.en.md",
        "general/untracked.en.md",
        "deep/er/nested.ar.md",
        "general/delete-me.en.md",
        "general/rename-me.en.md",
        "general/renamed.en.md",
    }
    assert repo.changed_data_since(base) == {"_synonyms.yml"}


def test_changed_since_an_unknown_commit_is_none(
    repo: ArticleRepository, write_article: ArticleWriter
) -> None:
    write_article("one")

    assert repo.changed_since(None) is None
    assert repo.changed_since("0" * 40) is None
    assert repo.changed_since("not-a-commit") is None
    assert repo.changed_since("--output=/tmp/x") is None


def test_changed_since_only_looks_inside_the_articles_directory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    repo = ArticleRepository(project / "articles")
    project.mkdir()
    git(project, "init", "-q")
    put(project, "README.md", "project")
    put(project, "articles/a/x.en.md", "---\ntitle: X\n---\nx")
    base = repo.commit(["a/x.en.md"], "first article")

    put(project, "README.md", "changed")
    put(project, "src/thing.md", "outside")
    put(project, "articles/a/y.en.md", "---\ntitle: Y\n---\ny")

    assert repo.changed_since(base) == {"a/y.en.md"}
    assert [a.path for a in repo.load_all().articles] == ["a/x.en.md", "a/y.en.md"]
    # The commit took only the article, not the project's README.
    assert git(project, "show", "--name-only", "--format=", base) == "articles/a/x.en.md"


def test_commit_only_the_given_paths_and_return_the_commit(
    repo: ArticleRepository, articles_dir: Path
) -> None:
    put(articles_dir, "a/one.en.md", "---\ntitle: One\n---\n1")
    put(articles_dir, "a/two.en.md", "---\ntitle: Two\n---\n2")

    commit = repo.commit(["a/one.en.md"], "Add one", author="Huda Saleh <huda@example.org>")

    assert commit == repo.head()
    assert git(articles_dir, "show", "--name-only", "--format=%an|%ae|%s", commit).split("\n") == [
        "Huda Saleh|huda@example.org|Add one",
        "",
        "a/one.en.md",
    ]
    assert git(articles_dir, "status", "--porcelain") == "?? a/two.en.md"

    (articles_dir / "a" / "one.en.md").unlink()
    deletion = repo.commit(["a/one.en.md"], "Remove one")
    assert git(articles_dir, "show", "--name-status", "--format=", deletion) == "D\ta/one.en.md"


def test_commit_works_without_a_git_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    repo = ArticleRepository(tmp_path / "articles")
    repo.ensure_git()
    put(tmp_path / "articles", "a/x.en.md", "---\ntitle: X\n---\nx")

    commit = repo.commit(["a/x.en.md"], "First")

    author = subprocess.run(
        ["git", "-C", str(tmp_path / "articles"), "log", "-1", "--format=%an <%ae>", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert author == "Sanad <sanad@localhost>"


@pytest.mark.parametrize(
    "path",
    ["../x.en.md", "a/../../x.en.md", ".git/config", "a/.git/hooks/pre-commit", "/etc/passwd", ""],
)
def test_commit_refuses_paths_outside_the_directory_or_inside_git(
    repo: ArticleRepository, articles_dir: Path, path: str
) -> None:
    put(articles_dir, "a/x.en.md", "---\ntitle: X\n---\nx")

    with pytest.raises(UnsafePath):
        repo.commit(["a/x.en.md", path], "sneaky")

    assert repo.head() is None


def test_commit_refuses_a_symlink_that_leaves_the_directory(
    repo: ArticleRepository, articles_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (articles_dir / "link").symlink_to(tmp_path / "outside")

    with pytest.raises(UnsafePath):
        repo.commit(["link/x.en.md"], "through a symlink")
    assert repo.article_paths() == []


def test_commit_rejects_a_malformed_author(repo: ArticleRepository, articles_dir: Path) -> None:
    put(articles_dir, "a/x.en.md", "---\ntitle: X\n---\nx")

    with pytest.raises(KbError, match="Name <email>"):
        repo.commit(["a/x.en.md"], "msg", author="just a name")
