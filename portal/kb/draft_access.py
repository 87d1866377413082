"""Who may see and act on a draft, and who may edit, archive or restore an article.

One function per question. The workflow services call the ``check_*`` functions before they
change anything, so the HTML pages and the JSON API give the same answer; the pages use the
``may_*`` functions only to hide buttons a person could not use.

The rules:
- write (create, save): knowledge_manager, admin, author any kind; a trainer only kind
  "workshop"; an agent only through promote (``promoted=True``).
- see: reviewers every draft; everyone else their own (a trainer: their workshop guides; an
  agent: the drafts they promoted from tickets). A draft one may not see is answered like a
  missing one (``DraftNotFound``, HTTP 404), so ids of other people's drafts reveal nothing;
  a kind one never writes at all is refused openly (``NotAllowed``, 403: docs/api.md).
- save: see it and write its kind (before and after the change).
- submit: see it and write its kind, or the agent who promoted it.
- discard: see it and write its kind, or its author.
- approve: knowledge_manager, admin; not one's own draft, nor one whose text one changed
  since its last review (two-person review), unless
  ``settings.knowledge.review_self_approve``. A trainer may publish their own workshop guide
  directly when ``settings.knowledge.workshop_review`` is off.
  Request changes: knowledge_manager, admin.
- edit, archive or restore an article, or read its history in the editor: write its kind.
"""

from __future__ import annotations

from portal.config import Settings
from portal.kb.draft_model import (
    OPEN_STATUSES,
    DraftFacts,
    DraftNotFound,
    Editor,
    NotAllowed,
    WorkflowError,
)
from portal.kb.models import KINDS

EDITOR_ROLES = frozenset({"knowledge_manager", "admin", "author"})
REVIEWER_ROLES = frozenset({"knowledge_manager", "admin"})


def may_edit(editor: Editor, kind: str, *, promoted: bool = False) -> bool:
    """May ``editor`` write articles of this kind at all (create or change a draft)?"""
    if editor.roles & EDITOR_ROLES:
        return True
    if "trainer" in editor.roles and kind == "workshop":
        return True
    return promoted and "agent" in editor.roles


def writable_kinds(editor: Editor) -> tuple[str, ...]:
    """The kinds this person may write: a trainer writes workshop guides only."""
    return KINDS if editor.roles & EDITOR_ROLES else ("workshop",)


def may_review(editor: Editor) -> bool:
    """May ``editor`` approve or request changes at all (own drafts aside)?"""
    return bool(editor.roles & REVIEWER_ROLES)


def is_own(editor: Editor, draft: DraftFacts) -> bool:
    """Is ``editor`` the draft's author (by account, or by address for old rows)?"""
    if editor.id is not None and draft.author_id is not None:
        return editor.id == draft.author_id
    return bool(editor.email) and editor.email.lower() == (draft.author_email or "").lower()


def changed_since_review(editor: Editor, draft: DraftFacts) -> bool:
    """Did ``editor`` change the draft's text since its last review (a save in the trail by
    their account, or a commit on its branch by their address)?"""
    if editor.id is not None and f"id:{editor.id}" in draft.editors:
        return True
    return bool(editor.email) and f"email:{editor.email.lower()}" in draft.editors


def may_see(editor: Editor, draft: DraftFacts) -> bool:
    """May ``editor`` open this draft (read its text and trail)?"""
    if may_review(editor):
        return True
    own = is_own(editor, draft)
    if editor.roles & EDITOR_ROLES:
        return own
    if "trainer" in editor.roles and own and draft.kind == "workshop":
        return True
    return own and draft.promoted and "agent" in editor.roles


def check_see(editor: Editor, draft: DraftFacts, draft_id: str) -> None:
    """DraftNotFound (like a missing draft) unless ``editor`` may see it; NotAllowed for a
    kind this person never writes (docs/api.md: a trainer opening an ordinary draft)."""
    if may_see(editor, draft):
        return
    if not may_edit(editor, draft.kind, promoted=draft.promoted):
        raise NotAllowed("You may not open this draft.")
    raise DraftNotFound(f"No draft {draft_id!r}.")


def may_save(editor: Editor, draft: DraftFacts, new_kind: str | None = None) -> bool:
    """May ``editor`` save a new version (of kind ``new_kind``, default unchanged)?"""
    kind = draft.kind if new_kind is None else new_kind
    return may_see(editor, draft) and may_edit(editor, draft.kind) and may_edit(editor, kind)


def may_submit(editor: Editor, draft: DraftFacts) -> bool:
    """May ``editor`` send the draft for review?"""
    if not may_see(editor, draft):
        return False
    promoter = is_own(editor, draft) and draft.promoted and "agent" in editor.roles
    return may_edit(editor, draft.kind) or promoter


def may_discard(editor: Editor, draft: DraftFacts) -> bool:
    """May ``editor`` abandon the draft?"""
    return may_see(editor, draft) and (may_edit(editor, draft.kind) or is_own(editor, draft))


def trainer_publishes(editor: Editor, draft: DraftFacts, settings: Settings) -> bool:
    """A trainer's own workshop guide goes live without review when review is off for them."""
    return (
        "trainer" in editor.roles
        and draft.kind == "workshop"
        and is_own(editor, draft)
        and not settings.knowledge.workshop_review
    )


def approval_refusal(editor: Editor, draft: DraftFacts, settings: Settings) -> str | None:
    """Why ``editor`` may not approve this draft, or None when they may."""
    if trainer_publishes(editor, draft, settings):
        return None
    if not may_review(editor):
        return "Only a knowledge manager can approve drafts."
    if settings.knowledge.review_self_approve:
        return None
    if is_own(editor, draft):
        return "You cannot approve your own change: another reviewer must."
    if changed_since_review(editor, draft):
        return "You changed this draft since its last review: another reviewer must approve it."
    return None


def may_approve(editor: Editor, draft: DraftFacts, settings: Settings) -> bool:
    """May ``editor`` approve (publish) this draft?"""
    return approval_refusal(editor, draft, settings) is None


def may_request_changes(editor: Editor, draft: DraftFacts) -> bool:
    """May ``editor`` send this draft back with a comment (a reviewer, own drafts too)?"""
    return may_review(editor) and may_see(editor, draft)


def may_edit_article(editor: Editor, kind: str) -> bool:
    """May ``editor`` edit, archive or restore an article of this kind, or open its history
    in the editor?"""
    return may_edit(editor, kind)


def check_edit_article(editor: Editor, kind: str) -> None:
    """NotAllowed unless ``editor`` may edit, archive or restore an article of this kind."""
    if not may_edit_article(editor, kind):
        raise NotAllowed("You may not write this kind of article.")


def check_state(draft: DraftFacts, *wanted: str) -> None:
    """WorkflowError (HTTP 409) unless the draft is in one of the ``wanted`` states."""
    if draft.status not in wanted:
        raise WorkflowError(status_message(draft.status))


def status_message(status: str) -> str:
    """Why a draft in ``status`` cannot take the step asked for."""
    return {
        "draft": "This draft is not in review.",
        "review": "This draft is already in review.",
        "published": "This draft is already published.",
        "discarded": "This draft was discarded.",
    }.get(status, f"This draft is {status}.")


def actions_for(editor: Editor, draft: DraftFacts, settings: Settings) -> frozenset[str]:
    """The steps ``editor`` may take on this draft now: the page shows these buttons."""
    if draft.status not in OPEN_STATUSES or not may_see(editor, draft):
        return frozenset()
    found: set[str] = set()
    if may_save(editor, draft):
        found.add("save")
    if may_discard(editor, draft):
        found.add("discard")
    if draft.status == "draft" and may_submit(editor, draft):
        found.add("submit")
    if draft.status == "review" and may_review(editor):
        if may_approve(editor, draft, settings):
            found |= {"approve", "request_changes"}
        elif not is_own(editor, draft) and may_request_changes(editor, draft):
            # A reviewer who changed the text may not approve it, but may still send it back.
            found.add("request_changes")
    if trainer_publishes(editor, draft, settings):
        found.add("publish")
    return frozenset(found)
