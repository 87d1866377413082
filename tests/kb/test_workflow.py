"""Draft → review → published on real git repositories: the live tree never sees an
unapproved edit, saves are compare-and-swap, approval records the reviewer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session, sessionmaker

from portal.cli import main
from portal.config import KnowledgeSettings, Settings, load_settings
from portal.db import transaction
from portal.kb import workflow
from portal.kb.repository import ArticleRepository
from portal.kb.workflow import DraftInput, Editor
from tests.support.articles import ArticleWriter, git

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
AUTHOR = Editor(None, "Amal Author", "amal@example.com", frozenset({"author"}))
MANAGER = Editor(None, "Karim Manager", "karim@example.com", frozenset({"knowledge_manager"}))


@pytest.fixture
def settings(tmp_path: Path, articles_dir: Path) -> Settings:
    return load_settings({"articles_dir": articles_dir, "instance_dir": tmp_path / "inst"})


@pytest.fixture
def repo(articles_dir: Path) -> ArticleRepository:
    return ArticleRepository(articles_dir)


def fsck(root: Path) -> None:
    result = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout + result.stderr


def status(root: Path) -> str:
    return git(root, "status", "--porcelain")


def edit(text: str, *, title: str = "Reset your password", lang: str = "en") -> DraftInput:
    return DraftInput(title=title, markdown=text, lang=lang, category="accounts", tags=("pw",))


@pytest.fixture
def published(write_article: ArticleWriter) -> Path:
    return write_article(
        "reset-password", title="Reset your password", body="Old steps.", category="accounts"
    )


def test_draft_leaves_live_article_alone_until_approved(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
) -> None:
    live_text = published.read_text()
    head = git(articles_dir, "rev-parse", "HEAD")
    base = workflow.published_version(repo, "accounts/reset-password.en.md")
    assert base == head
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("New steps."),
            article_id="reset-password", base=base, now=NOW,
        )  # fmt: skip
        draft = workflow.save_draft(
            session, repo, settings, AUTHOR, draft.id, edit("Newer steps."),
            base=draft.base, now=NOW,
        )  # fmt: skip
    assert published.read_text() == live_text
    assert git(articles_dir, "rev-parse", "HEAD") == head
    assert status(articles_dir) == ""
    assert git(articles_dir, "rev-parse", f"drafts/{draft.id}") == draft.base
    with transaction(sessions) as session:
        again = workflow.get_draft(session, repo, draft.id)
        assert again.markdown == "Newer steps."
        assert again.status == "draft"
        assert [e.action for e in again.events] == ["created", "saved"]
        diff = workflow.diff_draft(repo, again)
    assert ("remove", "Old steps.") in [(line.kind, line.text) for line in diff.lines]
    assert ("add", "Newer steps.") in [(line.kind, line.text) for line in diff.lines]

    with transaction(sessions) as session:
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        result = workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    assert "Newer steps." in published.read_text()
    assert "status: published" in published.read_text()
    assert "updated: 2026-11-23" in published.read_text()
    assert git(articles_dir, "rev-parse", "HEAD") == result.commit
    assert status(articles_dir) == ""
    message = git(articles_dir, "log", "-1", "--format=%B")
    assert message.startswith("Publish en/reset-password: Reset your password")
    assert "Reviewed-by: Karim Manager <karim@example.com>" in message
    assert git(articles_dir, "log", "-1", "--format=%an <%ae>|%cn") == (
        "Amal Author <amal@example.com>|Karim Manager"
    )
    assert git(articles_dir, "branch", "--list", "drafts/*") == ""
    fsck(articles_dir)

    history = workflow.article_history(repo, "accounts/reset-password.en.md")
    assert [v.reviewed_by for v in history] == ["Karim Manager <karim@example.com>", None]
    assert history[0].author_name == "Amal Author"
    with transaction(sessions) as session:
        assert workflow.get_draft(session, repo, draft.id).status == "published"


def test_stale_save_is_a_conflict_not_an_overwrite(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("One."), article_id="reset-password", now=NOW
        )
    with transaction(sessions) as session:
        first = workflow.save_draft(
            session, repo, settings, AUTHOR, draft.id, edit("Two."), base=draft.base, now=NOW
        )
    with transaction(sessions) as session, pytest.raises(workflow.StaleBase) as conflict:
        workflow.save_draft(
            session, repo, settings, MANAGER, draft.id, edit("Three."), base=draft.base, now=NOW
        )
    assert conflict.value.current == first.base
    for bad in ("not-a-commit", "0" * 40, "--upload-pack=x"):
        with transaction(sessions) as session, pytest.raises(workflow.StaleBase):
            workflow.save_draft(
                session, repo, settings, AUTHOR, draft.id, edit("Four."), base=bad, now=NOW
            )
    with transaction(sessions) as session:
        assert workflow.get_draft(session, repo, draft.id).markdown == "Two."


def test_edit_from_an_old_published_version_is_refused(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    published: Path,
    write_article: ArticleWriter,
) -> None:
    old = workflow.published_version(repo, "accounts/reset-password.en.md")
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Mine."), article_id="reset-password",
            base=old, now=NOW,
        )  # fmt: skip
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
    write_article(
        "reset-password", title="Reset your password", body="Someone else.", category="accounts"
    )
    with transaction(sessions) as session, pytest.raises(workflow.StaleBase):
        workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Late."), article_id="reset-password",
            base=old, now=NOW,
        )  # fmt: skip
    with transaction(sessions) as session, pytest.raises(workflow.StaleBase):
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    assert "Someone else." in published.read_text()


def test_own_change_needs_another_reviewer_unless_configured(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, MANAGER, edit("Mine."), article_id="reset-password", now=NOW
        )
        workflow.submit_draft(session, settings, MANAGER, draft.id, now=NOW)
    with transaction(sessions) as session, pytest.raises(workflow.NotAllowed):
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    # Another author may not even see the manager's draft: it is "not found" to them.
    with transaction(sessions) as session, pytest.raises(workflow.DraftNotFound):
        workflow.approve_draft(session, repo, settings, AUTHOR, draft.id, now=NOW)
    relaxed = dataclasses.replace(settings, knowledge=KnowledgeSettings(review_self_approve=True))
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, relaxed, MANAGER, draft.id, now=NOW)
    assert "Mine." in published.read_text()


def test_request_changes_needs_a_comment_and_returns_to_draft(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Draft."), article_id="reset-password", now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        with pytest.raises(workflow.InvalidDraft) as invalid:
            workflow.request_changes(session, settings, MANAGER, draft.id, "  ", now=NOW)
        assert "comment" in invalid.value.errors
        with pytest.raises(workflow.NotAllowed):
            workflow.request_changes(session, settings, AUTHOR, draft.id, "no", now=NOW)
        back = workflow.request_changes(session, settings, MANAGER, draft.id, "Add a step", now=NOW)
    assert back.status == "draft"
    assert back.events[-1].action == "changes_requested"
    assert back.events[-1].comment == "Add a step"


def test_new_article_and_its_id(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
) -> None:
    data = DraftInput(title="Reset Password", markdown="Text.", lang="en", category="accounts")
    with transaction(sessions) as session:
        draft = workflow.create_draft(session, repo, settings, AUTHOR, data, now=NOW)
    assert draft.is_new
    assert draft.article_id == "reset-password-2"
    assert draft.path == "accounts/reset-password-2.en.md"
    assert not (articles_dir / draft.path).exists()
    with transaction(sessions) as session:
        assert workflow.diff_draft(repo, draft).lines[1].kind == "add"
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    article = repo.load(draft.path)
    assert article.status == "published"
    assert article.title == "Reset Password"
    assert status(articles_dir) == ""
    fsck(articles_dir)


def test_history_diff_and_restore(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    path = "accounts/reset-password.en.md"
    first = workflow.published_version(repo, path)
    assert first is not None
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Second."), article_id="reset-password", now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        second = workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    versions = workflow.article_history(repo, path)
    assert [v.commit for v in versions] == [second.commit, first]
    diff = workflow.diff_versions(repo, path, first, second.commit)
    assert diff.changed
    assert not workflow.diff_versions(repo, path, second.commit, None).changed
    assert "Old steps." in (workflow.article_text_at(repo, path, first) or "")
    assert workflow.article_text_at(repo, "accounts/nothing.en.md", first) is None
    with transaction(sessions) as session:
        restored = workflow.restore_version(session, repo, settings, AUTHOR, path, first, now=NOW)
    assert restored.markdown == "Old steps."
    assert restored.published_base == second.commit
    assert "Second." in published.read_text()


def test_discard_keeps_the_branch_for_the_record(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
) -> None:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Nope."), article_id="reset-password", now=NOW
        )
        gone = workflow.discard_draft(session, repo, AUTHOR, draft.id, now=NOW)
    assert gone.status == "discarded"
    assert git(articles_dir, "rev-parse", f"refs/sanad/discarded/{draft.id}") == draft.base
    assert git(articles_dir, "branch", "--list", "drafts/*") == ""
    with transaction(sessions) as session, pytest.raises(workflow.WorkflowError):
        workflow.save_draft(
            session, repo, settings, AUTHOR, draft.id, edit("x"), base=draft.base, now=NOW
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "../outside"},
        {"category": ".git"},
        {"title": ""},
        {"lang": "fr"},
        {"kind": "poem"},
        {"markdown": "   "},
        {"extra": {"status": "published"}},
    ],
)
def test_bad_fields_and_path_attacks_are_refused(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    changes: dict[str, object],
) -> None:
    data = dataclasses.replace(edit("Text.", title="Hello"), **changes)  # type: ignore[arg-type]
    with transaction(sessions) as session, pytest.raises(workflow.InvalidDraft):
        workflow.create_draft(session, repo, settings, AUTHOR, data, now=NOW)
    assert git(articles_dir, "for-each-ref") == ""


def test_article_ids_and_draft_ids_are_checked(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        with pytest.raises(workflow.InvalidDraft):
            workflow.create_draft(
                session, repo, settings, AUTHOR, edit("x"), article_id="../../etc", now=NOW
            )
        with pytest.raises(workflow.DraftNotFound):
            workflow.create_draft(
                session, repo, settings, AUTHOR, edit("x"), article_id="missing", now=NOW
            )
        for bad in ("../x", "HEAD", "a" * 40, ""):
            with pytest.raises(workflow.DraftNotFound):
                workflow.get_draft(session, repo, bad)
    assert workflow.article_history(repo, "../outside.md") == []
    assert workflow.article_text_at(repo, ".git/config", "HEAD") is None


def test_roles(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    agent = Editor(None, "Ali Agent", "ali@example.com", frozenset({"agent"}))
    trainer = Editor(None, "Tala Trainer", "tala@example.com", frozenset({"trainer"}))
    workshop = DraftInput(title="Excel basics", markdown="Day one.", lang="en", kind="workshop")
    with transaction(sessions) as session:
        with pytest.raises(workflow.NotAllowed):
            workflow.create_draft(session, repo, settings, agent, edit("x", title="A"), now=NOW)
        with pytest.raises(workflow.NotAllowed):
            workflow.create_draft(session, repo, settings, trainer, edit("x", title="B"), now=NOW)
        promoted = workflow.create_draft(
            session, repo, settings, agent, edit("From a ticket.", title="Printer jam"),
            source_tickets=("HD-000001",), promoted=True, now=NOW,
        )  # fmt: skip
        assert promoted.source_tickets == ("HD-000001",)
        own = workflow.create_draft(session, repo, settings, trainer, workshop, now=NOW)
        # The trainer publishes their own guide directly while workshop_review is off…
        workflow.approve_draft(session, repo, settings, trainer, own.id, now=NOW)
        other = workflow.create_draft(
            session, repo, settings, trainer, dataclasses.replace(workshop, title="Word"), now=NOW
        )
    strict = dataclasses.replace(settings, knowledge=KnowledgeSettings(workshop_review=True))
    with transaction(sessions) as session, pytest.raises(workflow.NotAllowed):
        workflow.approve_draft(session, repo, strict, trainer, other.id, now=NOW)
    assert repo.load(own.path).kind == "workshop"


def test_articles_directory_inside_a_bigger_repository(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    root = project / "articles"
    (root / "general").mkdir(parents=True)
    (project / "README.md").write_text("project\n")
    (root / "general" / "hello.en.md").write_text("---\ntitle: Hello\n---\n\nHi.\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.email", "t@example.com")
    git(project, "config", "user.name", "T")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "start")
    (project / "README.md").write_text("uncommitted project change\n")
    repo = ArticleRepository(root)
    settings = load_settings({"articles_dir": root, "instance_dir": tmp_path / "inst"})
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR,
            DraftInput(title="Hello", markdown="Hello again.", lang="en"),
            article_id="hello", now=NOW,
        )  # fmt: skip
        assert draft.path == "general/hello.en.md"
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    assert "Hello again." in (root / "general" / "hello.en.md").read_text()
    assert git(project, "status", "--porcelain") == "M README.md"
    assert git(project, "ls-tree", "-r", "--name-only", "HEAD") == (
        "README.md\narticles/general/hello.en.md"
    )
    assert workflow.article_history(repo, "general/hello.en.md")[0].reviewed_by
    fsck(project)


def test_publish_refuses_to_overwrite_uncommitted_work(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit("Mine."), article_id="reset-password", now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
    published.write_text(published.read_text() + "\nLocal edit.\n")
    with transaction(sessions) as session, pytest.raises(workflow.StaleBase):
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    assert "Local edit." in published.read_text()


def test_archiving_goes_through_review_and_stays_archived(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    with transaction(sessions) as session:
        draft = workflow.archive_article(
            session, repo, settings, AUTHOR, "reset-password", "en", now=NOW
        )
        assert repo.load(draft.path).status == "published"  # not yet
        draft = workflow.save_draft(
            session, repo, settings, AUTHOR, draft.id, edit("Retired."), base=draft.base, now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        workflow.approve_draft(session, repo, settings, MANAGER, draft.id, now=NOW)
    assert repo.load(draft.path).status == "archived"
    assert workflow.article_history(repo, draft.path)[0].message.startswith("Archive en/")


def test_index_sync_picks_up_a_publish_made_elsewhere(
    app: Flask, runner: FlaskCliRunner, write_article: ArticleWriter
) -> None:
    write_article("vpn", title="Connect to the VPN", body="Install the client.")
    wired = app.extensions["sanad"]
    assert runner.invoke(main, args=["index", "sync"]).exit_code == 0
    with transaction(wired.sessions) as session:
        draft = workflow.create_draft(
            session, wired.repository, wired.settings, AUTHOR,
            DraftInput(title="Connect to the VPN", markdown="Use Blorptunnel.", lang="en"),
            article_id="vpn", now=NOW,
        )  # fmt: skip
        workflow.submit_draft(session, wired.settings, AUTHOR, draft.id, now=NOW)
        workflow.approve_draft(
            session, wired.repository, wired.settings, MANAGER, draft.id, now=NOW
        )
    client = app.test_client()
    assert client.get("/api/v1/search?q=Blorptunnel").get_json()["total"] == 0  # not synced yet
    result = runner.invoke(main, args=["index", "sync"])
    assert result.exit_code == 0, result.output
    hits = client.get("/api/v1/search?q=Blorptunnel").get_json()["hits"]
    assert [hit["id"] for hit in hits] == ["vpn"]
