"""Approving a draft: a merge commit on the live branch that carries ``Reviewed-by``.

Approval is a merge commit (first parent: the live tip; second: the draft tip); the live
branch moves by compare-and-swap, then only the article's file is updated in the work tree
and git index. It is refused (``StaleBase``) when the live file changed since the draft was
started. Who may approve is ``draft_access.approval_refusal``.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.kb import draft_access
from portal.kb.draft_files import compose, one_line, status_at
from portal.kb.draft_model import (
    OPEN_STATUSES,
    Editor,
    NotAllowed,
    PublishResult,
    StaleBase,
    WorkflowError,
)
from portal.kb.draft_rows import (
    DRAFT_REF_PREFIX,
    add_event,
    draft_ref,
    editors_since_review,
    events_of,
    facts,
    load_row,
    read_input,
    reviewed_version,
)
from portal.kb.git import Identity, RefMoved
from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft
from portal.kb.versions import published_version

_APPROVE_ATTEMPTS = 5
# The trailer that ties a merge on the live branch to its draft row, so an approval cut off
# after git moved (a crash, a killed worker) is finished later instead of refused.
DRAFT_TRAILER = "Sanad-Draft"
DRAFT_MOVED = "The draft changed since you reviewed it: look at it again."


def approve_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    reviewer: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
    base: str | None = None,
) -> PublishResult:
    """Merge the draft into the live branch with ``Reviewed-by``; the caller then syncs the
    index (portal.editorial.publishing does both). NotAllowed for one's own draft, or one the
    reviewer changed since its last review, unless configured; StaleBase when ``base`` (the
    version the reviewer read) is not the draft's version any more, or when the live file
    changed since the draft was started.

    Crash-safe and idempotent: git moves first (the merge names the draft in a trailer) and
    the row follows in the caller's transaction. Approving a published draft again answers
    the same result; approving one whose merge is already live (the row was never updated)
    finishes the row."""
    row = load_row(session, draft_id, lock=True)
    events = events_of(session, row.id)
    ref = draft_ref(row.id)
    tip = repository.resolve(ref) if row.status in OPEN_STATUSES else None
    reviewed = reviewed_version(row.status, events)
    editors = editors_since_review(repository, row, events, tip or row.head, reviewed)
    about = facts(row, editors)
    draft_access.check_see(reviewer, about, draft_id)
    published = row.published_commit if row.status == "published" else None
    if published and (
        draft_access.may_review(reviewer)
        or draft_access.trainer_publishes(reviewer, about, settings)
    ):
        # Approving twice is harmless: the same answer, nothing new (the retry of a client
        # whose first answer was lost; its publish may even have been finished at start-up).
        return _result(row, published)
    refusal = draft_access.approval_refusal(reviewer, about, settings)
    if refusal is not None:
        raise NotAllowed(refusal)
    draft_access.check_state(about, *OPEN_STATUSES)
    merged = merged_drafts(repository).get(row.id)
    if merged is not None:
        return finish_published(session, repository, row, merged, reviewer, now=now)
    if tip is None:
        raise WorkflowError("The draft's branch is missing from the repository.")
    if base is not None and base != tip:
        raise StaleBase(DRAFT_MOVED, tip)
    if row.status != "review" and not draft_access.trainer_publishes(reviewer, about, settings):
        raise WorkflowError("Submit the draft for review before approving it.")
    data = read_input(repository, row, tip)
    archiving = status_at(repository, tip, row.path) == "archived"
    text = compose(data, row.article_id, row.path, "archived" if archiving else "published", now)
    blob = repository.write_blob(text)
    final = tip
    if repository.read_blob(tip, row.path) != text:
        # Status and date as they will be live, so the merged file is the draft's last version.
        # Only an object: the draft branch stays at what the reviewer read until the merge.
        who = Identity(reviewer.name, reviewer.email, now)
        final = repository.commit_file(
            tree_of=tip,
            relative=row.path,
            blob=blob,
            parents=(tip,),
            message=f"Ready to publish {row.lang}/{row.article_id}\n",
            author=who,
            committer=who,
        )
    message = (
        f"{'Archive' if archiving else 'Publish'} {row.lang}/{row.article_id}: "
        f"{one_line(data.title)}\n\n"
        f"Reviewed-by: {one_line(reviewer.name)} <{one_line(reviewer.email)}>\n"
        f"{DRAFT_TRAILER}: {row.id}\n"
    )
    with repository.commit_lock():
        if repository.resolve(ref) != tip:
            # A save landed after we read the tip: that is not what the reviewer approved.
            raise StaleBase(DRAFT_MOVED, repository.resolve(ref))
        merge = _merge(repository, row, final, blob, message, reviewer, now)
        repository.checkout_blob(row.path, blob)
    return finish_published(session, repository, row, merge, reviewer, now=now, title=data.title)


def merged_drafts(repository: ArticleRepository) -> dict[str, str]:
    """Draft id → its merge commit on the live branch (from the ``Sanad-Draft`` trailers)."""
    if repository.resolve("HEAD") is None:
        return {}
    return repository.trailer_commits("HEAD", DRAFT_TRAILER)


def finish_published(
    session: Session,
    repository: ArticleRepository,
    row: Draft,
    merge: str,
    reviewer: Editor,
    *,
    now: dt.datetime,
    title: str | None = None,
) -> PublishResult:
    """The row and the work tree follow a merge that is on the live branch: the last steps of
    an approval, also run by ``reconcile_published`` after a crash. Each step is idempotent."""
    _settle_work_file(repository, row.path, merge)
    ref = draft_ref(row.id)
    final = repository.resolve(f"{merge}^2") or repository.resolve(ref) or row.head
    # The merge holds the draft's commits; a branch that could not be removed is harmless.
    with contextlib.suppress(RefMoved, KbError):
        current = repository.resolve(ref)
        if current is not None:
            repository.move_ref(ref, None, current, reason="sanad: merged")
    row.status = "published"
    row.head = final
    if title is not None:
        row.title = title
    row.reviewer_id = reviewer.id
    row.reviewer_name = reviewer.name
    row.reviewed_at = now
    row.updated_at = now
    row.published_commit = merge
    add_event(session, row, reviewer, "approved", commit=merge, now=now)
    session.flush()
    return _result(row, merge)


def _settle_work_file(repository: ArticleRepository, path: str, merge: str) -> None:
    """Bring the article's work-tree file and index entry to the live version when they are
    still at the version before ``merge`` (an approval cut off between the ref and the
    checkout); a file someone else changed by hand is left alone."""
    if repository.is_clean(path):
        return
    live = repository.read_blob("HEAD", path)
    if live is None:
        return
    before = repository.read_blob(f"{merge}^1", path) if repository.parent_of(merge) else None
    on_disk = repository.read_work_file(path)
    work = None if on_disk is None else on_disk.encode("utf-8")
    if work in (None, before, live):
        repository.checkout_blob(path, repository.write_blob(live))


def _result(row: Draft, merge: str) -> PublishResult:
    return PublishResult(
        draft_id=row.id,
        article_id=row.article_id,
        lang=row.lang,
        path=row.path,
        commit=merge,
        source_tickets=tuple(row.source_tickets or ()),
    )


def reconcile_published(
    session: Session, repository: ArticleRepository, *, now: dt.datetime
) -> list[PublishResult]:
    """Open drafts whose merge is already live become published (an approval cut off after
    git moved); leftover branches of published drafts are removed. Run at start-up and by
    ``sanad index sync``; running it again changes nothing."""
    open_rows = list(session.scalars(select(Draft).where(Draft.status.in_(OPEN_STATUSES))))
    finished: list[PublishResult] = []
    if open_rows:
        merged = merged_drafts(repository)
        for row in open_rows:
            merge = merged.get(row.id)
            if merge is None:
                continue
            who = repository.committer_of(merge)
            reviewer = Editor(None, who[0], who[1], frozenset())
            finished.append(finish_published(session, repository, row, merge, reviewer, now=now))
    leftover = repository.refs_under(DRAFT_REF_PREFIX)
    if leftover:
        published = session.scalars(
            select(Draft.id).where(Draft.id.in_(list(leftover)), Draft.status == "published")
        )
        for draft_id in published:
            with contextlib.suppress(RefMoved, KbError):
                repository.move_ref(
                    draft_ref(draft_id), None, leftover[draft_id], reason="sanad: merged"
                )
    return finished


def _merge(
    repository: ArticleRepository,
    row: Draft,
    final: str,
    blob: str,
    message: str,
    reviewer: Editor,
    now: dt.datetime,
) -> str:
    """The merge commit on the live branch; retried when another publish moved it first."""
    live_ref = repository.live_ref()
    for _attempt in range(_APPROVE_ATTEMPTS):
        live = repository.resolve(live_ref)
        current = published_version(repository, row.path)
        if row.is_new:
            if live is not None and repository.read_blob(live, row.path) is not None:
                raise StaleBase("An article was published at this path meanwhile.", current)
        elif current != row.published_base:
            raise StaleBase(
                "The published article changed since this draft was started: start a new "
                "draft from the current version.",
                current,
            )
        if not repository.is_clean(row.path):
            raise StaleBase(
                "The article's file has uncommitted changes in the articles directory.", current
            )
        merge = repository.commit_file(
            tree_of=live,
            relative=row.path,
            blob=blob,
            parents=(live, final) if live else (final,),
            message=message,
            author=Identity(row.author_name, row.author_email, now),
            committer=Identity(reviewer.name, reviewer.email, now),
        )
        try:
            repository.move_ref(live_ref, merge, live, reason=f"sanad: publish {row.id}")
        except RefMoved:
            continue
        return merge
    raise WorkflowError("The live branch keeps moving: try again.")
