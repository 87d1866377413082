"""The SLA job over many open tickets, and the deadline computation rate.

    .venv/bin/python bench/sla.py                        # SQLite, then PostgreSQL if set
    SANAD_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/sla.py --tickets 100000 --due-share 0.01

Deadlines: ``apply_deadlines`` (policy choice plus the calendar arithmetic of the deadline and
its warning instant) on in-memory tickets opened at random instants; prints tickets per second
(target: at least 20,000).

The job: ``--tickets`` open tickets on the default policy (48 working hours), opened so that
``--due-share`` of them reach their warning or breach at the run's instant; one agent per tier
in each tier's team (support, support-2, support-3), so each escalation goes to the next tier's
team and its agent. Prints the first run (warnings, breaches, escalations, mails queued) and a
second run at the same instant (must change nothing), each in seconds (target: under 5 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas import private_schema  # noqa: E402  (bench/ is on the path)

from portal.accounts.models import Team  # noqa: E402
from portal.accounts.services import create_user  # noqa: E402
from portal.config import AccountSettings, TicketSettings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction, upgrade_database  # noqa: E402
from portal.sla.calendar import Calendar  # noqa: E402
from portal.sla.policy import DEFAULT_POLICY  # noqa: E402
from portal.tickets.models import Ticket  # noqa: E402
from portal.tickets.service_levels import (  # noqa: E402
    SlaContext,
    apply_deadlines,
    load_context,
    run_sla,
)

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # 12:00 in Riyadh


def deadline_rate(count: int) -> tuple[float, float]:
    """Tickets per second of wall time, and per second of this process's CPU time (which a
    machine shared with other work leaves closer to the truth)."""
    ctx = SlaContext([DEFAULT_POLICY], {}, Calendar(), 0.75, {"default": DEFAULT_POLICY})
    rng = random.Random(7)
    tickets = [
        Ticket(
            priority="normal",
            category=None,
            team="support",
            channel="web",
            created_at=NOW - dt.timedelta(minutes=rng.randrange(60 * 24 * 30)),
            sla_paused_us=0,
        )
        for _ in range(count)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    for ticket in tickets:
        apply_deadlines(ticket, ctx)
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def seed(url: str, count: int, due_share: float) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        # One team per tier, so that each escalation moves the ticket to the next tier's team
        # and gives it to that team's agent (portal.tickets.escalation), with its mail.
        for tier, key in ((1, "support"), (2, "support-2"), (3, "support-3")):
            session.add(Team(key=key, name_ar=key, name_en=key, tier=tier, active=True))
        for tier, key in ((1, "support"), (2, "support-2"), (3, "support-3")):
            create_user(
                session,
                CHEAP,
                email=f"tier{tier}@example.com",
                name=f"Tier {tier}",
                password="amber-Dune-ferry-72",  # noqa: S106  (a throwaway database)
                roles=("agent",),
                lang="en",
                tier=tier,
                teams=(key,),
                now=NOW,
            )
    # Warnings fall at 36 working hours (6 days of 6 h), breaches at 48 (8 days): tickets
    # opened between 9 and 6 days ago are the due share; the rest are younger.
    with sessions() as session:  # closed before the inserts: SQLite has one writer
        ctx = load_context(session)
    rng = random.Random(11)
    rows = []
    for number in range(count):
        if rng.random() < due_share:
            age = dt.timedelta(days=6, minutes=rng.randrange(60 * 24 * 3))
        else:
            age = dt.timedelta(minutes=rng.randrange(60 * 24 * 5))
        ticket = Ticket(
            priority="normal", category=None, team="support", channel="web",
            created_at=NOW - age, sla_paused_us=0,
        )  # fmt: skip
        apply_deadlines(ticket, ctx)
        rows.append(
            {
                "reference": f"HD-{number + 1:06d}", "subject": "Printer", "body": "Jammed",
                "lang": "en", "tags": [], "priority": "normal", "status": "open", "tier": 1,
                "team": "support", "channel": "web", "created_at": ticket.created_at,
                "updated_at": ticket.created_at, "sla_policy": ticket.sla_policy,
                "first_response_due": ticket.first_response_due,
                "first_response_warn_at": ticket.first_response_warn_at,
                "sla_paused_us": 0, "visitor_name": "V", "visitor_email": "v@example.com",
            }
        )  # fmt: skip
    with transaction(sessions) as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Ticket), rows[start : start + 5000])
    engine.dispose()


def job(name: str, url: str, args: argparse.Namespace) -> bool:
    seed(url, args.tickets, args.due_share)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    settings = TicketSettings(attachments_dir=Path(tempfile.gettempdir()))
    ok = True
    for label in ("first run", "second run"):
        started = time.perf_counter()
        with transaction(sessions) as session:
            summary = run_sla(session, NOW, settings)
        took = time.perf_counter() - started
        print(
            f"{name:<10} {label:<10} {args.tickets} open: {summary.line()}; {took:.2f} s "
            f"(load {os.getloadavg()[0]:.2f})"
        )
        ok &= took < 5
        if label == "second run":
            ok &= summary.warnings == summary.breaches == summary.mails == 0
    engine.dispose()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=os.environ.get("SANAD_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    rate, cpu_rate = deadline_rate(args.deadlines)
    print(
        f"deadlines: {args.deadlines} tickets, {rate:,.0f} tickets/s "
        f"({cpu_rate:,.0f} per CPU second)"
    )
    ok = rate >= 20_000
    with tempfile.TemporaryDirectory(prefix="sanad-bench-sla-") as tmp:
        ok &= job("sqlite", f"sqlite:///{Path(tmp) / 'sanad.db'}", args)
    if args.postgres_url:
        with private_schema(args.postgres_url) as url:
            ok &= job("postgresql", url, args)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
