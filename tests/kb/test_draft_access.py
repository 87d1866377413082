"""Who may see and act on a draft: the rules the pages and the API both get their answer from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from portal.config import Settings, load_settings
from portal.kb import draft_access as rules
from portal.kb.draft_model import DraftFacts, DraftNotFound, Editor, NotAllowed

AUTHOR = Editor(1, "Amal", "amal@example.com", frozenset({"author"}))
OTHER_AUTHOR = Editor(2, "Badr", "badr@example.com", frozenset({"author"}))
MANAGER = Editor(3, "Karim", "karim@example.com", frozenset({"knowledge_manager"}))
TRAINER = Editor(4, "Tala", "tala@example.com", frozenset({"trainer"}))
AGENT = Editor(5, "Adel", "adel@example.com", frozenset({"agent"}))


def draft(author: Editor, kind: str = "article", status: str = "draft", **more: bool) -> DraftFacts:
    return DraftFacts(author.id, author.email, kind, status, **more)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"instance_dir": tmp_path})


def test_authors_see_only_their_own_drafts_and_reviewers_see_all() -> None:
    mine = draft(AUTHOR)
    assert rules.may_see(AUTHOR, mine)
    assert not rules.may_see(OTHER_AUTHOR, mine)
    assert rules.may_see(MANAGER, mine)
    with pytest.raises(DraftNotFound):  # answered like a missing draft
        rules.check_see(OTHER_AUTHOR, mine, "abc123")


def test_a_trainer_sees_their_workshop_guides_and_is_refused_other_kinds() -> None:
    assert rules.may_see(TRAINER, draft(TRAINER, "workshop"))
    assert not rules.may_see(TRAINER, draft(AUTHOR, "workshop"))
    with pytest.raises(DraftNotFound):
        rules.check_see(TRAINER, draft(AUTHOR, "workshop"), "abc123")
    with pytest.raises(NotAllowed):  # docs/api.md: a trainer opening an ordinary draft
        rules.check_see(TRAINER, draft(AUTHOR, "article"), "abc123")


def test_an_agent_sees_and_submits_only_the_drafts_they_promoted() -> None:
    promoted = draft(AGENT, promoted=True)
    assert rules.may_see(AGENT, promoted)
    assert rules.may_submit(AGENT, promoted)
    assert not rules.may_save(AGENT, promoted)
    assert not rules.may_see(AGENT, draft(AGENT))
    assert not rules.may_see(AGENT, draft(AUTHOR, promoted=True))


def test_saving_needs_the_draft_and_both_kinds() -> None:
    assert rules.may_save(AUTHOR, draft(AUTHOR), "faq")
    assert not rules.may_save(OTHER_AUTHOR, draft(AUTHOR))
    assert rules.may_save(MANAGER, draft(AUTHOR))
    assert rules.may_save(TRAINER, draft(TRAINER, "workshop"))
    assert not rules.may_save(TRAINER, draft(TRAINER, "workshop"), "article")


def test_discarding_and_submitting_someone_elses_draft_is_refused() -> None:
    assert rules.may_discard(AUTHOR, draft(AUTHOR))
    assert not rules.may_discard(OTHER_AUTHOR, draft(AUTHOR))
    assert not rules.may_submit(OTHER_AUTHOR, draft(AUTHOR))
    assert rules.may_submit(MANAGER, draft(AUTHOR))


def test_approval_needs_another_reviewer_unless_configured(settings: Settings) -> None:
    in_review = draft(MANAGER, status="review")
    assert rules.approval_refusal(MANAGER, in_review, settings) == (
        "You cannot approve your own change: another reviewer must."
    )
    relaxed = dataclasses.replace(
        settings, knowledge=dataclasses.replace(settings.knowledge, review_self_approve=True)
    )
    assert rules.may_approve(MANAGER, in_review, relaxed)
    assert not rules.may_approve(AUTHOR, draft(AUTHOR, status="review"), settings)
    assert rules.may_approve(MANAGER, draft(AUTHOR, status="review"), settings)


def test_a_trainer_publishes_their_own_guide_only_when_workshop_review_is_off(
    settings: Settings,
) -> None:
    guide = draft(TRAINER, "workshop")
    off = dataclasses.replace(
        settings, knowledge=dataclasses.replace(settings.knowledge, workshop_review=False)
    )
    on = dataclasses.replace(
        settings, knowledge=dataclasses.replace(settings.knowledge, workshop_review=True)
    )
    assert rules.may_approve(TRAINER, guide, off)
    assert "publish" in rules.actions_for(TRAINER, guide, off)
    assert not rules.may_approve(TRAINER, guide, on)
    assert "publish" not in rules.actions_for(TRAINER, guide, on)


def test_request_changes_is_for_reviewers() -> None:
    assert rules.may_request_changes(MANAGER, draft(AUTHOR, status="review"))
    assert not rules.may_request_changes(AUTHOR, draft(AUTHOR, status="review"))


def test_buttons_follow_the_rules_and_the_state(settings: Settings) -> None:
    assert rules.actions_for(AUTHOR, draft(AUTHOR), settings) == {"save", "discard", "submit"}
    assert rules.actions_for(OTHER_AUTHOR, draft(AUTHOR), settings) == frozenset()
    reviewing = rules.actions_for(MANAGER, draft(AUTHOR, status="review"), settings)
    assert reviewing == {"save", "discard", "approve", "request_changes"}
    assert rules.actions_for(MANAGER, draft(AUTHOR, status="published"), settings) == frozenset()


def test_articles_are_edited_archived_and_restored_by_those_who_write_their_kind() -> None:
    assert rules.may_edit_article(AUTHOR, "article")
    assert rules.may_edit_article(TRAINER, "workshop")
    assert not rules.may_edit_article(TRAINER, "article")
    assert not rules.may_edit_article(AGENT, "article")
    with pytest.raises(NotAllowed):
        rules.check_edit_article(TRAINER, "faq")
    assert rules.writable_kinds(TRAINER) == ("workshop",)
