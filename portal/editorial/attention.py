"""Content health across packages: scan every signal into attention rows, mail the owners,
resolve rows (closing the agents' flags they came from).

Signals: unhelpful votes (``feedback_unhelpful_share`` with ``feedback_min_votes``), reopened
tickets the article resolved (``attention_reopens``), agents' "should have answered it" flags,
a passed ``review_by`` date, and a stale translation. Ticket flags and reopens raise their row
in the ticket's own transaction (portal.tickets); ``scan_attention`` finds the rest and is run
by ``sanad attention scan`` (cron). Mail goes out after the commit, from ``notify_owners``:
the web layer calls it right after a request that may have raised a row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.mail_preferences import wants_mail
from portal.accounts.models import User, UserInfo, UserRole
from portal.config import Settings
from portal.db import transaction
from portal.kb import feedback, health
from portal.kb.models import Article, KbError
from portal.kb.repository import ArticleRepository
from portal.kb.translations import stale_translations
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose
from portal.notify.outbox import enqueue
from portal.tickets.knowledge_feedback import article_reopens
from portal.tickets.models import ArticleFlag, Ticket

log = logging.getLogger(__name__)

MANAGER_ROLES = frozenset({"knowledge_manager", "admin"})
OWNERS_FILE = "_owners.yml"


class AttentionForbidden(KbError):
    """Only knowledge managers and admins handle the attention list."""


@dataclass(frozen=True)
class ScanReport:
    raised: dict[str, int] = field(default_factory=dict)  # reason → new rows
    bumped: int = 0
    resolved: int = 0

    @property
    def new_rows(self) -> int:
        return sum(self.raised.values())


@dataclass(frozen=True)
class AttentionItem:
    """An open row as the "needs attention" page shows it."""

    row: health.AttentionView
    title: str  # of the article, or its id when the file is gone
    lang: str | None  # a language version to link to (None: no such article now)
    owner: str | None


def _managers_only(viewer: UserInfo | None) -> UserInfo:
    if viewer is None or not (viewer.roles & MANAGER_ROLES):
        raise AttentionForbidden("only knowledge managers and admins")
    return viewer


def _versions(articles: tuple[Article, ...]) -> dict[str, dict[str, Article]]:
    found: dict[str, dict[str, Article]] = {}
    for article in articles:
        found.setdefault(article.id, {})[article.lang] = article
    return found


def _pick(versions: Mapping[str, Article], lang: str | None) -> Article | None:
    if lang is not None and lang in versions:
        return versions[lang]
    return versions.get("ar") or versions.get("en")


# --- scan ----------------------------------------------------------------------------------


def scan_attention(
    session: Session, repository: ArticleRepository, settings: Settings, *, now: dt.datetime
) -> ScanReport:
    """Turn every signal into attention rows (idempotent: a repeat run only refreshes them)."""
    raised: dict[str, int] = {}
    bumped = 0

    def note(result: tuple[health.AttentionView, bool] | None) -> None:
        nonlocal bumped
        if result is None:
            return
        view, new = result
        if new:
            raised[view.reason] = raised.get(view.reason, 0) + 1
        else:
            bumped += 1

    articles = repository.load_all().articles
    versions = _versions(articles)
    for summary in feedback.vote_summaries(session):
        if summary.article_id not in versions:
            continue
        if (
            summary.total >= settings.knowledge.feedback_min_votes
            and summary.unhelpful_share >= settings.knowledge.feedback_unhelpful_share
        ):
            note(
                health.raise_attention(
                    session,
                    article_id=summary.article_id,
                    lang=summary.lang,
                    reason="unhelpful",
                    detail=f"{summary.no}/{summary.total}",  # "no" votes of all votes
                    count=summary.no,
                    evidence_at=feedback.last_unhelpful_at(
                        session, summary.article_id, summary.lang
                    ),
                    now=now,
                )
            )
    for article_id in versions:
        since = health.last_resolved(session, article_id, None, "reopened")
        reopens = article_reopens(session, article_id, since=since)
        if reopens >= settings.knowledge.attention_reopens:
            note(
                health.raise_attention(
                    session,
                    article_id=article_id,
                    lang=None,
                    reason="reopened",
                    detail=f"×{reopens}",
                    count=reopens,
                    now=now,
                )
            )
    flags = session.execute(
        select(ArticleFlag.article_id, func.count(), func.max(ArticleFlag.created_at))
        .where(ArticleFlag.handled_at.is_(None))
        .group_by(ArticleFlag.article_id)
    ).all()
    for article_id, count, newest in flags:
        latest = session.execute(
            select(Ticket.reference, ArticleFlag.reason)
            .join(Ticket, Ticket.id == ArticleFlag.ticket_id)
            .where(ArticleFlag.article_id == article_id, ArticleFlag.handled_at.is_(None))
            .order_by(ArticleFlag.created_at.desc(), ArticleFlag.id.desc())
        ).first()
        note(
            health.raise_attention(
                session,
                article_id=article_id,
                lang=None,
                reason="agent_flag",
                detail=f"{latest[0]}: {latest[1]}" if latest else "",
                count=int(count),
                evidence_at=newest,
                now=now,
            )
        )
    due = health.review_due(articles, now.date())
    for article in due:
        note(
            health.raise_attention(
                session,
                article_id=article.id,
                lang=article.lang,
                reason="review_due",
                detail=article.review_by.isoformat() if article.review_by else "",
                evidence_at=_midnight(article.review_by),
                count=1,
                now=now,
            )
        )
    resolved = health.resolve_open(
        session, reason="review_due", keep={(a.id, a.lang) for a in due}, now=now
    )
    stale = stale_translations(repository)
    for item in stale:
        note(
            health.raise_attention(
                session,
                article_id=item.article_id,
                lang=item.lang,
                reason="translation_stale",
                detail=f"{item.source_lang}/{item.source_id} {item.changed_at.date().isoformat()}",
                evidence_at=item.changed_at,
                count=1,
                now=now,
            )
        )
    resolved += health.resolve_open(
        session,
        reason="translation_stale",
        keep={(s.article_id, s.lang) for s in stale},
        now=now,
    )
    return ScanReport(raised=raised, bumped=bumped, resolved=resolved)


def _midnight(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(days=1)


# --- the page and its actions --------------------------------------------------------------


def needs_attention(
    session: Session, repository: ArticleRepository, viewer: UserInfo | None
) -> list[AttentionItem]:
    """Open rows with the article's title and owner, newest first."""
    _managers_only(viewer)
    versions = _versions(repository.load_all().articles)
    items: list[AttentionItem] = []
    for row in health.list_open(session):
        article = _pick(versions.get(row.article_id, {}), row.lang)
        items.append(
            AttentionItem(
                row=row,
                title=article.title if article else row.article_id,
                lang=article.lang if article else None,
                owner=article.owner if article else None,
            )
        )
    return items


def attention_page(
    session: Session,
    repository: ArticleRepository,
    viewer: UserInfo | None,
    *,
    page: int,
    per_page: int,
) -> tuple[list[AttentionItem], int, int]:
    """One page of ``needs_attention`` (a page past the end is the last), its number, the total."""
    items = needs_attention(session, repository, viewer)
    last = max(1, -(-len(items) // per_page))
    page = min(max(1, page), last)
    return items[(page - 1) * per_page : page * per_page], page, len(items)


def resolve(
    session: Session, viewer: UserInfo | None, attention_id: int, *, now: dt.datetime
) -> health.AttentionView:
    """A knowledge manager handled it; an agent flag's tickets' flags are closed with it."""
    manager = _managers_only(viewer)
    row = health.resolve_attention(session, attention_id, resolver_id=manager.id, now=now)
    if row.reason == "agent_flag":
        session.execute(
            update(ArticleFlag)
            .where(ArticleFlag.article_id == row.article_id, ArticleFlag.handled_at.is_(None))
            .values(handled_at=now)
        )
    return row


# --- owners' mail --------------------------------------------------------------------------


def owner_recipients(
    session: Session, repository: ArticleRepository, owner: str | None, lang: str
) -> list[tuple[str, str]]:
    """(address, language) pairs: the address in ``owner``, else ``_owners.yml``'s addresses
    for that name, else every active knowledge manager."""
    if owner and "@" in owner:
        return [(a.strip(), lang) for a in owner.split(",") if "@" in a]
    if owner:
        try:
            table = repository.read_data(OWNERS_FILE)
        except KbError as error:
            log.error("ignoring %s: %s", OWNERS_FILE, error)
            table = None
        listed = table.get(owner) if isinstance(table, dict) else None
        if isinstance(listed, str):
            listed = [listed]
        if isinstance(listed, list):
            found = [(str(a).strip(), lang) for a in listed if "@" in str(a)]
            if found:
                return found
    managers = session.execute(
        select(User.email, User.lang)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "knowledge_manager", User.active.is_(True))
        .order_by(User.id)
    ).all()
    return [(email, user_lang) for email, user_lang in managers]


def attention_mail(
    row: health.AttentionView, title: str, to: str, lang: str, link: str
) -> OutgoingMail:
    """The ``attention`` mail (``portal.notify.messages``) about ``row`` to one owner."""
    return compose(
        "attention",
        lang,
        to,
        article_title=title,
        key=f"{row.lang}/{row.article_id}" if row.lang else row.article_id,
        reason=row.reason,
        detail=row.detail,
        link=link,
    )


def notify_owners(
    sessions: sessionmaker[Session],
    repository: ArticleRepository,
    *,
    link: str,
    now: Callable[[], dt.datetime],
) -> int:
    """Queue one mail to the owners of each row not yet notified; returns how many rows were
    mailed.

    The mails are written to the outbox (portal.notify.outbox) in the same transaction that
    sets ``notified_at``: the row is marked if and only if its mails are queued, and the
    outbox delivers them (retrying while the mail server is down), so none is lost or doubled.
    """
    with transaction(sessions) as session:
        pending = health.unnotified(session)
    if not pending:
        return 0
    versions = _versions(repository.load_all().articles)
    done = 0
    for row in pending:
        article = _pick(versions.get(row.article_id, {}), row.lang)
        title = article.title if article else row.article_id
        lang = article.lang if article else (row.lang or "ar")
        with transaction(sessions) as session:
            moment = now()
            if not health.mark_notified(session, row.id, now=moment):
                continue  # another process took this row
            recipients = owner_recipients(
                session, repository, article.owner if article else None, lang
            )
            for address, mail_lang in recipients:
                if wants_mail(session, address, "attention"):
                    mail = attention_mail(row, title, address, mail_lang, link)
                    enqueue(session, mail, now=moment)
            done += 1
    return done
