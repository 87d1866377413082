"""The knowledge-base reports: searches, content gaps, the deflection funnel and articles.

They read the usage events (``portal.events``): one visitor's searches, views, votes and
tickets, followed in time. Queries are grouped by their normal form as search understands it
(``portal.search.analysis``: Arabic letters unified, marks removed, Latin case-folded), so
"الإنترنت" and "الانترنت" are one entry. The ticket filters that events do not carry (team,
agent, category, channel, priority) do not narrow these reports; the language does.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, select

from portal.events import Event
from portal.kb.tables import ArticleAttention, ArticleVote
from portal.reports.context import ReportContext
from portal.reports.data import Cell, Report, table
from portal.reports.figures import rate, trend
from portal.reports.filters import ReportFilter
from portal.search.analysis import normalize_token, raw_tokens
from portal.tickets.models import ArticleFlag, TicketArticle

TOP = 50
STALE_REASONS = ("review_due", "translation_stale")


@lru_cache(maxsize=65_536)
def query_group(text: str) -> str:
    """The key queries are grouped by: their normalised words in order ("" for none).
    Cached: a year of searches repeats the same few thousand spellings."""
    return " ".join(normalize_token(token) for token, _s, _e in raw_tokens(text or ""))


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    at: dt.datetime
    visitor: str | None
    query: str | None
    hits: int | None
    article_id: str | None
    data: dict[str, Any] | None


@dataclass
class _Visitor:
    """One visitor's events by kind, each list in time order (for bisecting windows)."""

    views: list[tuple[dt.datetime, str]] = field(default_factory=list)
    helpful: list[tuple[dt.datetime, str]] = field(default_factory=list)
    tickets: list[tuple[dt.datetime, str]] = field(default_factory=list)


def _load(ctx: ReportContext, f: ReportFilter, *, extend: dt.timedelta) -> list[_Event]:
    """Events within the filter's days (and ``extend`` after them: a ticket that follows a
    search on the last day still counts), oldest first."""
    first, after = f.bounds(ctx.timezone)
    clauses = [
        Event.kind.in_(("search", "view", "vote", "ticket")),
        Event.created_at >= first,
        Event.created_at < after + extend,
    ]
    if f.language is not None:
        clauses.append(Event.lang == f.language)
    c = Event.__table__.c
    # Core, not ORM: plain rows, no identity map or entity loading, for a million events.
    rows = (
        ctx.session.connection()
        .execute(
            select(c.kind, c.created_at, c.visitor, c.query, c.hits, c.article_id, c.data)
            .where(and_(*clauses))
            .order_by(c.created_at, c.id)
        )
        .all()
    )
    return [_Event(*row) for row in rows]


def _loaded(ctx: ReportContext, f: ReportFilter) -> tuple[list[_Event], dict[str, _Visitor]]:
    key = ("events", f.start, f.end, f.language, f.hours)
    found = ctx.shared.get(key)
    if found is None:
        events = _load(ctx, f, extend=dt.timedelta(hours=f.hours))
        found = ctx.shared[key] = (events, _visitors(events))
    return found


def _visitors(events: Iterable[_Event]) -> dict[str, _Visitor]:
    out: dict[str, _Visitor] = {}
    for e in events:
        if e.visitor is None:
            continue
        who = out.setdefault(e.visitor, _Visitor())
        if e.kind == "view" and e.article_id:
            who.views.append((e.at, e.article_id))
        elif e.kind == "vote" and e.article_id and (e.data or {}).get("helpful") is True:
            who.helpful.append((e.at, e.article_id))
        elif e.kind == "ticket":
            who.tickets.append((e.at, str((e.data or {}).get("reference") or "")))
    return out


def _any_within(
    items: Sequence[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime
) -> bool:
    """Whether ``items`` has an entry stamped in (start, end]."""
    low = bisect.bisect_right(items, (start, "\U0010ffff"))
    return low < len(items) and items[low][0] <= end


def _within(
    items: Sequence[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime
) -> list[str]:
    """The values of ``items`` stamped in (start, end]."""
    low = bisect.bisect_right(items, (start, "\U0010ffff"))
    high = bisect.bisect_right(items, (end, "\U0010ffff"))
    return [value for _at, value in items[low:high]]


@dataclass
class _Group:
    searches: int = 0
    no_results: int = 0
    followed: int = 0
    first_half: int = 0
    second_half: int = 0
    viewed: int = 0
    helpful: int = 0
    deflected: int = 0
    spellings: Counter[str] = field(default_factory=Counter)
    tickets: set[str] = field(default_factory=set)

    @property
    def sample(self) -> str:
        return min(self.spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]


@dataclass
class _Funnel:
    groups: dict[str, _Group]
    searched: int = 0
    viewed: int = 0
    helpful: int = 0
    deflected: int = 0
    ticketed: int = 0


def _funnel(
    ctx: ReportContext,
    f: ReportFilter,
    loaded: tuple[list[_Event], dict[str, _Visitor]] | None = None,
) -> _Funnel:
    """Per query group and overall, computed once per context and filter (read-only after)."""
    key = ("funnel", f.start, f.end, f.language, f.hours)
    found = ctx.shared.get(key)
    if found is None:
        found = ctx.shared[key] = _compute_funnel(ctx, f, loaded)
    assert isinstance(found, _Funnel)
    return found


def _compute_funnel(
    ctx: ReportContext,
    f: ReportFilter,
    loaded: tuple[list[_Event], dict[str, _Visitor]] | None,
) -> _Funnel:
    window = dt.timedelta(hours=f.hours)
    first, after = f.bounds(ctx.timezone)
    middle = first + (after - first) / 2
    events, visitors = loaded or _loaded(ctx, f)
    funnel = _Funnel(groups={})
    for e in events:
        if e.kind != "search" or not e.query or e.at >= after:
            continue
        key = query_group(e.query)
        if not key:
            continue
        group = funnel.groups.setdefault(key, _Group())
        group.searches += 1
        group.spellings[e.query.strip()] += 1
        if e.at < middle:
            group.first_half += 1
        else:
            group.second_half += 1
        if e.hits == 0:
            group.no_results += 1
        funnel.searched += 1
        who = visitors.get(e.visitor) if e.visitor else None
        if who is None:
            continue
        until = e.at + window
        tickets = _within(who.tickets, e.at, until) if who.tickets else []
        viewed = _any_within(who.views, e.at, until)
        helpful = _any_within(who.helpful, e.at, until)
        if tickets:
            group.followed += 1
            group.tickets.update(t for t in tickets if t)
            funnel.ticketed += 1
        if viewed:
            group.viewed += 1
            funnel.viewed += 1
        if helpful:
            group.helpful += 1
            funnel.helpful += 1
        if viewed and not tickets:
            group.deflected += 1
            funnel.deflected += 1
    return funnel


def _ranked(groups: dict[str, _Group], score: Any) -> list[tuple[str, _Group]]:
    return sorted(groups.items(), key=lambda kv: (-score(kv[1]), kv[0]))


def searches(ctx: ReportContext, f: ReportFilter) -> Report:
    """Top searches, searches without results and searches followed by a ticket."""
    funnel = _funnel(ctx, f)
    groups = funnel.groups
    top = _ranked(groups, lambda g: g.searches)[:TOP]
    empty = [kv for kv in _ranked(groups, lambda g: g.no_results) if kv[1].no_results][:TOP]
    followed = [kv for kv in _ranked(groups, lambda g: g.followed) if kv[1].followed][:TOP]
    return Report(
        name="searches",
        filter=f,
        tables=(
            table(
                "top",
                ("query", "group", "searches", "no_results", "followed_by_ticket"),
                [[g.sample, k, g.searches, g.no_results, g.followed] for k, g in top],
            ),
            table(
                "no_results",
                ("query", "group", "searches", "no_results"),
                [[g.sample, k, g.searches, g.no_results] for k, g in empty],
            ),
            table(
                "followed_by_ticket",
                ("query", "group", "searches", "followed_by_ticket", "tickets"),
                [
                    [g.sample, k, g.searches, g.followed, ", ".join(sorted(g.tickets))]
                    for k, g in followed
                ],
            ),
        ),
        totals={
            "searches": funnel.searched,
            "groups": len(groups),
            "no_results": sum(g.no_results for g in groups.values()),
            "followed_by_ticket": funnel.ticketed,
        },
        definitions={
            "group": "Queries with the same words after normalisation (Arabic letter forms "
            "unified, marks and tatweel removed, Latin case-folded); shown by their most "
            "frequent spelling.",
            "no_results": "Searches that found no article.",
            "followed_by_ticket": f"Searches after which the same visitor opened a ticket "
            f"within {f.hours} hours.",
        },
    )


def content_gaps(ctx: ReportContext, f: ReportFilter) -> Report:
    """The queue of missing content: query groups without results or followed by tickets,
    with volume, trend and the tickets that followed."""
    funnel = _funnel(ctx, f)
    gaps = [
        (k, g)
        for k, g in _ranked(funnel.groups, lambda g: g.no_results + g.followed)
        if g.no_results or g.followed
    ]
    return Report(
        name="content-gaps",
        filter=f,
        tables=(
            table(
                "gaps",
                (
                    "query",
                    "group",
                    "searches",
                    "no_results",
                    "followed_by_ticket",
                    "first_half",
                    "second_half",
                    "trend",
                    "tickets",
                ),
                [
                    [
                        g.sample,
                        k,
                        g.searches,
                        g.no_results,
                        g.followed,
                        g.first_half,
                        g.second_half,
                        trend(g.first_half, g.second_half),
                        ", ".join(sorted(g.tickets)),
                    ]
                    for k, g in gaps
                ],
            ),
        ),
        totals={"gaps": len(gaps)},
        definitions={
            "gaps": "Query groups with searches that found nothing or were followed by a "
            f"ticket within {f.hours} hours, most such searches first.",
            "trend": "The second half of the dates against the first: up, down or flat.",
        },
    )


def deflection(ctx: ReportContext, f: ReportFilter) -> Report:
    """The funnel searched → viewed → helpful → no ticket, per query and overall; and the
    funnel per article from its views."""
    events, visitors = _loaded(ctx, f)
    funnel = _funnel(ctx, f, (events, visitors))
    window = dt.timedelta(hours=f.hours)
    _first, after = f.bounds(ctx.timezone)
    per_article: dict[str, list[int]] = {}
    for e in events:
        if e.kind != "view" or not e.article_id or e.at >= after:
            continue
        counts = per_article.setdefault(e.article_id, [0, 0, 0, 0])
        counts[0] += 1
        who = visitors.get(e.visitor) if e.visitor else None
        if who is None:
            continue
        helpful = e.article_id in _within(
            who.helpful, e.at - dt.timedelta(microseconds=1), e.at + window
        )
        ticket = _any_within(who.tickets, e.at, e.at + window)
        counts[1] += int(helpful)
        counts[2] += int(ticket)
        counts[3] += int(not ticket)
    stages: list[list[Cell]] = [
        ["searched", funnel.searched, rate(funnel.searched, funnel.searched)],
        ["viewed", funnel.viewed, rate(funnel.viewed, funnel.searched)],
        ["helpful", funnel.helpful, rate(funnel.helpful, funnel.searched)],
        ["deflected", funnel.deflected, rate(funnel.deflected, funnel.searched)],
        ["ticket", funnel.ticketed, rate(funnel.ticketed, funnel.searched)],
    ]
    queries = _ranked(funnel.groups, lambda g: g.searches)[:TOP]
    articles = sorted(per_article.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP]
    return Report(
        name="deflection",
        filter=f,
        tables=(
            table("funnel", ("stage", "searches", "percent"), stages),
            table(
                "by_query",
                ("query", "group", "searched", "viewed", "helpful", "deflected", "ticket"),
                [
                    [g.sample, k, g.searches, g.viewed, g.helpful, g.deflected, g.followed]
                    for k, g in queries
                ],
            ),
            table(
                "by_article",
                ("article", "views", "helpful", "ticket", "deflected"),
                [[a, *counts] for a, counts in articles],
            ),
        ),
        totals={
            "searches": funnel.searched,
            "deflected": funnel.deflected,
            "self_service_percent": rate(funnel.deflected, funnel.searched),
        },
        definitions={
            "viewed": f"The same visitor read an article within {f.hours} hours after the search.",
            "helpful": f"The same visitor voted an article helpful within {f.hours} hours.",
            "deflected": f"Read an article and opened no ticket within {f.hours} hours.",
            "ticket": f"Opened a ticket within {f.hours} hours after the search.",
            "self_service_percent": "Self-service rate: deflected searches of all searches "
            f"(a search is deflected when its visitor read an article and opened no ticket "
            f"within {f.hours} hours).",
            "by_article": f"Per article view: voted helpful, and whether a ticket followed "
            f"within {f.hours} hours (deflected: none did).",
        },
    )


def articles(ctx: ReportContext, f: ReportFilter) -> Report:
    """Most viewed, most and least helpful, most tickets resolved, stale and flagged."""
    first, after = f.bounds(ctx.timezone)
    s = ctx.session
    views = func.count(Event.id)
    view_clauses = [
        Event.kind == "view",
        Event.created_at >= first,
        Event.created_at < after,
        Event.article_id.is_not(None),
    ]
    vote_clauses = [ArticleVote.updated_at >= first, ArticleVote.updated_at < after]
    if f.language is not None:
        view_clauses.append(Event.lang == f.language)
        vote_clauses.append(ArticleVote.lang == f.language)
    viewed = s.execute(
        select(Event.article_id, views)
        .where(*view_clauses)
        .group_by(Event.article_id)
        .order_by(views.desc(), Event.article_id)
        .limit(TOP)
    ).all()
    votes = s.execute(
        select(
            ArticleVote.article_id,
            func.count(ArticleVote.id),
            func.count(ArticleVote.id).filter(ArticleVote.helpful.is_(True)),
        )
        .where(*vote_clauses)
        .group_by(ArticleVote.article_id)
    ).all()
    voted = [(str(a), int(n), int(h)) for a, n, h in votes]
    most = sorted(voted, key=lambda v: (-v[2], -v[1], v[0]))[:TOP]
    least = sorted((v for v in voted if v[1] > v[2]), key=lambda v: (-(v[1] - v[2]), -v[1], v[0]))[
        :TOP
    ]
    resolved_n = func.count(func.distinct(TicketArticle.ticket_id))
    resolved = s.execute(
        select(TicketArticle.article_id, resolved_n)
        .where(TicketArticle.linked_at >= first, TicketArticle.linked_at < after)
        .group_by(TicketArticle.article_id)
        .order_by(resolved_n.desc(), TicketArticle.article_id)
        .limit(TOP)
    ).all()
    attention = s.execute(
        select(ArticleAttention.article_id, ArticleAttention.lang, ArticleAttention.reason)
        .where(ArticleAttention.resolved_at.is_(None))
        .order_by(ArticleAttention.article_id, ArticleAttention.reason)
    ).all()
    flags = s.execute(
        select(ArticleFlag.article_id, func.count(ArticleFlag.id))
        .where(ArticleFlag.handled_at.is_(None))
        .group_by(ArticleFlag.article_id)
        .order_by(func.count(ArticleFlag.id).desc(), ArticleFlag.article_id)
    ).all()
    stale = [[a, lang, r] for a, lang, r in attention if r in STALE_REASONS]
    flagged: dict[str, list[str]] = {}
    for a, _lang, r in attention:
        if r not in STALE_REASONS:
            flagged.setdefault(str(a), []).append(r)
    agent_flags = {str(a): int(n) for a, n in flags}
    flagged_rows: list[list[Cell]] = [
        [a, agent_flags.get(a, 0), ", ".join(sorted(set(flagged.get(a, []))))]
        for a in sorted(set(flagged) | set(agent_flags), key=lambda a: (-agent_flags.get(a, 0), a))
    ]
    return Report(
        name="articles",
        filter=f,
        tables=(
            table("most_viewed", ("article", "views"), [[a, int(n)] for a, n in viewed]),
            table(
                "most_helpful",
                ("article", "votes", "helpful", "helpful_percent"),
                [[a, n, h, rate(h, n)] for a, n, h in most],
            ),
            table(
                "least_helpful",
                ("article", "votes", "unhelpful", "helpful_percent"),
                [[a, n, n - h, rate(h, n)] for a, n, h in least],
            ),
            table(
                "resolved_most",
                ("article", "tickets"),
                [[a, int(n)] for a, n in resolved],
            ),
            table("stale", ("article", "lang", "reason"), stale),
            table("flagged", ("article", "open_agent_flags", "attention"), flagged_rows),
        ),
        totals={
            "views": sum(int(n) for _a, n in viewed),
            "votes": sum(v[1] for v in voted),
            "stale": len(stale),
            "flagged": len(flagged_rows),
        },
        definitions={
            "most_viewed": "Article views within the dates, both languages counted together.",
            "helpful": "Each visitor's current vote, counted when last cast within the dates.",
            "resolved_most": "Tickets whose resolution linked the article within the dates.",
            "stale": "Open attention: review date passed, or a translation behind its source.",
            "flagged": "Agents' open flags and other open attention (unhelpful, reopened...).",
        },
    )
