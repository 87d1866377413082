"""The ticket reports: volume, service levels, resolution, satisfaction and agents.

Each is ``report(ctx, filter) -> Report``: the queries come from ``loading``, the arithmetic
from ``figures``; the definition of every figure travels with it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from portal.reports import loading
from portal.reports.context import ReportContext
from portal.reports.data import Cell, Report, table
from portal.reports.figures import AGE_BUCKETS, age_bucket, mean, median, percentile, rate
from portal.reports.filters import ReportFilter
from portal.reports.loading import TicketFact
from portal.tickets.states import CHANNELS, PRIORITIES

NOT_GIVEN = "(none)"
MAX_COMMENTS = 200


def _granularity(f: ReportFilter) -> str:
    if f.days <= 62:
        return "day"
    if f.days <= 366:
        return "week"
    return "month"


def _period(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _periods(f: ReportFilter, granularity: str) -> list[dt.date]:
    out: list[dt.date] = []
    day = f.start
    while day <= f.end:
        start = _period(day, granularity)
        if not out or out[-1] != start:
            out.append(start)
        day += dt.timedelta(days=1)
    return out


def _counted(values: Iterable[str | None], order: Iterable[str] = ()) -> list[list[Cell]]:
    counts = Counter(v if v is not None else NOT_GIVEN for v in values)
    known = [k for k in order if k in counts]
    rest = sorted((k for k in counts if k not in known), key=lambda k: (-counts[k], k))
    return [[key, counts[key]] for key in [*known, *rest]]


def volume(ctx: ReportContext, f: ReportFilter) -> Report:
    """Tickets opened per period and per category, channel, priority and team; the backlog
    (open now) and its ageing."""
    tickets = loading.load_tickets(ctx.session, f, timezone=ctx.timezone)
    granularity = _granularity(f)
    per = Counter(_period(ctx.local_date(t.created_at), granularity) for t in tickets)
    backlog = loading.load_tickets(ctx.session, f, timezone=ctx.timezone, dated=False, active=True)
    ages = Counter(age_bucket((ctx.now - t.created_at) / dt.timedelta(days=1)) for t in backlog)
    return Report(
        name="volume",
        filter=f,
        tables=(
            table(
                "over_time",
                ("period", "tickets"),
                [[p.isoformat(), per.get(p, 0)] for p in _periods(f, granularity)],
            ),
            table("by_category", ("category", "tickets"), _counted(t.category for t in tickets)),
            table(
                "by_channel",
                ("channel", "tickets"),
                _counted((t.channel for t in tickets), CHANNELS),
            ),
            table(
                "by_priority",
                ("priority", "tickets"),
                _counted((t.priority for t in tickets), PRIORITIES),
            ),
            table("by_team", ("team", "tickets"), _counted(t.team for t in tickets)),
            table("ageing", ("age", "tickets"), [[n, ages.get(n, 0)] for n, _, _ in AGE_BUCKETS]),
        ),
        totals={"tickets": len(tickets), "backlog": len(backlog), "granularity": granularity},
        definitions={
            "tickets": "Tickets opened within the dates (site time zone), matching the filters.",
            "over_time": f"Tickets opened per {granularity} (weeks start on Monday).",
            "backlog": "Tickets open now (new, open, pending, on hold), whenever they were "
            "opened, matching the filters other than the dates.",
            "ageing": "The backlog by calendar time since each ticket was opened.",
        },
    )


# --- service levels -----------------------------------------------------------------------


def _durations(
    ctx: ReportContext, tickets: Iterable[TicketFact]
) -> tuple[dict[int, float], dict[int, float]]:
    first: dict[int, float] = {}
    resolution: dict[int, float] = {}
    for t in tickets:
        if t.first_response_at is not None:
            first[t.id] = ctx.working_minutes(t.created_at, t.first_response_at)
        if t.solved and t.resolved_at is not None:
            resolution[t.id] = ctx.working_minutes(t.created_at, t.resolved_at, t.paused_us)
    return first, resolution


def _outcome(due: dt.datetime | None, done: dt.datetime | None, now: dt.datetime) -> str | None:
    if due is None:
        return None
    if done is not None:
        return "met" if done <= due else "breached"
    return "breached" if now > due else "pending"


def _compliance_rows(
    tickets: list[TicketFact],
    target: str,
    due: Callable[[TicketFact], dt.datetime | None],
    done: Callable[[TicketFact], dt.datetime | None],
    now: dt.datetime,
) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for priority in PRIORITIES:
        outcomes = Counter(
            _outcome(due(t), done(t), now) for t in tickets if t.priority == priority
        )
        met, breached, pending = outcomes["met"], outcomes["breached"], outcomes["pending"]
        if met + breached + pending:
            rows.append([target, priority, met, breached, pending, rate(met, met + breached)])
    return rows


def service_levels(ctx: ReportContext, f: ReportFilter) -> Report:
    """First response and resolution times in working hours; SLA compliance per target and
    priority; breaches by root cause."""
    tickets = loading.load_tickets(ctx.session, f, timezone=ctx.timezone)
    first, resolution = _durations(ctx, tickets)
    rows: list[list[Cell]] = []
    for priority in (None, *PRIORITIES):
        chosen = [t.id for t in tickets if priority is None or t.priority == priority]
        if priority is not None and not chosen:
            continue
        fr = [first[i] for i in chosen if i in first]
        rs = [resolution[i] for i in chosen if i in resolution]
        rows.append(
            [
                priority or "all",
                len(chosen),
                len(fr),
                median(fr),
                percentile(fr, 0.9),
                len(rs),
                median(rs),
                percentile(rs, 0.9),
            ]
        )
    with_targets = [
        t for t in tickets if t.first_response_due is not None or t.resolution_due is not None
    ]
    available = bool(with_targets)
    compliance = _compliance_rows(
        tickets,
        "first_response",
        lambda t: t.first_response_due,
        lambda t: t.first_response_at,
        ctx.now,
    ) + _compliance_rows(
        tickets,
        "resolution",
        lambda t: t.resolution_due,
        lambda t: t.resolved_at if t.solved else None,
        ctx.now,
    )
    breached = loading.breached_ids(ctx.session, f, timezone=ctx.timezone)
    labels = loading.root_cause_labels(ctx.session)
    causes = Counter(t.root_cause_code for t in tickets if t.id in breached)
    cause_rows: list[list[Cell]] = [
        [
            code or NOT_GIVEN,
            labels.get(code, ("", ""))[0] if code else "",
            labels.get(code, ("", ""))[1] if code else "",
            n,
        ]
        for code, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]
    met = sum(int(r[2] or 0) for r in compliance)
    missed = sum(int(r[3] or 0) for r in compliance)
    return Report(
        name="service-levels",
        filter=f,
        tables=(
            table(
                "times",
                (
                    "priority",
                    "tickets",
                    "responded",
                    "first_response_median_minutes",
                    "first_response_p90_minutes",
                    "resolved",
                    "resolution_median_minutes",
                    "resolution_p90_minutes",
                ),
                rows,
            ),
            table(
                "compliance",
                ("target", "priority", "met", "breached", "pending", "compliance_percent"),
                compliance if available else [],
            ),
            table(
                "breaches_by_root_cause",
                ("root_cause", "label_en", "label_ar", "tickets"),
                cause_rows if available else [],
            ),
        ),
        totals={
            "tickets": len(tickets),
            "sla_available": available,
            "compliance_percent": rate(met, met + missed) if available else None,
            "breached_tickets": len(breached) if available else None,
        },
        definitions={
            "first_response": "Working minutes on the site's calendar from opening to the "
            "first reply from the team.",
            "resolution": "Working minutes from opening to resolution, less the working time "
            "the clock was paused (pending, on hold); tickets resolved or closed now.",
            "median": "The middle value (the mean of the two middle ones for an even count).",
            "p90": "Nearest rank: the smallest value that at least 90% of tickets are at or under.",
            "compliance": "Met / (met + breached), per target and priority: met when done by "
            "its due time; breached when done later or still not done after it; pending "
            "otherwise. Not available (null) while no ticket has service-level targets.",
            "breaches_by_root_cause": "Tickets with a recorded breach, by the root cause given "
            "at resolution ((none): not resolved yet or none given).",
        },
    )


# --- resolution ---------------------------------------------------------------------------


def resolution(ctx: ReportContext, f: ReportFilter) -> Report:
    """Resolution rate, first-contact resolution, reopen rate, escalation rate per tier and
    avoidable escalations."""
    tickets = loading.load_tickets(ctx.session, f, timezone=ctx.timezone)
    escalated = loading.escalations(ctx.session, f, timezone=ctx.timezone)
    reopened = loading.reopens(ctx.session, f, timezone=ctx.timezone)
    replies = loading.staff_replies(ctx.session, f, timezone=ctx.timezone)
    solved = [t for t in tickets if t.solved]
    first_contact = [
        t
        for t in solved
        if t.id not in escalated and t.id not in reopened and replies.get(t.id, 0) <= 1
    ]
    tier_rows: list[list[Cell]] = []
    for tier in (1, 2):
        reached = [t for t in tickets if t.tier >= tier or tier in escalated.get(t.id, ())]
        up = [t for t in reached if tier in escalated.get(t.id, ())]
        tier_rows.append([tier, len(reached), len(up), rate(len(up), len(reached))])
    escalated_ids = [t.id for t in tickets if t.id in escalated]
    linked = loading.linked_articles(ctx.session, escalated_ids)
    viewed = loading.viewed_articles(ctx.session, escalated_ids)
    promoted = loading.promoted_since(
        ctx.session, sorted({a for ids in linked.values() for a in ids})
    )
    avoidable_rows: list[list[Cell]] = []
    for t in tickets:
        if t.id not in escalated:
            continue
        answers = sorted(
            a
            for a in linked.get(t.id, ())
            if a in viewed.get(t.id, ()) or a not in promoted or promoted[a] < t.created_at
        )
        if answers:
            seen = sorted(set(answers) & viewed.get(t.id, set()))
            avoidable_rows.append([t.reference, t.subject, ", ".join(answers), ", ".join(seen)])
    reopened_solved = [t for t in tickets if t.id in reopened]
    return Report(
        name="resolution",
        filter=f,
        tables=(
            table(
                "rates",
                ("measure", "count", "of", "percent"),
                [
                    ["resolution", len(solved), len(tickets), rate(len(solved), len(tickets))],
                    [
                        "first_contact_resolution",
                        len(first_contact),
                        len(solved),
                        rate(len(first_contact), len(solved)),
                    ],
                    [
                        "reopen",
                        len(reopened_solved),
                        len(tickets),
                        rate(len(reopened_solved), len(tickets)),
                    ],
                    [
                        "escalation",
                        len(escalated_ids),
                        len(tickets),
                        rate(len(escalated_ids), len(tickets)),
                    ],
                    [
                        "avoidable_escalation",
                        len(avoidable_rows),
                        len(escalated_ids),
                        rate(len(avoidable_rows), len(escalated_ids)),
                    ],
                ],
            ),
            table("escalation_by_tier", ("tier", "reached", "escalated", "percent"), tier_rows),
            table(
                "avoidable_escalations",
                ("reference", "subject", "answering_articles", "read_before_opening"),
                avoidable_rows,
            ),
        ),
        totals={
            "tickets": len(tickets),
            "resolved": len(solved),
            "resolution_percent": rate(len(solved), len(tickets)),
            "first_contact_percent": rate(len(first_contact), len(solved)),
            "reopen_percent": rate(len(reopened_solved), len(tickets)),
            "avoidable_escalations": len(avoidable_rows),
        },
        definitions={
            "resolution": "Tickets resolved or closed now, of those opened within the dates.",
            "first_contact_resolution": "Resolved tickets answered with at most one public "
            "reply from the team, never escalated and never reopened.",
            "reopen": "Tickets reopened at least once after a resolution.",
            "escalation_by_tier": "Of the tickets that reached a tier, those escalated from it.",
            "avoidable_escalation": "Escalated tickets whose resolution links an article that "
            "was already published when the ticket was opened (every article not written "
            "from a later ticket), or that the requester read before opening it.",
        },
    )


# --- satisfaction and agents ---------------------------------------------------------------


def csat(ctx: ReportContext, f: ReportFilter) -> Report:
    """Average rating, its distribution and the comments."""
    tickets = loading.load_tickets(ctx.session, f, timezone=ctx.timezone)
    rated = [t for t in tickets if t.rating is not None]
    ratings = [int(t.rating) for t in rated if t.rating is not None]
    counts = Counter(ratings)
    comments = sorted(
        (t for t in rated if t.rating_comment),
        key=lambda t: (t.rated_at or t.created_at, t.id),
        reverse=True,
    )[:MAX_COMMENTS]
    return Report(
        name="csat",
        filter=f,
        tables=(
            table(
                "distribution",
                ("rating", "tickets", "percent"),
                [[r, counts.get(r, 0), rate(counts.get(r, 0), len(ratings))] for r in range(1, 6)],
            ),
            table(
                "comments",
                ("reference", "rating", "comment", "rated_at"),
                [
                    [
                        t.reference,
                        t.rating,
                        t.rating_comment,
                        t.rated_at.isoformat() if t.rated_at else None,
                    ]
                    for t in comments
                ],
            ),
        ),
        totals={
            "tickets": len(tickets),
            "rated": len(ratings),
            "average": mean(ratings),
            "response_percent": rate(len(ratings), len([t for t in tickets if t.solved])),
        },
        definitions={
            "average": "Mean of the requesters' ratings (1 to 5) of tickets opened within the "
            "dates; the latest rating of each ticket.",
            "response_percent": "Rated tickets of those resolved or closed now.",
            "comments": f"The latest {MAX_COMMENTS} comments given with a rating.",
        },
    )


def agents(ctx: ReportContext, f: ReportFilter) -> Report:
    """Per agent: tickets assigned, open, resolved, times, rating and reopens."""
    tickets = loading.load_tickets(ctx.session, f, timezone=ctx.timezone)
    first, resolution_times = _durations(ctx, tickets)
    reopened = loading.reopens(ctx.session, f, timezone=ctx.timezone)
    by_agent: dict[int, list[TicketFact]] = {}
    for t in tickets:
        if t.assignee_id is not None:
            by_agent.setdefault(t.assignee_id, []).append(t)
    if f.agent is not None:
        by_agent.setdefault(f.agent, [])
    names = loading.user_names(ctx.session, sorted(by_agent))
    rows: list[list[Cell]] = []
    for agent_id, mine in sorted(
        by_agent.items(), key=lambda kv: (-len(kv[1]), names.get(kv[0], ""), kv[0])
    ):
        ratings = [int(t.rating) for t in mine if t.rating is not None]
        rows.append(
            [
                agent_id,
                names.get(agent_id, ""),
                len(mine),
                sum(1 for t in mine if not t.solved),
                sum(1 for t in mine if t.solved),
                median([first[t.id] for t in mine if t.id in first]),
                median([resolution_times[t.id] for t in mine if t.id in resolution_times]),
                mean(ratings),
                len(ratings),
                sum(1 for t in mine if t.id in reopened),
            ]
        )
    return Report(
        name="agents",
        filter=f,
        tables=(
            table(
                "agents",
                (
                    "agent_id",
                    "agent",
                    "assigned",
                    "open",
                    "resolved",
                    "first_response_median_minutes",
                    "resolution_median_minutes",
                    "average_rating",
                    "ratings",
                    "reopened",
                ),
                rows,
            ),
        ),
        totals={
            "tickets": len(tickets),
            "unassigned": sum(1 for t in tickets if t.assignee_id is None),
        },
        definitions={
            "assigned": "Tickets opened within the dates and assigned to the agent now.",
            "open": "Of those, still open (new, open, pending, on hold).",
            "times": "Medians in working minutes on the site's calendar, as in service-levels.",
            "reopened": "Of those, tickets reopened at least once.",
        },
    )
