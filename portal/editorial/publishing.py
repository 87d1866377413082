"""Publishing a draft: merge it (kb.workflow), index it at once, check the golden queries,
and mark the tickets it was promoted from as resolved by it.

Golden-query warnings compare before and after: a query is reported when its pinned article
was in the top 3 before the publish and is not any more. Queries that already failed before
are ``sanad search golden``'s business, not this reviewer's.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.kb import workflow
from portal.kb.repository import ArticleRepository
from portal.search.models import GoldenResult, IndexReport
from portal.search.services import SearchService
from portal.tickets.models import TicketArticle, TicketPromotion

log = logging.getLogger("portal.editorial")


@dataclass(frozen=True)
class PublishOutcome:
    """What a publish did and what the reviewer should look at."""

    result: workflow.PublishResult
    index: IndexReport
    golden: tuple[GoldenResult, ...]  # every golden query after the publish
    lost_golden: tuple[GoldenResult, ...]  # pinned articles that dropped out of the top 3
    tickets_resolved: tuple[int, ...]  # ticket ids now "resolved by" this article

    @property
    def warnings(self) -> tuple[GoldenResult, ...]:
        return self.lost_golden


def publish_draft(
    session: Session,
    repository: ArticleRepository,
    search: SearchService,
    settings: Settings,
    reviewer: workflow.Editor,
    draft_id: str,
    *,
    now: dt.datetime,
    base: str | None = None,
) -> PublishOutcome:
    """Approve and merge a draft, update the index at once and report lost golden queries.

    ``base`` is the version the reviewer read (StaleBase when the draft moved since). The
    index follows git, so a crash after the merge is repaired by ``reconcile``."""
    before = {_golden_key(g): g.passed for g in _golden(search)}
    result = workflow.approve_draft(
        session, repository, settings, reviewer, draft_id, now=now, base=base
    )
    report = search.sync()
    after = _golden(search)
    lost = tuple(g for g in after if not g.passed and before.get(_golden_key(g), False))
    for item in lost:
        log.warning(
            "golden query %r lost %s after publishing %s", item.query, item.expected, draft_id
        )
    tickets = _resolve_promoted(session, reviewer, result, now)
    return PublishOutcome(result, report, after, lost, tickets)


@dataclass(frozen=True)
class ReconcileReport:
    """What a reconciliation brought back into agreement."""

    published: tuple[workflow.PublishResult, ...]  # approvals finished after a crash
    index: IndexReport


def reconcile(
    session: Session, repository: ArticleRepository, search: SearchService, *, now: dt.datetime
) -> ReconcileReport:
    """Bring database, git and index into agreement after a crash: drafts whose merge is live
    become published (and their tickets resolved by the article), then the index catches up
    with git. Idempotent; run at start-up and by ``sanad index sync``."""
    finished = workflow.reconcile_published(session, repository, now=now)
    for result in finished:
        log.warning("finished the interrupted approval of draft %s", result.draft_id)
        reviewer = workflow.Editor(None, "Sanad", "", frozenset())
        _resolve_promoted(session, reviewer, result, now)
    return ReconcileReport(tuple(finished), search.sync())


def _golden(search: SearchService) -> tuple[GoldenResult, ...]:
    try:
        return search.check_golden()
    except Exception:  # a broken golden file must never block publishing
        log.exception("golden queries failed")
        return ()


def _golden_key(result: GoldenResult) -> tuple[str, str | None, str]:
    return (result.query, result.lang, result.expected)


def _resolve_promoted(
    session: Session, reviewer: workflow.Editor, result: workflow.PublishResult, now: dt.datetime
) -> tuple[int, ...]:
    """Promotion rows of this draft become published; their tickets link the article."""
    rows = session.scalars(
        select(TicketPromotion).where(TicketPromotion.draft_id == result.draft_id)
    ).all()
    resolved: list[int] = []
    for row in rows:
        row.published_at = row.published_at or now
        row.article_id = result.article_id
        linked = session.scalar(
            select(TicketArticle.id).where(
                TicketArticle.ticket_id == row.ticket_id,
                TicketArticle.article_id == result.article_id,
            )
        )
        if linked is None:
            session.add(
                TicketArticle(
                    ticket_id=row.ticket_id,
                    article_id=result.article_id,
                    linked_by_id=reviewer.id,
                    linked_at=now,
                )
            )
        resolved.append(row.ticket_id)
    session.flush()
    return tuple(resolved)
