"""Approving a draft: a merge commit on the live branch that carries ``Reviewed-by``.

Approval is a merge commit (first parent: the live tip; second: the draft tip); the live
branch moves by compare-and-swap, then only the article's file is updated in the work tree
and git index. It is refused (``StaleBase``) when the live file changed since the draft was
started. Who may approve is ``draft_access.approval_refusal``.
"""

from __future__ import annotations

import contextlib
import datetime as dt

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
from portal.kb.draft_rows import add_event, draft_ref, facts, load_row, read_input
from portal.kb.git import Identity, RefMoved
from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft
from portal.kb.versions import published_version

_APPROVE_ATTEMPTS = 5


def approve_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    reviewer: Editor,
    draft_id: str,
    *,
    now: dt.datetime,
) -> PublishResult:
    """Merge the draft into the live branch with ``Reviewed-by``; the caller then syncs the
    index (portal.editorial.publishing does both). NotAllowed for one's own draft unless
    configured; StaleBase when the live file changed since the draft was started."""
    row = load_row(session, draft_id)
    about = facts(row)
    draft_access.check_see(reviewer, about, draft_id)
    refusal = draft_access.approval_refusal(reviewer, about, settings)
    if refusal is not None:
        raise NotAllowed(refusal)
    draft_access.check_state(about, *OPEN_STATUSES)
    if row.status != "review" and not draft_access.trainer_publishes(reviewer, about, settings):
        raise WorkflowError("Submit the draft for review before approving it.")
    ref = draft_ref(row.id)
    tip = repository.resolve(ref)
    if tip is None:
        raise WorkflowError("The draft's branch is missing from the repository.")
    data = read_input(repository, row, tip)
    archiving = status_at(repository, tip, row.path) == "archived"
    text = compose(data, row.article_id, row.path, "archived" if archiving else "published", now)
    blob = repository.write_blob(text)
    final = tip
    if repository.read_blob(tip, row.path) != text:
        # Status and date as they will be live, so the merged file is the draft's last version.
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
        try:
            repository.move_ref(ref, final, tip, reason=f"sanad: approve draft {row.id}")
        except RefMoved as moved:
            raise StaleBase(
                "The draft changed while you reviewed it: look again.", moved.current
            ) from None
    message = (
        f"{'Archive' if archiving else 'Publish'} {row.lang}/{row.article_id}: "
        f"{one_line(data.title)}\n\n"
        f"Reviewed-by: {one_line(reviewer.name)} <{one_line(reviewer.email)}>\n"
    )
    with repository.commit_lock():
        merge = _merge(repository, row, final, blob, message, reviewer, now)
        repository.checkout_blob(row.path, blob)
    # The merge holds the draft's commits; a branch that could not be removed is harmless.
    with contextlib.suppress(RefMoved, KbError):
        repository.move_ref(ref, None, final, reason="sanad: merged")
    row.status = "published"
    row.head = final
    row.title = data.title
    row.reviewer_id = reviewer.id
    row.reviewer_name = reviewer.name
    row.reviewed_at = now
    row.updated_at = now
    row.published_commit = merge
    add_event(session, row, reviewer, "approved", commit=merge, now=now)
    session.flush()
    return PublishResult(
        draft_id=row.id,
        article_id=row.article_id,
        lang=row.lang,
        path=row.path,
        commit=merge,
        source_tickets=tuple(row.source_tickets or ()),
    )


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
