"""Every report over a year of a busy help desk: 100,000 tickets and 1,000,000 usage events.

    .venv/bin/python bench/reports.py                                   # SQLite (a temp file)
    .venv/bin/python bench/reports.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test   # a private schema
    .venv/bin/python bench/reports.py --tickets 20000 --events 200000   # smaller, quicker

The database is migrated, then filled with bulk inserts: ``--tickets`` tickets opened over the
365 days before the run's instant (a realistic mix of categories, teams, channels, priorities
and languages; most resolved, some with service-level targets and breaches, ratings, escalations,
reopens, team replies and linked articles), and ``--events`` search, view, vote and ticket events
from visitors (searches over a pool of Arabic and English queries, a share without results).

Then each of the nine reports runs (through ``run_report``, as an admin) for the default range
(the last 30 days) and for the whole year, twice each; prints the better time of the two per
report and range, as wall time and as this process's CPU time. Target: every report under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas import private_schema  # noqa: E402  (bench/ is on the path)

from portal.accounts.services import create_user  # noqa: E402
from portal.config import AccountSettings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction, upgrade_database  # noqa: E402
from portal.events import Event  # noqa: E402
from portal.kb.tables import ArticleVote  # noqa: E402
from portal.reports.filters import parse_filter  # noqa: E402
from portal.reports.registry import REPORTS, run_dashboard, run_report  # noqa: E402
from portal.tickets.models import Ticket, TicketArticle, TicketHistory, TicketMessage  # noqa: E402
from portal.tickets.sla_models import SlaEvent  # noqa: E402

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # 12:00 in Riyadh
TZ = "Asia/Riyadh"
CHUNK = 10_000
YEAR_MINUTES = 365 * 24 * 60

CATEGORIES = (
    ("accounts", 25), ("network", 20), ("devices", 15), ("software", 15), ("elearning", 10),
    ("email", 8), ("printing", 5), (None, 2),
)  # fmt: skip
TEAMS = (("support", 60), ("network", 25), ("apps", 15))
CHANNELS = (("web", 55), ("email", 25), ("phone", 12), ("chat", 5), ("walk_in", 3))
PRIORITIES = (("low", 15), ("normal", 60), ("high", 20), ("urgent", 5))
QUERY_WORDS = (
    "كلمة المرور", "الإنترنت", "الانترنت", "الطابعة", "البريد", "الشبكة اللاسلكية", "الحساب",
    "التسجيل", "المنصة", "الشهادة", "vpn", "password", "printer", "wifi", "email", "moodle",
    "teams", "outlook", "reset", "login",
)  # fmt: skip
ARTICLES = [f"article-{n:03d}" for n in range(300)]


def pick(rng: random.Random, weighted: tuple[tuple[str | None, int], ...]) -> str | None:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def bulk(sessions: object, table: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        with transaction(sessions) as session:  # type: ignore[arg-type]
            session.execute(insert(table), rows[start : start + CHUNK])


def seed_people(sessions: object) -> tuple[int, list[int], list[int]]:
    with transaction(sessions) as session:  # type: ignore[arg-type]
        admin = create_user(
            session, CHEAP, email="admin@example.com", name="Admin",
            password="amber-Dune-ferry-72", roles=("admin",), lang="en", now=NOW,  # noqa: S106
        ).id  # fmt: skip
        agents = [
            create_user(
                session, CHEAP, email=f"agent{n}@example.com", name=f"Agent {n}",
                password="amber-Dune-ferry-72", roles=("agent",), lang="ar",  # noqa: S106
                tier=1 + n % 2, teams=("support",), now=NOW,
            ).id
            for n in range(30)
        ]  # fmt: skip
        requesters = [
            create_user(
                session, CHEAP, email=f"r{n}@example.com", name=f"Requester {n}",
                password="amber-Dune-ferry-72", roles=("requester",), now=NOW,  # noqa: S106
            ).id
            for n in range(200)
        ]  # fmt: skip
    return admin, agents, requesters


def seed_tickets(sessions: object, count: int, agents: list[int], requesters: list[int]) -> None:
    rng = random.Random(14)
    tickets: list[dict[str, object]] = []
    messages: list[dict[str, object]] = []
    history: list[dict[str, object]] = []
    breaches: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    for number in range(1, count + 1):
        created = NOW - dt.timedelta(minutes=rng.randrange(YEAR_MINUTES))
        age_days = (NOW - created).days
        done = rng.random() < (0.3 if age_days < 3 else 0.92)
        responded = done or rng.random() < 0.6
        first = created + dt.timedelta(minutes=rng.expovariate(1 / 240)) if responded else None
        resolved = (
            (first or created) + dt.timedelta(minutes=rng.expovariate(1 / 1500)) if done else None
        )
        if resolved is not None and resolved > NOW:
            resolved = None
        status = "new" if first is None else "open"
        if resolved is not None:
            status = "closed" if (NOW - resolved).days > 7 else "resolved"
        with_sla = created > NOW - dt.timedelta(days=120)  # SLAs were set up four months ago
        rated = resolved is not None and rng.random() < 0.3
        tickets.append(
            {
                "id": number, "reference": f"HD-{number:06d}",
                "requester_id": rng.choice(requesters),
                "subject": f"{rng.choice(QUERY_WORDS)} {rng.randrange(50)}", "body": "…",
                "lang": "ar" if rng.random() < 0.7 else "en",
                "category": pick(rng, CATEGORIES), "tags": [],
                "priority": pick(rng, PRIORITIES), "status": status,
                "tier": 2 if rng.random() < 0.1 else 1, "team": pick(rng, TEAMS),
                "assignee_id": rng.choice(agents) if first is not None else None,
                "channel": pick(rng, CHANNELS), "created_at": created, "updated_at": created,
                "first_response_at": first, "resolved_at": resolved,
                "closed_at": resolved if status == "closed" else None,
                "first_response_due": created + dt.timedelta(hours=16) if with_sla else None,
                "resolution_due": created + dt.timedelta(days=5) if with_sla else None,
                "sla_paused_us": 0, "awaiting_paused_us": 0,
                "rating": rng.choices((1, 2, 3, 4, 5), (5, 7, 15, 33, 40))[0] if rated else None,
                "rating_comment": "شكرًا" if rated and rng.random() < 0.3 else None,
                "rated_at": resolved if rated else None,
                "root_cause_code": None,
            }
        )  # fmt: skip
        if first is not None:
            for n in range(rng.choice((1, 1, 2, 3))):
                messages.append(
                    {
                        "ticket_id": number, "author_id": rng.choice(agents),
                        "author_name": "Agent", "body": "…", "internal": False,
                        "created_at": first + dt.timedelta(minutes=30 * n),
                    }
                )  # fmt: skip
        if rng.random() < 0.12:
            history.append(
                {
                    "ticket_id": number, "actor_name": "Agent", "action": "escalate",
                    "field": "tier", "old_value": "1", "new_value": "2",
                    "created_at": created + dt.timedelta(hours=2),
                }
            )  # fmt: skip
        if resolved is not None and rng.random() < 0.05:
            history.append(
                {
                    "ticket_id": number, "actor_name": "Requester", "action": "status",
                    "field": "status", "old_value": "resolved", "new_value": "open",
                    "created_at": resolved + dt.timedelta(hours=1),
                }
            )  # fmt: skip
        if with_sla and rng.random() < 0.08:
            breaches.append(
                {
                    "ticket_id": number, "target": "first_response", "kind": "breach",
                    "due_at": created + dt.timedelta(hours=16), "target_minutes": 960,
                    "policy": "default", "recorded_at": created + dt.timedelta(hours=16),
                }
            )  # fmt: skip
        if resolved is not None and rng.random() < 0.3:
            links.append(
                {
                    "ticket_id": number, "article_id": rng.choice(ARTICLES),
                    "linked_at": resolved,
                }
            )  # fmt: skip
    bulk(sessions, Ticket, tickets)
    bulk(sessions, TicketMessage, messages)
    bulk(sessions, TicketHistory, history)
    bulk(sessions, SlaEvent, breaches)
    bulk(sessions, TicketArticle, links)
    print(
        f"  {len(tickets):,} tickets, {len(messages):,} replies, {len(history):,} history "
        f"entries, {len(breaches):,} breaches, {len(links):,} linked articles"
    )


def seed_events(sessions: object, count: int, tickets: int) -> None:
    rng = random.Random(15)
    queries = [f"{a} {b}" for a in QUERY_WORDS for b in QUERY_WORDS if a != b][:2000]
    events: list[dict[str, object]] = []
    votes: dict[tuple[str, str, str], dict[str, object]] = {}
    visitors = max(count // 6, 1)
    while len(events) < count:
        visitor = f"v{rng.randrange(visitors)}"
        at = NOW - dt.timedelta(minutes=rng.randrange(YEAR_MINUTES))
        lang = "ar" if rng.random() < 0.7 else "en"
        query = rng.choice(queries)
        hits = 0 if rng.random() < 0.12 else rng.randrange(1, 20)
        events.append(
            {"kind": "search", "created_at": at, "visitor": visitor, "lang": lang,
             "query": query, "hits": hits}
        )  # fmt: skip
        step = at
        for _ in range(rng.choice((0, 1, 1, 2))):
            step += dt.timedelta(minutes=rng.randrange(1, 15))
            article = rng.choice(ARTICLES)
            events.append(
                {"kind": "view", "created_at": step, "visitor": visitor, "lang": lang,
                 "article_id": article}
            )  # fmt: skip
            if rng.random() < 0.15:
                helpful = rng.random() < 0.7
                events.append(
                    {"kind": "vote", "created_at": step + dt.timedelta(minutes=1),
                     "visitor": visitor, "lang": lang, "article_id": article,
                     "data": {"helpful": helpful, "reason": False, "changed": False}}
                )  # fmt: skip
                votes[(article, lang, visitor)] = {
                    "article_id": article, "lang": lang, "visitor": visitor,
                    "helpful": helpful, "created_at": step, "updated_at": step,
                }  # fmt: skip
        if rng.random() < 0.1:
            events.append(
                {"kind": "ticket", "created_at": step + dt.timedelta(minutes=20),
                 "visitor": visitor, "lang": lang,
                 "data": {"reference": f"HD-{rng.randrange(1, tickets + 1):06d}"}}
            )  # fmt: skip
    events = events[:count]
    bulk(sessions, Event, events)
    bulk(sessions, ArticleVote, list(votes.values()))
    kinds: dict[str, int] = {}
    for e in events:
        kinds[str(e["kind"])] = kinds.get(str(e["kind"]), 0) + 1
    print(f"  {len(events):,} events {kinds}, {len(votes):,} votes")


def measure(
    sessions: object, admin_id: int, days: list[int]
) -> list[tuple[str, str, float, float]]:
    from portal.accounts.services import get_user

    with sessions() as session:  # type: ignore[operator]
        admin = get_user(session, admin_id)
    today = NOW.astimezone(dt.UTC).date()
    ranges = {
        f"{n} days": parse_filter(
            {"from": (today - dt.timedelta(days=n - 1)).isoformat()}, today=today
        )
        for n in days
    }
    out: list[tuple[str, str, float, float]] = []
    for label, wanted in ranges.items():
        for name in REPORTS:
            best = cpu = float("inf")
            for _ in range(2):
                with sessions() as session:  # type: ignore[operator]
                    started, used = time.perf_counter(), time.process_time()
                    run_report(session, admin, name, wanted, timezone=TZ, now=NOW)
                    best = min(best, time.perf_counter() - started)
                    cpu = min(cpu, time.process_time() - used)
            out.append((label, name, best, cpu))
            print(f"  {label:<10} {name:<16} {best:8.3f} {cpu:8.3f}", flush=True)
        for board in ("service", "knowledge"):  # a dashboard's reports share their loads
            with sessions() as session:  # type: ignore[operator]
                started, used = time.perf_counter(), time.process_time()
                run_dashboard(session, admin, board, wanted, timezone=TZ, now=NOW)
                seconds, cpu = time.perf_counter() - started, time.process_time() - used
            out.append((label, f"[{board} page]", seconds, cpu))
            print(
                f"  {label:<10} {'[' + board + ' page]':<16} {seconds:8.3f} {cpu:8.3f}", flush=True
            )
    return out


def run(
    url: str, tickets: int, events: int, days: list[int], *, fill: bool = True
) -> list[tuple[str, str, float, float]]:
    started = time.perf_counter()
    upgrade_database(url)  # also brings a kept database to the newest migration
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    if fill:
        admin, agents, requesters = seed_people(sessions)
        seed_tickets(sessions, tickets, agents, requesters)
        seed_events(sessions, events, tickets)
        print(f"  filled in {time.perf_counter() - started:.1f} s")
    else:
        admin = 1
        print("  reusing the filled database")
    try:
        return measure(sessions, admin, days)
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL server URL (a private schema)")
    parser.add_argument(
        "--keep", type=Path, help="SQLite file to fill once and reuse on later runs"
    )
    parser.add_argument(
        "--ranges", default="30,365", help="days of the ranges to time, comma-separated"
    )
    args = parser.parse_args()
    fill = True
    with ExitStack() as stack:
        if args.keep:
            fill = not args.keep.exists()
            url = f"sqlite:///{args.keep}"
            where = "SQLite (kept)"
        elif args.database_url:
            url = stack.enter_context(private_schema(args.database_url))
            where = "PostgreSQL"
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite:///{Path(folder) / 'reports.db'}"
            where = "SQLite"
        print(f"{where}: {args.tickets:,} tickets, {args.events:,} events")
        days = [int(n) for n in args.ranges.split(",")]
        results = run(url, args.tickets, args.events, days, fill=fill)
    slow = 0
    # Wall time, and this process's CPU time (on a shared machine the fairer figure; it
    # leaves out the PostgreSQL server's own work).
    print(f"{'range':<10} {'report':<16} {'wall s':>8} {'cpu s':>8}")
    for label, name, seconds, cpu in results:
        flag = "" if seconds < 1 else "  SLOW (target < 1 s)"
        slow += int(seconds >= 1)
        print(f"{label:<10} {name:<16} {seconds:8.3f} {cpu:8.3f}{flag}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
