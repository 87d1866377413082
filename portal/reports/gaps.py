"""The content-gap queue's "start a draft": a knowledge manager turns one gap (a query group
that found nothing, or after which people opened tickets) into a new draft, pre-filled with
the query and the tickets that followed it, through the draft workflow (``portal.kb``), so it
goes to review like any other draft.

The gap is looked up again here, with the same filter the page showed: what the draft says is
what the report counts, never what a form claims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import Settings
from portal.kb.draft_model import DraftInput, DraftView, Editor
from portal.kb.repository import ArticleRepository
from portal.kb.workflow import create_draft
from portal.reports import knowledge
from portal.reports.access import may_start_gap_drafts
from portal.reports.context import ReportContext
from portal.reports.errors import ReportForbidden, ReportNotFound, ReportUnauthorized
from portal.reports.filters import ReportFilter
from portal.tickets.models import Ticket

MAX_TICKETS = 50
TITLE_MAX = 120

_TEXT = {
    "en": {
        "searched": "## What people searched for",
        "line": '- "{query}": {searches} search(es), {empty} without results, '
        "{followed} followed by a ticket ({start} to {end})",
        "tickets": "## Tickets that followed these searches",
        "none": "- (none)",
        "todo": "## Answer\n\nWrite the answer these people were looking for here.",
    },
    "ar": {
        "searched": "## ما بحث عنه الناس",
        "line": "- «{query}»: عمليات البحث {searches}، بلا نتائج {empty}، "
        "تبعتها تذكرة {followed} (من {start} إلى {end})",
        "tickets": "## التذاكر التي تلت عمليات البحث هذه",
        "none": "- (لا يوجد)",
        "todo": "## الإجابة\n\nاكتب هنا الإجابة التي كان هؤلاء يبحثون عنها.",
    },
}


@dataclass(frozen=True)
class GapDraft:
    draft: DraftView
    tickets: tuple[str, ...]


def draft_language(query: str) -> str:
    """Arabic when the query has an Arabic letter, else English."""
    return "ar" if any("\u0600" <= ch <= "\u06ff" for ch in query) else "en"


def gap_markdown(
    lang: str, row: Mapping[str, object], tickets: list[tuple[str, str]], f: ReportFilter
) -> str:
    text = _TEXT[lang]
    line = text["line"].format(
        query=" ".join(str(row["query"]).split()),
        searches=row["searches"],
        empty=row["no_results"],
        followed=row["followed_by_ticket"],
        start=f.start.isoformat(),
        end=f.end.isoformat(),
    )
    listed = [f"- {ref}: {' '.join(subject.split())}" for ref, subject in tickets]
    parts = [text["searched"], line, text["tickets"], "\n".join(listed) or text["none"]]
    return "\n\n".join([*parts, text["todo"]]) + "\n"


def start_gap_draft(
    session: Session,
    repository: ArticleRepository,
    settings: Settings,
    viewer: UserInfo | None,
    group: str,
    wanted: ReportFilter,
    *,
    timezone: str,
    now: dt.datetime,
) -> GapDraft:
    """A new draft for the gap ``group`` of the content-gap report over ``wanted``.

    Raises ``ReportUnauthorized`` / ``ReportForbidden`` (knowledge managers and admins only),
    ``ReportNotFound`` (no such gap in that report), and the workflow's errors."""
    if viewer is None:
        raise ReportUnauthorized("sign in to start a draft")
    if not may_start_gap_drafts(viewer):
        raise ReportForbidden("knowledge managers start drafts from content gaps")
    ctx = ReportContext.load(session, timezone=timezone, now=now)
    found = knowledge.content_gaps(ctx, wanted).table("gaps")
    row = next((r for r in found.records() if r["group"] == group and group), None)
    if row is None:
        raise ReportNotFound(f"no content gap {group!r} in these dates")
    references = [r for r in str(row["tickets"] or "").split(", ") if r][:MAX_TICKETS]
    subjects = dict(
        session.execute(
            select(Ticket.reference, Ticket.subject).where(Ticket.reference.in_(references))
        ).all()
    )
    tickets = [(ref, str(subjects.get(ref, ""))) for ref in references]
    query = " ".join(str(row["query"]).split())
    lang = draft_language(query)
    data = DraftInput(
        title=query[:TITLE_MAX],
        markdown=gap_markdown(lang, row, tickets, wanted),
        lang=lang,
        tags=(query[:TITLE_MAX],),
    )
    editor = Editor(id=viewer.id, name=viewer.name, email=viewer.email, roles=viewer.roles)
    draft = create_draft(
        session,
        repository,
        settings,
        editor,
        data,
        source_tickets=tuple(references),
        now=now,
    )
    return GapDraft(draft=draft, tickets=tuple(references))
