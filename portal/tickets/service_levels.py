"""Service levels on tickets: deadlines set when a ticket opens and recomputed when its
priority or policy changes, the clock paused while it waits (pending, on hold), and the job
that warns at a share of each target and escalates at breach (``run_sla``).

A deadline is always ``calendar.add(opened, target + working time paused so far)``, so a pause
extends it by exactly the working time paused, and recomputing it gives the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from portal.accounts.mail_preferences import wants_mail
from portal.accounts.models import User, UserRole, UserTeam
from portal.accounts.teams import TeamLabels, label, team_labels
from portal.config import TicketSettings
from portal.db import SETTINGS_INFO
from portal.notify.mail import OutgoingMail
from portal.notify.outbox import enqueue_all
from portal.sla.calendar import (
    DEFAULT_TIMEZONE,
    Calendar,
    CalendarError,
    Explanation,
    Holiday,
    Override,
)
from portal.sla.policy import DEFAULT_POLICY, DEFAULT_WARNING_SHARE, Policy, choose_policy
from portal.tickets.models import Ticket
from portal.tickets.sla_mail import sla_mail
from portal.tickets.sla_models import SlaCalendar, SlaEvent, SlaHoliday, SlaOverride, SlaPolicy
from portal.tickets.states import ACTIVE_STATUSES, TIERS
from portal.tickets.values import SlaExplanation, TicketInfo

PAUSED_STATUSES = ("pending", "on_hold")
MIN = dt.timedelta(minutes=1)
US = dt.timedelta(microseconds=1)


@dataclass
class SlaContext:
    """Calendars and policies read once (per request or per job run)."""

    policies: list[Policy]
    calendars: dict[int, Calendar]
    default_calendar: Calendar
    warning_share: float = 0.75
    by_name: dict[str, Policy] = field(default_factory=dict)
    # The policy chosen for each (priority, category, team, channel) seen so far.
    chosen: dict[tuple[str, str | None, str, str], Policy] = field(
        default_factory=dict, init=False, repr=False
    )

    def calendar_for(self, policy: Policy) -> Calendar:
        if policy.calendar_id is not None and policy.calendar_id in self.calendars:
            return self.calendars[policy.calendar_id]
        return self.default_calendar

    def policy_for(self, ticket: Ticket) -> Policy:
        key = (ticket.priority, ticket.category, ticket.team, ticket.channel)
        policy = self.chosen.get(key)
        if policy is None:
            policy = self.chosen[key] = choose_policy(
                self.policies, priority=key[0], category=key[1], team=key[2], channel=key[3]
            )
        return policy


def build_calendar(
    row: SlaCalendar,
    holidays: Iterable[SlaHoliday],
    overrides: Iterable[SlaOverride],
    timezone: str,
) -> Calendar:
    week = tuple(tuple((int(p[0]), int(p[1])) for p in day) for day in row.week)
    return Calendar(
        timezone=row.timezone or timezone,
        week=week,
        holidays=tuple(Holiday(h.day, h.name) for h in holidays),
        overrides=tuple(
            Override(o.first_day, o.last_day, tuple((int(a), int(b)) for a, b in o.periods), o.name)
            for o in sorted(overrides, key=lambda o: o.id)
        ),
        name=row.name,
    )


def load_context(
    session: Session, *, timezone: str | None = None, warning_share: float | None = None
) -> SlaContext:
    """Policies and calendars as stored; the zone and the warning share given, else those of
    the settings the session carries (``portal.db.SETTINGS_INFO``: a status change deep in a
    service counts like the job), else the defaults."""
    configured = getattr(session.info.get(SETTINGS_INFO), "tickets", None)
    if warning_share is None:
        warning_share = getattr(configured, "sla_warning_share", DEFAULT_WARNING_SHARE)
    zone = timezone or getattr(configured, "timezone", None) or DEFAULT_TIMEZONE
    rows = session.scalars(select(SlaCalendar).order_by(SlaCalendar.id)).all()
    holidays: dict[int, list[SlaHoliday]] = {}
    for holiday in session.scalars(select(SlaHoliday)):
        holidays.setdefault(holiday.calendar_id, []).append(holiday)
    overrides: dict[int, list[SlaOverride]] = {}
    for override in session.scalars(select(SlaOverride)):
        overrides.setdefault(override.calendar_id, []).append(override)
    calendars: dict[int, Calendar] = {}
    default: Calendar | None = None
    for row in rows:
        try:
            calendar = build_calendar(
                row, holidays.get(row.id, ()), overrides.get(row.id, ()), zone
            )
        except CalendarError:
            continue  # a calendar the admin pages refused to save cannot be here; skip it
        calendars[row.id] = calendar
        if row.is_default or default is None:
            default = calendar if row.is_default or default is None else default
    policies = [
        Policy(
            name=p.name,
            first_response_minutes=p.first_response_minutes,
            next_response_minutes=p.next_response_minutes,
            resolution_minutes=p.resolution_minutes,
            priority=p.priority,
            category=p.category,
            team=p.team,
            channel=p.channel,
            id=p.id,
            calendar_id=p.calendar_id,
        )
        for p in session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True)))
    ]
    return SlaContext(
        policies=policies,
        calendars=calendars,
        default_calendar=default or Calendar(timezone=zone),
        warning_share=warning_share,
        by_name={p.name: p for p in policies},
    )


def context_for(session: Session, settings: TicketSettings) -> SlaContext:
    return load_context(
        session, timezone=settings.timezone, warning_share=settings.sla_warning_share
    )


# --- deadlines ------------------------------------------------------------------------------


def paused_time(ticket: Ticket) -> dt.timedelta:
    return (ticket.sla_paused_us or 0) * US


Read = Callable[[str], Any]


def _reader(ticket: Ticket) -> Read:
    """A cheap way to read the ticket's columns: one not yet flushed has nothing to load, so a
    column it never set is None (its own dictionary says all); a stored one goes through the
    ORM, which loads what expired."""
    if sa_inspect(ticket).key is None:
        return vars(ticket).get
    return partial(getattr, ticket)


def apply_deadlines(ticket: Ticket, ctx: SlaContext) -> Policy:
    """Set the ticket's deadlines and warning instants from its policy. Targets already met
    keep the deadline they were met against. Only columns whose value changes are written."""
    get = _reader(ticket)
    key = (get("priority"), get("category"), get("team"), get("channel"))
    policy = ctx.chosen.get(key) or ctx.policy_for(ticket)
    calendar = ctx.calendar_for(policy)
    paused = (get("sla_paused_us") or 0) * US
    start = get("created_at")
    share = ctx.warning_share
    values: dict[str, Any] = {"sla_policy": policy.name}
    if get("first_response_at") is None:
        values["first_response_due"], values["first_response_warn_at"] = _due_and_warning(
            calendar, start, policy.first_response_minutes, share, paused
        )
    if get("resolved_at") is None:
        values["resolution_due"], values["resolution_warn_at"] = _due_and_warning(
            calendar, start, policy.resolution_minutes, share, paused
        )
    values["next_response_due"], values["next_response_warn_at"] = _next_response_values(
        get, policy, calendar, share
    )
    _write(ticket, get, values)
    return policy


def _due_and_warning(
    calendar: Calendar,
    start: dt.datetime,
    minutes: int | None,
    share: float,
    paused: dt.timedelta,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    if minutes is None:
        return None, None
    due, warn_at = calendar.add_all(start, (minutes * MIN + paused, minutes * share * MIN + paused))
    return due, warn_at


def _write(ticket: Ticket, get: Read, values: dict[str, Any]) -> None:
    """Set only what changes: an equal value would still cost an attribute event per column
    (the unit of work leaves unchanged columns out of the UPDATE either way)."""
    for name, value in values.items():
        if get(name) != value:
            setattr(ticket, name, value)


def _next_response_values(
    get: Read, policy: Policy, calendar: Calendar, share: float
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the requester's message awaiting an answer, the policy's next-response target plus
    the working time paused since that message."""
    since = get("awaiting_since")
    if since is None:
        return None, None
    paused = ((get("sla_paused_us") or 0) - (get("awaiting_paused_us") or 0)) * US
    return _due_and_warning(calendar, since, policy.next_response_minutes, share, paused)


def _next_response_deadline(
    ticket: Ticket, policy: Policy, calendar: Calendar, share: float
) -> None:
    get = _reader(ticket)
    due, warn_at = _next_response_values(get, policy, calendar, share)
    _write(ticket, get, {"next_response_due": due, "next_response_warn_at": warn_at})


def on_awaiting(session: Session, ticket: Ticket, now: dt.datetime) -> None:
    """A requester's message (or a reopen) awaits an answer: after the first response, the
    next-response clock starts, unless an earlier message is already waiting."""
    if ticket.first_response_at is None or ticket.awaiting_since is not None:
        return
    ticket.awaiting_since = now
    ticket.awaiting_paused_us = ticket.sla_paused_us or 0
    ctx = load_context(session)
    policy = ctx.by_name.get(ticket.sla_policy or "") or ctx.policy_for(ticket)
    _next_response_deadline(ticket, policy, ctx.calendar_for(policy), ctx.warning_share)


def on_answered(ticket: Ticket) -> None:
    """An agent replied publicly: the waiting message is answered (a breach stays recorded)."""
    ticket.awaiting_since = None
    ticket.next_response_due = ticket.next_response_warn_at = None


def explain(ticket: Ticket, ctx: SlaContext) -> tuple[str, Explanation] | None:
    """The deadline that matters now (first response until answered, then the next response
    while a requester's message waits, then resolution) and the
    working periods counted to reach it."""
    policy = ctx.by_name.get(ticket.sla_policy or "") or ctx.policy_for(ticket)
    calendar = ctx.calendar_for(policy)
    if policy.first_response_minutes is not None and ticket.first_response_at is None:
        return "first_response", calendar.explain_add(
            ticket.created_at, policy.first_response_minutes * MIN + paused_time(ticket)
        )
    if policy.next_response_minutes is not None and ticket.awaiting_since is not None:
        paused = paused_time(ticket) - (ticket.awaiting_paused_us or 0) * US
        return "next_response", calendar.explain_add(
            ticket.awaiting_since, policy.next_response_minutes * MIN + paused
        )
    if policy.resolution_minutes is not None and ticket.resolved_at is None:
        return "resolution", calendar.explain_add(
            ticket.created_at, policy.resolution_minutes * MIN + paused_time(ticket)
        )
    return None


def calendar_of(ticket: Ticket, ctx: SlaContext) -> Calendar:
    policy = ctx.by_name.get(ticket.sla_policy or "") or ctx.policy_for(ticket)
    return ctx.calendar_for(policy)


def adopt_site_timezone(session: Session, settings: TicketSettings) -> None:
    """Calendars left without a zone take the site's (SANAD_TIMEZONE) on first use, so that
    changes made without the settings at hand (a status change) count the same hours."""
    for row in session.scalars(select(SlaCalendar).where(SlaCalendar.timezone.is_(None))):
        row.timezone = settings.timezone


def on_open(session: Session, ticket: Ticket, settings: TicketSettings) -> dt.datetime | None:
    """Set the deadlines; returns when work resumes if the ticket came outside working hours."""
    adopt_site_timezone(session, settings)
    ctx = context_for(session, settings)
    policy = apply_deadlines(ticket, ctx)
    calendar = ctx.calendar_for(policy)
    if calendar.is_working(ticket.created_at):
        return None
    try:
        return calendar.next_working(ticket.created_at)
    except CalendarError:
        return None


def explanation_for(
    session: Session, ticket: Ticket, settings: TicketSettings, now: dt.datetime
) -> SlaExplanation | None:
    """What the ticket page shows: the deadline, the periods counted, when work resumes."""
    if ticket.status not in ACTIVE_STATUSES:
        return None
    ctx = context_for(session, settings)
    found = explain(ticket, ctx)
    if found is None:
        return None
    target, explanation = found
    calendar = calendar_of(ticket, ctx)
    resumes = None if calendar.is_working(now) else calendar.next_working(now)
    tz = calendar.tz
    return SlaExplanation(
        target=target,
        minutes=explanation.working / MIN,
        due=explanation.due,
        periods=tuple((p.start.astimezone(tz), p.end.astimezone(tz)) for p in explanation.periods),
        timezone=calendar.timezone,
        resumes_at=resumes.astimezone(tz) if resumes else None,
    )


def on_change(session: Session, ticket: Ticket, settings: TicketSettings | None = None) -> None:
    """Priority, category, team or channel changed: the policy may be another one."""
    ctx = context_for(session, settings) if settings else load_context(session)
    apply_deadlines(ticket, ctx)


def on_status_change(
    session: Session, ticket: Ticket, old: str, new: str, now: dt.datetime
) -> None:
    """Stop the clock on pending/on hold; on leaving them, add the working time paused and
    move the deadlines by exactly that."""
    if new in PAUSED_STATUSES and ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
        return
    if new not in PAUSED_STATUSES and ticket.sla_paused_at is not None:
        ctx = load_context(session)
        policy = ctx.by_name.get(ticket.sla_policy or "") or ctx.policy_for(ticket)
        calendar = ctx.calendar_for(policy)
        paused = calendar.working_time_between(ticket.sla_paused_at, now)
        ticket.sla_paused_us = (ticket.sla_paused_us or 0) + paused // US
        ticket.sla_paused_at = None
        if ticket.first_response_due is not None or ticket.resolution_due is not None:
            apply_deadlines(ticket, ctx)


# --- the job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaSummary:
    checked: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    mails: int = 0

    def line(self) -> str:
        return (
            f"checked {self.checked} tickets: {self.warnings} warnings, {self.breaches} "
            f"breaches, {self.escalations} escalations, {self.mails} mails queued"
        )


Person = tuple[int, str, str, str]  # id, address, name, language


class _People:
    """Who to tell, read once per team and tier within one run."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.teams: dict[tuple[str, int], list[Person]] = {}
        self.admins: list[Person] | None = None
        self.team_labels: TeamLabels | None = None
        self.wanted: dict[tuple[str, str], bool] = {}

    def labels(self) -> TeamLabels:
        """The teams' names, to name the ticket's team in each mail's language."""
        if self.team_labels is None:
            with self.session.no_autoflush:
                self.team_labels = team_labels(self.session)
        return self.team_labels

    def wants(self, address: str, kind: str) -> bool:
        """``wants_mail``, asked once per address and kind in a run, without flushing what
        the run has recorded so far (one flush at the end writes it all)."""
        key = (address, kind)
        if key not in self.wanted:
            with self.session.no_autoflush:
                self.wanted[key] = wants_mail(self.session, address, kind)
        return self.wanted[key]

    def team(self, team: str, tier: int) -> list[Person]:
        key = (team, tier)
        if key not in self.teams:
            with self.session.no_autoflush:
                self.teams[key] = self._members(team, tier)
        return self.teams[key]

    def _members(self, team: str, tier: int) -> list[Person]:
        members = select(UserTeam.user_id).where(UserTeam.team == team)
        return [
            (u.id, u.email, u.name, u.lang)
            for u in self.session.scalars(
                select(User).where(
                    User.id.in_(members),
                    User.active.is_(True),
                    User.away.is_(False),  # on leave: not told, as not assigned
                    User.tier == tier,
                )
            )
        ]

    def managers(self) -> list[Person]:
        if self.admins is None:
            admins = select(UserRole.user_id).where(UserRole.role == "admin")
            with self.session.no_autoflush:
                self.admins = [
                    (u.id, u.email, u.name, u.lang)
                    for u in self.session.scalars(
                        select(User).where(User.id.in_(admins), User.active.is_(True))
                    )
                ]
        return self.admins

    def for_ticket(
        self, ticket: Ticket, tier: int, *, managers: bool
    ) -> list[tuple[str, str, str]]:
        """The assignee and the team's active agents of ``tier``; with ``managers``, the
        admins (the help-desk managers) too."""
        found: dict[int, tuple[str, str, str]] = {}
        if ticket.assignee is not None and ticket.assignee.active:
            a = ticket.assignee
            found[a.id] = (a.email, a.name, a.lang)
        for pid, email, name, lang in self.team(ticket.team, tier) + (
            self.managers() if managers else []
        ):
            found[pid] = (email, name, lang)
        return list(found.values())


def _handled(target: str, due: Any, now: dt.datetime) -> Any:
    """SQL: this target's deadline already has its breach, or its warning while not yet due."""
    return exists().where(
        SlaEvent.ticket_id == Ticket.id,
        SlaEvent.target == target,
        SlaEvent.due_at == due,
        or_(SlaEvent.kind == "breach", and_(SlaEvent.kind == "warning", due > now)),
    )


def _due_tickets(session: Session, now: dt.datetime) -> Sequence[Ticket]:
    """Active, running tickets with a warning or a breach not yet recorded (an index on each
    warning instant keeps this to the few that are due, however many are open). Each
    ``IS NOT NULL`` makes a target without a deadline false rather than unknown, so a planner
    without statistics yet (a table just loaded) never runs the recorded-event check for it."""
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(ACTIVE_STATUSES),
            Ticket.sla_paused_at.is_(None),
            or_(
                and_(
                    Ticket.first_response_at.is_(None),
                    Ticket.first_response_warn_at.is_not(None),
                    Ticket.first_response_warn_at <= now,
                    ~_handled("first_response", Ticket.first_response_due, now),
                ),
                and_(
                    Ticket.next_response_warn_at.is_not(None),
                    Ticket.next_response_warn_at <= now,
                    ~_handled("next_response", Ticket.next_response_due, now),
                ),
                and_(
                    Ticket.resolved_at.is_(None),
                    Ticket.resolution_warn_at.is_not(None),
                    Ticket.resolution_warn_at <= now,
                    ~_handled("resolution", Ticket.resolution_due, now),
                ),
            ),
        )
        .order_by(Ticket.id)
    ).all()


def run_sla(
    session: Session, now: dt.datetime, settings: TicketSettings | None = None
) -> SlaSummary:
    """Warn at the configured share of each target and escalate at breach, as of ``now``.
    Idempotent: each warning and breach is recorded once per deadline (``sla_events``), so a
    second run finds nothing new."""
    settings = settings or TicketSettings(attachments_dir=Path("attachments"))
    ctx = context_for(session, settings)
    tickets = _due_tickets(session, now)
    people = _People(session)
    mails: list[OutgoingMail] = []
    warnings = breaches = escalations = given = 0
    for ticket in tickets:
        seen = {(e.target, e.kind, e.due_at) for e in ticket.sla_events}
        for target, due, warn_at, done in (
            (
                "first_response",
                ticket.first_response_due,
                ticket.first_response_warn_at,
                ticket.first_response_at,
            ),
            ("next_response", ticket.next_response_due, ticket.next_response_warn_at, None),
            ("resolution", ticket.resolution_due, ticket.resolution_warn_at, ticket.resolved_at),
        ):
            if due is None or warn_at is None or done is not None or warn_at > now:
                continue
            policy = ctx.by_name.get(ticket.sla_policy or "") or DEFAULT_POLICY
            minutes = policy.target(target) or 0
            if due <= now:
                if (target, "breach", due) in seen:
                    continue
                before = ticket.tier
                after = before + 1 if before < max(TIERS) else before
                _record(session, ticket, target, "breach", due, minutes, now, before, after)
                breaches += 1
                given_to = None
                if after != before:
                    given_to = _escalate(
                        session, ticket, after, target, due, now, settings, people.labels()
                    )
                    escalations += 1
                    given += given_to is not None
                kind, tier, managers = "breach", after, after == before
            elif (target, "warning", due) not in seen and (target, "breach", due) not in seen:
                _record(session, ticket, target, "warning", due, minutes, now, ticket.tier, None)
                warnings += 1
                kind, tier, managers = "warning", ticket.tier, False
                given_to = None
            else:
                continue
            mails.extend(
                sla_mail(
                    kind,
                    lang,
                    to,
                    ticket,
                    settings,
                    name=name,
                    target=target,
                    due=due,
                    tier=tier,
                    team=label(people.labels(), ticket.team, lang),
                )
                for to, name, lang in people.for_ticket(ticket, tier, managers=managers)
                # The agent an escalation gave the ticket to has that mail instead.
                if to != given_to and people.wants(to, f"sla_{kind}")
            )
    mailed = enqueue_all(session, mails, now=now) + given
    session.flush()
    return SlaSummary(len(tickets), warnings, breaches, escalations, mailed)


def _record(
    session: Session,
    ticket: Ticket,
    target: str,
    kind: str,
    due: dt.datetime,
    minutes: int,
    now: dt.datetime,
    before: int | None,
    after: int | None,
) -> None:
    event = SlaEvent(
        ticket_id=ticket.id,
        target=target,
        kind=kind,
        due_at=due,
        target_minutes=minutes,
        policy=ticket.sla_policy or DEFAULT_POLICY.name,
        tier_before=before,
        tier_after=after,
        recorded_at=now,
    )
    session.add(event)
    ticket.sla_events.append(event)


def _escalate(
    session: Session,
    ticket: Ticket,
    tier: int,
    target: str,
    due: dt.datetime,
    now: dt.datetime,
    settings: TicketSettings,
    labels: TeamLabels,
) -> str | None:
    """Up one tier, to a team of that tier and one of its agents (``portal.tickets.escalation``);
    the history says why. Returns the address of the agent told by mail, if any."""
    from portal.tickets import escalation  # it records history, whose status changes call here

    why = f"Service level breached: {target} was due {due.isoformat()}"
    moved = escalation.move_up(session, ticket, None, tier, now, note=why, actor_name="sla")
    if escalation.notify_assignee(session, ticket, moved, now, settings, why=why, labels=labels):
        return ticket.assignee.email if ticket.assignee else None
    return None


def breached(ticket: Ticket, now: dt.datetime) -> bool:
    """Did the ticket miss a target (recorded, or its deadline has passed unmet)?"""
    if any(e.kind == "breach" for e in ticket.sla_events):
        return True
    if ticket.first_response_due is not None:
        answered = ticket.first_response_at or now
        if answered > ticket.first_response_due:
            return True
    if ticket.next_response_due is not None and now > ticket.next_response_due:
        return True
    return ticket.resolution_due is not None and now > ticket.resolution_due


def with_time_left(
    session: Session, tickets: Sequence[TicketInfo], now: dt.datetime, settings: TicketSettings
) -> tuple[TicketInfo, ...]:
    """The tickets with the working time left until their next deadline (the queue shows it)."""
    if not tickets:
        return ()
    ctx = context_for(session, settings)
    shown = []
    for info in tickets:
        due = info.sla.next_due
        if due is None:
            shown.append(info)
            continue
        policy = ctx.by_name.get(info.sla.policy or "") or DEFAULT_POLICY
        left = ctx.calendar_for(policy).working_minutes_between(now, due)
        shown.append(replace(info, sla=replace(info.sla, minutes_left=left)))
    return tuple(shown)
