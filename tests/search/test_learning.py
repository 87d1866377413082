"""Learning from use: which evidence counts, and how the learned boost moves a hit (bounded,
gated, never an internal article for a visitor)."""

from __future__ import annotations

import datetime as dt

from portal.config import SearchSettings
from portal.search import learning
from portal.search.learning import ResolvedTicket, UsageEvent
from portal.search.models import SearchQuery
from portal.search.services import SearchService
from tests.support.articles import ArticleWriter

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(days=3)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def session_events(visitor: str, *, ticket_after: bool = False) -> list[UsageEvent]:
    """A search, the article opened, a helpful vote (and, if asked, a ticket afterwards)."""
    events = [
        UsageEvent("search", visitor, minutes(0), query="الطابعة لا تطبع"),
        UsageEvent("view", visitor, minutes(1), article_id="printer-offline", lang="ar"),
        UsageEvent(
            "vote", visitor, minutes(2), article_id="printer-offline", lang="ar", helpful=True
        ),
    ]
    if ticket_after:
        events.append(UsageEvent("ticket", visitor, minutes(60)))
    return events


def test_the_query_key_is_the_search_analysis_in_any_order() -> None:
    assert learning.query_key("الطابعة لا تطبع") == learning.query_key("تطبع  الطابعه")
    assert learning.query_key("VPN keeps disconnecting") == learning.query_key(
        "disconnecting vpn keeps"
    )
    assert learning.query_key("the of and") == ""


def test_a_helpful_vote_after_a_search_with_no_ticket_is_evidence() -> None:
    found = learning.votes_evidence(session_events("v1"), since=T0 - dt.timedelta(1), until=LATER)
    assert [(e.article_id, e.lang, e.session, e.source) for e in found] == [
        ("printer-offline", "ar", "v1", "vote")
    ]
    assert found[0].key == learning.query_key("الطابعة لا تطبع")


def test_no_evidence_without_every_step() -> None:
    window = {"since": T0 - dt.timedelta(1), "until": LATER}
    # A ticket afterwards: the article did not solve it.
    assert not learning.votes_evidence(session_events("v", ticket_after=True), **window)
    # An unhelpful vote, no view, or a search too long before.
    events = session_events("v")
    unhelpful = [
        *events[:2],
        UsageEvent("vote", "v", minutes(2), "", "printer-offline", "ar", False),
    ]
    assert not learning.votes_evidence(unhelpful, **window)
    assert not learning.votes_evidence([events[0], events[2]], **window)
    late_vote = UsageEvent(
        "vote", "v", minutes(45), article_id="printer-offline", lang="ar", helpful=True
    )
    assert not learning.votes_evidence([*events[:2], late_vote], **window)
    # Another visitor's search does not count for this visitor's vote.
    other = [UsageEvent("search", "w", minutes(0), query="printer"), *events[1:]]
    assert not learning.votes_evidence(other, **window)
    # Votes outside (since, until] are left for another run.
    assert not learning.votes_evidence(events, since=minutes(2), until=LATER)


def test_a_resolution_teaches_each_search_of_the_trail() -> None:
    ticket = ResolvedTicket("user:7", "en", T0, ("vpn drops", "VPN drops!", "vpn"), ("vpn-a",))
    found = learning.tickets_evidence([ticket])
    # "vpn drops" and "VPN drops!" are one query; each query counts the linked article once.
    assert [(e.key, e.article_id, e.session, e.source) for e in found] == [
        (learning.query_key("vpn drops"), "vpn-a", "user:7", "ticket"),
        (learning.query_key("vpn"), "vpn-a", "user:7", "ticket"),
    ]


def test_the_boost_is_gated_bounded_and_decays() -> None:
    rules = {"min_sessions": 3, "max_boost": 0.25, "half_life": dt.timedelta(days=90)}
    assert learning.fraction(2, 2.0, T0, T0, **rules) == 0.0  # not enough sessions
    fresh = learning.fraction(3, 3.0, T0, T0, **rules)
    many = learning.fraction(10_000, 10_000.0, T0, T0, **rules)
    assert 0 < fresh < many < 0.25
    aged = learning.fraction(3, 3.0, T0, T0 + dt.timedelta(days=90), **rules)
    assert aged < fresh
    assert learning.decay(T0, T0 + dt.timedelta(days=90), dt.timedelta(days=90)) == 0.5


class Learned:
    """A store that learned fixed shares (what ``LearnedStore.boosts`` returns)."""

    def __init__(self, shares: dict[str, dict[str, float]]) -> None:
        self.shares = shares

    def version(self) -> int:  # a new store is a new version: cached answers are not reused
        return id(self)

    def boosts(self, text: str, now: dt.datetime) -> dict[str, float]:
        return dict(self.shares.get(text, {}))

    def close(self) -> None:
        """Nothing runs in the background here."""


def printer_articles(write_article: ArticleWriter) -> None:
    write_article(
        "printer-jam",
        title="Paper jam",
        body="Open the printer tray, remove the jammed paper, close the printer.",
    )
    write_article(
        "printer-driver",
        title="Install a driver",
        body="The printer driver comes from the software centre, with the printer tools.",
    )
    write_article(
        "printer-queue",
        title="Clear the queue",
        body="When nothing prints, clear the queue of the printer.",
    )
    write_article(
        "printer-admin",
        title="Printer server restart",
        body="Restart the printer spooler on the print server.",
        audience="internal",
    )


def ranked(
    service: SearchService, text: str, visibility: str = "public"
) -> list[tuple[str, float]]:
    results = service.search(SearchQuery(text, visibility=visibility, lang="en"))  # type: ignore[arg-type]
    return [(hit.entry.id, hit.score) for hit in results.hits]


def test_a_learned_article_moves_up_but_never_beyond_its_bound(
    service: SearchService, write_article: ArticleWriter
) -> None:
    printer_articles(write_article)
    service.rebuild()
    before = ranked(service, "printer")
    assert len(before) == 3
    last_id, last_score = before[-1]
    top = before[0][1]
    share = 0.25
    service.learned = Learned({"printer": {f"en/{last_id}": share}})  # type: ignore[assignment]
    after = dict(ranked(service, "printer"))
    order = [article for article, _score in ranked(service, "printer")]
    assert order.index(last_id) < [a for a, _ in before].index(last_id)  # it moved up
    assert after[last_id] <= last_score + share * top + 1e-9  # by at most its bound
    assert {a: s for a, s in after.items() if a != last_id} == {
        a: s for a, s in before if a != last_id
    }  # the others did not move
    # A query nothing was learned for ranks as before.
    service.learned = Learned({"something else": {f"en/{last_id}": share}})  # type: ignore[assignment]
    assert ranked(service, "printer") == before


def test_an_internal_article_is_never_boosted_for_a_visitor(
    service: SearchService, write_article: ArticleWriter
) -> None:
    printer_articles(write_article)
    service.rebuild()
    staff_before = ranked(service, "printer", "internal")
    visitor_before = ranked(service, "printer")
    assert "printer-admin" in dict(staff_before)
    assert "printer-admin" not in dict(visitor_before)
    service.learned = Learned({"printer": {"en/printer-admin": 0.25}})  # type: ignore[assignment]
    assert ranked(service, "printer") == visitor_before
    staff_after = dict(ranked(service, "printer", "internal"))
    assert staff_after["printer-admin"] > dict(staff_before)["printer-admin"]


def test_store_settings_default_to_three_sessions() -> None:
    settings = SearchSettings()
    assert settings.learn_min_sessions == 3
    assert settings.learn_half_life == dt.timedelta(days=90)
