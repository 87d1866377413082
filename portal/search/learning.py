"""Learning from use: which article answers which query, from what people did (pure).

Two kinds of evidence, each from one session (a browser's anonymous visitor id, or a
ticket's requester):

- a search, then that search's article opened and voted helpful, and no ticket from the same
  session in the day after (``votes_evidence``);
- a ticket opened after searches, resolved by an agent with a linked article, and not
  reopened (``tickets_evidence``).

Queries are keyed by ``query_key``: the search's own analysis (Arabic and English
normalisation, stop words, stems), order and repeats ignored, so «الطابعة لا تطبع» and
«طابعه تطبع» are one query. An association counts independent sessions, and its weight
decays with a half-life; ``fraction`` turns it into a bounded share of the top score, which
``blend`` adds to the learned article's score among the hits already found. Nothing here
touches the database or the index; ``portal.search.learned`` stores the associations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from portal.search.analysis import terms

# A helpful vote counts for the latest search of the same session at most this long before.
SESSION_WINDOW: Final = dt.timedelta(minutes=30)
# "No ticket afterwards": a vote is evidence only once this long has passed without a ticket
# from the same session (the job learns from votes older than this).
SETTLE: Final = dt.timedelta(days=1)
MAX_KEY_CHARS: Final = 200


def query_key(text: str) -> str:
    """The query as search understands it: its distinct index terms, sorted ("" for none)."""
    return " ".join(sorted(set(terms(text or ""))))[:MAX_KEY_CHARS].strip()


@dataclass(frozen=True)
class UsageEvent:
    """What the job reads of one usage event (``portal.events.Event``)."""

    kind: str  # search, view, vote, ticket
    session: str
    at: dt.datetime
    query: str | None = None
    article_id: str | None = None
    lang: str | None = None
    helpful: bool | None = None
    person: str | None = None  # "user:<id>" when signed in: one person, one session


@dataclass(frozen=True)
class ResolvedTicket:
    """A ticket resolved with articles, with the searches its requester made before it."""

    session: str
    lang: str
    resolved_at: dt.datetime
    queries: tuple[str, ...]
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """One session showed that ``article_id`` (in ``lang``) answers ``key``."""

    key: str
    query: str  # the text as typed, shown to knowledge managers
    article_id: str
    lang: str
    session: str
    seen_at: dt.datetime
    source: str  # "vote" or "ticket"


def votes_evidence(
    events: Iterable[UsageEvent], *, since: dt.datetime, until: dt.datetime
) -> list[Evidence]:
    """Evidence from helpful votes cast in ``(since, until]``: the session's latest search
    within ``SESSION_WINDOW`` before the vote, the article viewed after that search, and no
    ticket from the session between the search and ``SETTLE`` after the vote."""
    by_session: dict[str, list[UsageEvent]] = {}
    for event in events:
        by_session.setdefault(event.session, []).append(event)
    found: list[Evidence] = []
    for session, stream in by_session.items():
        stream.sort(key=lambda e: e.at)
        tickets = [e.at for e in stream if e.kind == "ticket"]
        for position, vote in enumerate(stream):
            if vote.kind != "vote" or not vote.helpful or not vote.article_id or not vote.lang:
                continue
            if not since < vote.at <= until:
                continue
            search = next(
                (
                    e
                    for e in reversed(stream[:position])
                    if e.kind == "search" and e.query and vote.at - e.at <= SESSION_WINDOW
                ),
                None,
            )
            if search is None or not (key := query_key(search.query or "")):
                continue
            viewed = any(
                e.kind == "view" and e.article_id == vote.article_id and search.at <= e.at
                for e in stream[:position]
            )
            if not viewed or any(search.at <= at <= vote.at + SETTLE for at in tickets):
                continue
            found.append(
                Evidence(
                    key,
                    (search.query or "").strip()[:500],
                    vote.article_id,
                    vote.lang,
                    vote.person or session,
                    vote.at,
                    "vote",
                )
            )
    return found


def tickets_evidence(tickets: Iterable[ResolvedTicket]) -> list[Evidence]:
    """Evidence from resolutions: each linked article answers each query searched before."""
    found: list[Evidence] = []
    for ticket in tickets:
        seen: set[str] = set()
        for text in ticket.queries:
            key = query_key(text)
            if not key or key in seen:
                continue
            seen.add(key)
            for article_id in dict.fromkeys(ticket.article_ids):
                found.append(
                    Evidence(
                        key,
                        text.strip()[:500],
                        article_id,
                        ticket.lang,
                        ticket.session,
                        ticket.resolved_at,
                        "ticket",
                    )
                )
    return found


def decay(seen_at: dt.datetime, now: dt.datetime, half_life: dt.timedelta) -> float:
    """How much evidence seen at ``seen_at`` still counts at ``now`` (1 when fresh)."""
    age = max(0.0, (now - seen_at) / half_life)
    return float(0.5**age)


def weight(seen: Sequence[dt.datetime], now: dt.datetime, half_life: dt.timedelta) -> float:
    """The decayed sum of one association's sessions (one timestamp per session)."""
    return sum(decay(at, now, half_life) for at in seen)


def fraction(
    sessions: int,
    weight_then: float,
    weighed_at: dt.datetime,
    now: dt.datetime,
    *,
    min_sessions: int,
    max_boost: float,
    half_life: dt.timedelta,
) -> float:
    """The share of the top score a learned answer gains at ``now``: 0 below
    ``min_sessions`` independent sessions, then growing with the decayed weight and never
    reaching ``max_boost``."""
    if sessions < min_sessions or weight_then <= 0:
        return 0.0
    current = weight_then * decay(weighed_at, now, half_life)
    return max_boost * current / (current + min_sessions)


def blend(scores: Mapping[int, float], boosts: Mapping[int, float]) -> dict[int, float]:
    """``scores`` with each boosted document raised by its share of the top score (of these
    scores, before any boost). Documents not already among ``scores`` stay out: learning
    reorders what search found, it never adds a hit."""
    if not boosts or not scores:
        return dict(scores)
    top = max(scores.values())
    out = dict(scores)
    for number, share in boosts.items():
        if number in out and share > 0:
            out[number] += share * top
    return out
