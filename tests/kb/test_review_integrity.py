"""Review integrity: an approval publishes what the reviewer read, by someone who did not
write it, and an approval cut off half-way (a killed worker) can be finished, not refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings, load_settings
from portal.db import transaction
from portal.kb import workflow
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft, DraftEvent
from portal.kb.workflow import DraftInput, Editor
from tests.support.accounts import MakeUser
from tests.support.articles import ArticleWriter, git

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PATH = "accounts/reset-password.en.md"
AUTHOR = Editor(1, "Amal Author", "amal@example.com", frozenset({"author"}))
KARIM = Editor(2, "Karim Manager", "karim@example.com", frozenset({"knowledge_manager"}))
LAYLA = Editor(3, "Layla Manager", "layla@example.com", frozenset({"knowledge_manager"}))
AGENT = Editor(4, "Sami Agent", "sami@example.com", frozenset({"agent"}))


class Crash(Exception):
    """Stands in for kill -9: the transaction never commits."""


@pytest.fixture(autouse=True)
def people(make_user: MakeUser) -> None:
    """The accounts behind the editors above (ids 1-4 in a fresh database)."""
    for editor in (AUTHOR, KARIM, LAYLA, AGENT):
        role = sorted(editor.roles)[0]
        made = make_user(role, email=editor.email, name=editor.name)
        assert made.id == editor.id


@pytest.fixture
def settings(tmp_path: Path, articles_dir: Path) -> Settings:
    return load_settings({"articles_dir": articles_dir, "instance_dir": tmp_path / "inst"})


@pytest.fixture
def repo(articles_dir: Path) -> ArticleRepository:
    return ArticleRepository(articles_dir)


@pytest.fixture
def published(write_article: ArticleWriter) -> Path:
    return write_article(
        "reset-password", title="Reset your password", body="Old steps.", category="accounts"
    )


def edit(text: str) -> DraftInput:
    return DraftInput(title="Reset your password", markdown=text, lang="en", category="accounts")


def in_review(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, text: str
) -> workflow.DraftView:
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AUTHOR, edit(text), article_id="reset-password", now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, draft.id, now=NOW)
        return workflow.get_draft(session, repo, draft.id)


def merges(articles_dir: Path) -> int:
    return int(git(articles_dir, "rev-list", "--merges", "--count", "HEAD"))


def test_a_change_in_review_sends_the_draft_back_and_shows_what_changed(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    read = in_review(sessions, repo, settings, "Step one.")
    assert read.status == "review"
    assert read.reviewed_version is None  # never reviewed before
    with transaction(sessions) as session:
        saved = workflow.save_draft(
            session, repo, settings, AUTHOR, read.id, edit("Step one, sneakily changed."),
            base=read.base, now=NOW,
        )  # fmt: skip
    assert saved.status == "draft"
    with transaction(sessions) as session, pytest.raises(workflow.WorkflowError):
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    # The reviewer's approval names what they read: refused, with the version there now.
    with transaction(sessions) as session:
        workflow.submit_draft(session, settings, AUTHOR, read.id, now=NOW)
    with transaction(sessions) as session, pytest.raises(workflow.StaleBase) as stale:
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW, base=read.base)
    assert stale.value.current == saved.base
    assert "Old steps." in published.read_text()
    with transaction(sessions) as session:
        again = workflow.get_draft(session, repo, read.id)
    assert again.status == "review"
    assert again.reviewed_version == read.base
    since = workflow.diff_versions(repo, again.path, again.reviewed_version, again.base)
    assert [line.text for line in since.lines if line.kind == "add"] == [
        "Step one, sneakily changed."
    ]
    assert [line.text for line in since.lines if line.kind == "remove"] == ["Step one."]
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW, base=again.base)
    assert "sneakily changed" in published.read_text()


def test_whoever_changed_the_text_since_the_last_review_may_not_approve(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    read = in_review(sessions, repo, settings, "Author's text.")
    with transaction(sessions) as session:
        workflow.save_draft(
            session, repo, settings, KARIM, read.id, edit("Karim rewrote it."),
            base=read.base, now=NOW,
        )  # fmt: skip
        workflow.submit_draft(session, settings, KARIM, read.id, now=NOW)
        view = workflow.get_draft(session, repo, read.id)
    assert "approve" not in workflow.draft_access.actions_for(KARIM, view.facts, settings)
    assert "approve" in workflow.draft_access.actions_for(LAYLA, view.facts, settings)
    with transaction(sessions) as session, pytest.raises(workflow.NotAllowed) as refused:
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW, base=view.base)
    assert "since its last review" in str(refused.value)
    # Changes requested, the author edits: the reviewer who only asked may approve.
    with transaction(sessions) as session:
        workflow.request_changes(session, settings, LAYLA, read.id, "Shorter.", now=NOW)
        current = workflow.get_draft(session, repo, read.id)
        workflow.save_draft(
            session, repo, settings, AUTHOR, read.id, edit("Short."), base=current.base, now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, read.id, now=NOW)
        view = workflow.get_draft(session, repo, read.id)
    assert view.reviewed_version == current.base
    assert "id:2" not in view.editors  # Karim's edit was reviewed (changes were requested)
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, settings, LAYLA, read.id, now=NOW, base=view.base)
    log = git(published.parent.parent, "log", "-1", "--format=%B", "HEAD")
    assert "Reviewed-by: Layla Manager <layla@example.com>" in log


def test_an_editor_without_an_account_id_is_known_by_the_commits_address(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    read = in_review(sessions, repo, settings, "Text.")
    nameless = Editor(None, "Karim", "KARIM@example.com", frozenset({"knowledge_manager"}))
    with transaction(sessions) as session:
        workflow.save_draft(
            session, repo, settings, nameless, read.id, edit("Changed."), base=read.base, now=NOW
        )
        workflow.submit_draft(session, settings, AUTHOR, read.id, now=NOW)
    with transaction(sessions) as session, pytest.raises(workflow.NotAllowed):
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)


def test_self_approval_when_the_setting_allows_it(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    read = in_review(sessions, repo, settings, "Text.")
    with transaction(sessions) as session:
        saved = workflow.save_draft(
            session, repo, settings, KARIM, read.id, edit("Mine now."), base=read.base, now=NOW
        )
        workflow.submit_draft(session, settings, KARIM, read.id, now=NOW)
    relaxed = dataclasses.replace(
        settings, knowledge=dataclasses.replace(settings.knowledge, review_self_approve=True)
    )
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, relaxed, KARIM, read.id, now=NOW, base=saved.base)
    assert "Mine now." in published.read_text()


def test_approving_twice_is_harmless(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
) -> None:
    read = in_review(sessions, repo, settings, "Once.")
    with transaction(sessions) as session:
        first = workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    head = git(articles_dir, "rev-parse", "HEAD")
    with transaction(sessions) as session:
        second = workflow.approve_draft(session, repo, settings, LAYLA, read.id, now=NOW)
        events = workflow.get_draft(session, repo, read.id).events
    assert second == first
    assert git(articles_dir, "rev-parse", "HEAD") == head
    assert [e.action for e in events].count("approved") == 1


def test_an_approval_cut_off_after_git_moved_is_finished_by_the_retry(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
) -> None:
    read = in_review(sessions, repo, settings, "Crash-proof steps.")
    session = sessions()
    # Git is live, the row is never committed: the worker died before the transaction ended.
    workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW, base=read.base)
    session.rollback()
    session.close()
    assert "Crash-proof steps." in published.read_text()
    with transaction(sessions) as session:
        assert session.get(Draft, read.id).status == "review"  # type: ignore[union-attr]
    assert merges(articles_dir) == 1
    with transaction(sessions) as session:
        done = workflow.approve_draft(
            session, repo, settings, KARIM, read.id, now=NOW, base=read.base
        )
    assert merges(articles_dir) == 1  # no second merge
    assert done.commit == git(articles_dir, "rev-parse", "HEAD")
    with transaction(sessions) as session:
        row = session.get(Draft, read.id)
        assert row is not None
        assert row.status == "published"
        assert row.published_commit == done.commit
    assert git(articles_dir, "status", "--porcelain") == ""
    assert repo.resolve(workflow.draft_ref(read.id)) is None


def test_reconciliation_finishes_an_approval_killed_before_the_work_tree_was_written(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    articles_dir: Path,
    published: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = in_review(sessions, repo, settings, "Half-way steps.")

    def killed(_relative: str, _blob: str) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(repo, "checkout_blob", killed)
        with pytest.raises(Crash), transaction(sessions) as session:
            workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    assert "Old steps." in published.read_text()  # HEAD moved, the work tree did not
    assert git(articles_dir, "status", "--porcelain") != ""
    with transaction(sessions) as session:
        finished = workflow.reconcile_published(session, repo, now=NOW)
    assert [r.draft_id for r in finished] == [read.id]
    assert "Half-way steps." in published.read_text()
    assert git(articles_dir, "status", "--porcelain") == ""
    with transaction(sessions) as session:
        row = session.get(Draft, read.id)
        assert row is not None
        assert row.status == "published"
        assert row.reviewer_name == "Karim Manager"
        actions = session.scalars(
            select(DraftEvent.action).where(DraftEvent.draft_id == read.id)
        ).all()
        assert actions.count("approved") == 1
        assert workflow.reconcile_published(session, repo, now=NOW) == []  # idempotent
    # The reviewer's client retries the approval it never got an answer to: the same publish.
    with transaction(sessions) as session:
        again = workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    assert again.commit == finished[0].commit


def test_reconciliation_leaves_a_file_changed_by_hand_alone(
    sessions: sessionmaker[Session],
    repo: ArticleRepository,
    settings: Settings,
    published: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = in_review(sessions, repo, settings, "Reviewed steps.")
    with monkeypatch.context() as patch:
        patch.setattr(repo, "checkout_blob", lambda _r, _b: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash), transaction(sessions) as session:
            workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    published.write_text(published.read_text() + "\nA local edit.\n")
    with transaction(sessions) as session:
        workflow.reconcile_published(session, repo, now=NOW)
    assert "A local edit." in published.read_text()


def test_reconciliation_removes_the_branch_of_a_published_draft(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    read = in_review(sessions, repo, settings, "Done.")
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, settings, KARIM, read.id, now=NOW)
    ref = workflow.draft_ref(read.id)
    repo.move_ref(ref, read.base, None)  # a branch a crash left behind
    with transaction(sessions) as session:
        assert workflow.reconcile_published(session, repo, now=NOW) == []
    assert repo.resolve(ref) is None


def test_an_agent_submits_a_promoted_draft_and_a_manager_edit_needs_another_reviewer(
    sessions: sessionmaker[Session], repo: ArticleRepository, settings: Settings, published: Path
) -> None:
    data = DraftInput(title="Printer jams", markdown="Open tray 2.", lang="en", category="general")
    with transaction(sessions) as session:
        draft = workflow.create_draft(
            session, repo, settings, AGENT, data, source_tickets=("HD-000001",), promoted=True,
            now=NOW,
        )  # fmt: skip
        workflow.submit_draft(session, settings, AGENT, draft.id, now=NOW)
        queue = workflow.review_queue(session, KARIM)
    assert [d.id for d in queue.waiting] == [draft.id]
    with transaction(sessions) as session:
        workflow.request_changes(session, settings, KARIM, draft.id, "Add a picture.", now=NOW)
        queue = workflow.review_queue(session, LAYLA)
        assert [d.id for d in queue.from_tickets] == [draft.id]
        assert workflow.review_queue(session, AGENT).from_tickets == ()
        current = workflow.get_draft(session, repo, draft.id)
        workflow.save_draft(
            session, repo, settings, LAYLA, draft.id,
            dataclasses.replace(data, markdown="Open tray 2 (picture)."),
            base=current.base, now=NOW,
        )  # fmt: skip
        workflow.submit_draft(session, settings, LAYLA, draft.id, now=NOW)
    with transaction(sessions) as session, pytest.raises(workflow.NotAllowed):
        workflow.approve_draft(session, repo, settings, LAYLA, draft.id, now=NOW)
    with transaction(sessions) as session:
        workflow.approve_draft(session, repo, settings, KARIM, draft.id, now=NOW)


def test_the_rule_for_the_last_editor_without_a_repository(settings: Settings) -> None:
    facts = workflow.draft_access.DraftFacts(
        AUTHOR.id, AUTHOR.email, "article", "review", editors=frozenset({"id:2"})
    )
    rules = workflow.draft_access
    assert rules.approval_refusal(KARIM, facts, settings) == (
        "You changed this draft since its last review: another reviewer must approve it."
    )
    assert rules.actions_for(KARIM, facts, settings) == {"save", "discard", "request_changes"}
    assert rules.approval_refusal(LAYLA, facts, settings) is None
    by_address = dataclasses.replace(facts, editors=frozenset({"email:layla@example.com"}))
    assert rules.approval_refusal(LAYLA, by_address, settings) is not None
    assert "approve" in rules.actions_for(KARIM, by_address, settings)
