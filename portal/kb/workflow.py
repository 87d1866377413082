"""Draft → review → published: git-native editing of articles.

CONTRACT (owned by portal.kb; portal.editorial, portal.tickets.promote, portal.web and
portal.cli call these signatures; docs/lifecycle.md explains the design).

Design:
- A draft is a branch ``refs/heads/drafts/<draft_id>`` in the articles repository. Each save
  is a commit on it, made with git plumbing (a blob, a tree, a commit object) so the work
  tree, which serves the live site, is never touched by an unapproved edit.
- Every save names the version it was based on (``base``: the branch tip the editor loaded).
  The branch moves with ``git update-ref <ref> <new> <base>``, git's own compare-and-swap, so
  of several saves from one base exactly one wins and every other raises ``StaleBase``, across
  processes and hosts sharing the repository.
- Approval (``portal.kb.approval``) is a merge commit on the live branch carrying
  ``Reviewed-by: Name <email>``.
- The draft rows (``portal.kb.tables``) hold the workflow state and the review trail; git
  holds the text.

Roles are passed in, never looked up: ``Editor.roles`` is the set of role names of the person
acting (``knowledge_manager``, ``author``, ``trainer``, ``agent``, ``admin``). Every use case
here asks ``portal.kb.draft_access`` before it changes anything; a draft the person may not
see is ``DraftNotFound``, as if it did not exist.

The vocabulary (``Editor``, ``DraftInput``, ``DraftView``, the errors) lives in
``draft_model``, history and diffs in ``versions``; they are re-exported here so callers keep
one import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.kb import draft_access
from portal.kb.approval import approve_draft, reconcile_published
from portal.kb.article_edits import (
    archive_article,
    article_to_edit,
    live_input,
    restore_version,
)
from portal.kb.draft_access import EDITOR_ROLES, REVIEWER_ROLES, may_edit, may_review
from portal.kb.draft_files import check_input, compose, input_from_article, status_at
from portal.kb.draft_model import (
    OPEN_STATUSES,
    ArticleGone,
    DiffLine,
    DraftEventView,
    DraftInput,
    DraftNotFound,
    DraftView,
    Editor,
    FileDiff,
    InvalidDraft,
    NotAllowed,
    PublishResult,
    StaleBase,
    Version,
    WorkflowError,
)
from portal.kb.draft_rows import (
    DISCARDED_REF_PREFIX,
    DRAFT_REF_PREFIX,
    add_event,
    draft_ref,
    editors_since_review,
    events_of,
    facts,
    find_any,
    find_path,
    load_row,
    read_input,
    reviewed_version,
    row_input,
    start_draft,
    tip_of,
    view_of,
)
from portal.kb.frontmatter import is_slug
from portal.kb.git import Identity, RefMoved, is_oid
from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft
from portal.kb.versions import (
    article_history,
    article_text_at,
    diff_draft,
    diff_versions,
    line_diff,
    published_version,
)

__all__ = [
    "DISCARDED_REF_PREFIX",
    "DRAFT_REF_PREFIX",
    "EDITOR_ROLES",
    "OPEN_STATUSES",
    "REVIEWER_ROLES",
    "ArticleGone",
    "DiffLine",
    "DraftEventView",
    "DraftInput",
    "DraftNotFound",
    "DraftView",
    "Editor",
    "FileDiff",
    "InvalidDraft",
    "NotAllowed",
    "PublishResult",
    "ReviewQueue",
    "StaleBase",
    "Version",
    "WorkflowError",
    "approve_draft",
    "archive_article",
    "article_history",
    "article_text_at",
    "article_to_edit",
    "create_draft",
    "diff_draft",
    "diff_versions",
    "discard_draft",
    "draft_ref",
    "drafts_of_article",
    "get_draft",
    "input_from_article",
    "line_diff",
    "list_drafts",
    "live_input",
    "may_edit",
    "may_review",
    "open_draft",
    "promoted_open",
    "published_version",
    "reconcile_published",
    "request_changes",
    "restore_version",
    "review_queue",
    "save_draft",
    "submit_draft",
]


@dataclass(frozen=True)
class ReviewQueue:
    """The review page's three lists, each holding only drafts the person may see."""

    waiting: tuple[DraftView, ...]  # in review
    mine: tuple[DraftView, ...]  # the person's own open drafts, newest change first
    published: tuple[DraftView, ...]  # recently published
    # Drafts promoted from tickets and sent back with "request changes": their authors are
    # agents, who do not edit articles, so the knowledge managers take them over.
    from_tickets: tuple[DraftView, ...] = ()
    # ``waiting`` is one page of ``REVIEW_PAGE_SIZE``: thousands of open drafts stay a small page.
    waiting_total: int = 0
    page: int = 1
    pages: int = 1


def create_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    data: DraftInput,
    *,
    article_id: str | None = None,
    base: str | None = None,
    source_tickets: tuple[str, ...] = (),
    promoted: bool = False,
    now: dt.datetime,
) -> DraftView:
    """Start a draft: of the existing article ``article_id`` in ``data.lang`` (``base`` must be
    its ``published_version``, else StaleBase), or of a new article (``article_id`` None: the
    id is made from the title, unique in the repository). The first commit is on the draft
    branch; the live site is unchanged. ``promoted`` lets an agent create it (from a ticket).
    """
    if not may_edit(editor, data.kind, promoted=promoted):
        raise NotAllowed("You may not write this kind of article.")
    check_input(data)
    repository.ensure_git()
    if article_id is None:
        new_id = _unique_id(session, repository, data.title)
        path = f"{data.category}/{new_id}.{data.lang}.md"
        return start_draft(
            session, repository, editor, data, new_id, path, None,
            source_tickets=source_tickets, now=now, comment=None,
        )  # fmt: skip
    if not is_slug(article_id):
        raise InvalidDraft({"article_id": "Not a valid article id."})
    existing = find_path(repository, article_id, data.lang)
    if existing is None:
        if not find_any(repository, article_id):
            raise ArticleGone(f"No article {article_id!r}.")
        # A new language version of an existing article (a translation).
        path = f"{data.category}/{article_id}.{data.lang}.md"
        return start_draft(
            session, repository, editor, data, article_id, path, None,
            source_tickets=source_tickets, now=now, comment=None,
        )  # fmt: skip
    current = published_version(repository, existing)
    if current is None:
        raise WorkflowError("This article has changes that are not committed yet: commit them.")
    if base is not None and base != current:
        raise StaleBase("The article changed since you opened it: reload it.", current)
    return start_draft(
        session, repository, editor, data, article_id, existing, current,
        source_tickets=source_tickets, now=now, comment=None,
    )  # fmt: skip


def get_draft(session: Session, repository: ArticleRepository, draft_id: str) -> DraftView:
    """The draft with its current text (from its branch) and trail; raises DraftNotFound."""
    row = load_row(session, draft_id)
    tip = tip_of(repository, row)
    data = read_input(repository, row, tip)
    events = events_of(session, row.id)
    reviewed = reviewed_version(row.status, events)
    editors = editors_since_review(repository, row, events, tip, reviewed)
    return view_of(row, data, tip, events, reviewed=reviewed, editors=editors)


def list_drafts(
    session: Session,
    *,
    status: str | None = None,
    author_id: int | None = None,
    article_id: str | None = None,
) -> list[DraftView]:
    """Drafts, newest change first (text not loaded: ``data.markdown`` is empty)."""
    query = select(Draft).order_by(Draft.updated_at.desc(), Draft.id)
    if status is not None:
        query = query.where(Draft.status == status)
    if author_id is not None:
        query = query.where(Draft.author_id == author_id)
    if article_id is not None:
        query = query.where(Draft.article_id == article_id)
    return [view_of(row, row_input(row), row.head, ()) for row in session.scalars(query)]


def open_draft(
    session: Session, repository: ArticleRepository, editor: Editor, draft_id: str
) -> DraftView:
    """The draft as ``editor`` may open it: DraftNotFound when it is missing or not theirs
    to see (the same answer, so ids reveal nothing), NotAllowed for a kind they never write."""
    row = load_row(session, draft_id)
    draft_access.check_see(editor, facts(row), draft_id)
    return get_draft(session, repository, draft_id)


def review_queue(
    session: Session,
    editor: Editor,
    *,
    lang: str | None = None,
    kind: str | None = None,
    text: str = "",
    recent: int = 10,
    page: int = 1,
    per_page: int = 50,
) -> ReviewQueue:
    """What the review page lists for ``editor``, filtered by language, kind and title text."""

    def keep(draft: DraftView) -> bool:
        if not draft_access.may_see(editor, draft.facts):
            return False
        if lang and draft.lang != lang:
            return False
        if kind and draft.data.kind != kind:
            return False
        return not text or text.casefold() in draft.title.casefold()

    waiting = [d for d in list_drafts(session, status="review") if keep(d)]
    mine = [
        d
        for status in OPEN_STATUSES
        for d in list_drafts(session, status=status, author_id=editor.id)
        if keep(d)
    ]
    mine.sort(key=lambda d: d.updated_at, reverse=True)
    published = [d for d in list_drafts(session, status="published") if keep(d)]
    from_tickets = (
        [
            d
            for d in list_drafts(session, status="draft")
            if d.source_tickets and d.author_id != editor.id and keep(d)
        ]
        if may_review(editor)
        else []
    )
    pages = max(1, -(-len(waiting) // per_page))
    page = min(max(1, page), pages)  # past the end shows the last page, not an empty one
    shown = waiting[(page - 1) * per_page : page * per_page]
    return ReviewQueue(
        tuple(shown), tuple(mine), tuple(published[:recent]), tuple(from_tickets),
        waiting_total=len(waiting), page=page, pages=pages,
    )  # fmt: skip


def promoted_open(session: Session) -> int:
    """How many drafts promoted from tickets are open (in review or to finish): the
    "needs attention" page points knowledge managers at them."""
    return sum(
        1
        for status in OPEN_STATUSES
        for draft in list_drafts(session, status=status)
        if draft.source_tickets
    )


def drafts_of_article(
    session: Session, editor: Editor, article_id: str, lang: str
) -> tuple[DraftView, ...]:
    """The open drafts of one article in one language that ``editor`` may see."""
    return tuple(
        d
        for d in list_drafts(session, article_id=article_id)
        if d.lang == lang and d.status in OPEN_STATUSES and draft_access.may_see(editor, d.facts)
    )


def save_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    editor: Editor,
    draft_id: str,
    data: DraftInput,
    *,
    base: str,
    now: dt.datetime,
) -> DraftView:
    """Commit a new version on the draft branch if its tip is still ``base``; else StaleBase.

    A draft in review goes back to ``draft``: an approval covers only the text a reviewer
    read, so a changed draft must be submitted (and reviewed) again."""
    row = load_row(session, draft_id, lock=True)
    about = facts(row)
    draft_access.check_see(editor, about, draft_id)
    draft_access.check_state(about, *OPEN_STATUSES)
    if not draft_access.may_save(editor, about, data.kind):
        raise NotAllowed("You may not edit this draft.")
    if data.lang != row.lang:
        raise InvalidDraft({"lang": "The language of a draft cannot change."})
    check_input(data)
    ref = draft_ref(row.id)
    if not is_oid(base):
        raise StaleBase("Not a version of this draft: reload it.", repository.resolve(ref))
    status = "archived" if status_at(repository, base, row.path) == "archived" else None
    text = compose(data, row.article_id, row.path, status or _file_status(row), now)
    blob = repository.write_blob(text)
    author = Identity(editor.name, editor.email, now)
    try:
        commit = repository.commit_file(
            tree_of=base,
            relative=row.path,
            blob=blob,
            parents=(base,),
            message=f"Edit {row.lang}/{row.article_id}: {data.title}\n",
            author=author,
            committer=author,
        )
    except KbError:  # base names no commit here
        raise StaleBase(
            "Not a version of this draft: reload it.", repository.resolve(ref)
        ) from None
    try:
        repository.move_ref(ref, commit, base, reason=f"sanad: save draft {row.id}")
    except RefMoved as moved:
        raise StaleBase(
            "Someone else saved this draft after you opened it: reload it and redo your change.",
            moved.current,
        ) from None
    row.head = commit
    row.title = data.title
    row.kind = data.kind
    row.updated_at = now
    if row.status == "review":
        row.status = "draft"
    add_event(session, row, editor, "saved", commit=commit, now=now)
    session.flush()
    return view_of(row, data, commit, events_of(session, row.id))


def submit_draft(
    session: Session, settings: Settings, editor: Editor, draft_id: str, *, now: dt.datetime
) -> DraftView:
    """draft → review (the author or an editor). The view's ``data.markdown`` is empty."""
    row = load_row(session, draft_id)
    about = facts(row)
    draft_access.check_see(editor, about, draft_id)
    if not draft_access.may_submit(editor, about):
        raise NotAllowed("You may not submit this draft.")
    draft_access.check_state(about, "draft")
    row.status = "review"
    row.submitted_at = now
    row.updated_at = now
    # The version sent is recorded: the next review shows what changed since this one.
    add_event(session, row, editor, "submitted", commit=row.head, now=now)
    session.flush()
    return view_of(row, row_input(row), row.head, events_of(session, row.id))


def request_changes(
    session: Session,
    settings: Settings,
    reviewer: Editor,
    draft_id: str,
    comment: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """review → draft with the reviewer's comment (required) in the trail."""
    row = load_row(session, draft_id)
    about = facts(row)
    draft_access.check_see(reviewer, about, draft_id)
    if not draft_access.may_request_changes(reviewer, about):
        raise NotAllowed("Only a knowledge manager can review drafts.")
    draft_access.check_state(about, "review")
    if not comment or not comment.strip():
        raise InvalidDraft({"comment": "Say what should change."})
    row.status = "draft"
    row.reviewer_id = reviewer.id
    row.reviewer_name = reviewer.name
    row.reviewed_at = now
    row.updated_at = now
    add_event(
        session, row, reviewer, "changes_requested", commit=row.head, comment=comment.strip(),
        now=now,
    )  # fmt: skip
    session.flush()
    return view_of(row, row_input(row), row.head, events_of(session, row.id))


def discard_draft(
    session: Session,
    repository: ArticleRepository,
    editor: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
) -> DraftView:
    """Abandon a draft; its branch is kept under ``refs/sanad/discarded/<id>`` for the record."""
    row = load_row(session, draft_id)
    about = facts(row)
    draft_access.check_see(editor, about, draft_id)
    if not draft_access.may_discard(editor, about):
        raise NotAllowed("You may not discard this draft.")
    draft_access.check_state(about, *OPEN_STATUSES)
    ref = draft_ref(row.id)
    tip = repository.resolve(ref) or row.head
    kept = DISCARDED_REF_PREFIX + row.id
    try:
        repository.move_ref(kept, tip, None, reason="sanad: discard")
    except RefMoved:
        repository.move_ref(kept, tip, repository.resolve(kept), reason="sanad: discard")
    try:
        repository.move_ref(ref, None, tip, reason="sanad: discard")
    except RefMoved as moved:
        raise StaleBase("The draft changed meanwhile: look again.", moved.current) from None
    row.status = "discarded"
    row.head = tip
    row.updated_at = now
    add_event(session, row, editor, "discarded", commit=tip, now=now)
    session.flush()
    return view_of(row, row_input(row), tip, events_of(session, row.id))


def _file_status(row: Draft) -> str:
    return "draft" if row.is_new else "published"


def _unique_id(session: Session, repository: ArticleRepository, title: str) -> str:
    """A slug from the title, unused by any article or open draft of a new article."""
    slug = re.sub(r"[^\w]+", "-", title.strip().lower(), flags=re.UNICODE).strip("-_.")[:80]
    slug = slug.strip("-_.") or "article"
    taken = {article.id for article in repository.load_all().articles}
    taken.update(
        session.scalars(
            select(Draft.article_id).where(Draft.is_new, Draft.status.in_(OPEN_STATUSES))
        )
    )
    candidate, number = slug, 2
    while candidate in taken or not is_slug(candidate):
        candidate, number = f"{slug}-{number}", number + 1
    return candidate
