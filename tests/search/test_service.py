"""What a person searching notices: matches, ranking, snippets, facets, pages, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.collectors import UnlimitedCollector

from portal.search.analysis import QueryPlan, parse_query
from portal.search.index import Filter, SearchIndex
from portal.search.index.scoring import text_query
from portal.search.models import MAX_PER_PAGE, SearchQuery, SearchResults
from portal.search.querying import NOTICES
from portal.search.services import SearchService
from tests.support.articles import ArticleWriter
from tests.support.hostile import naughty_strings


def keys(results: SearchResults) -> list[str]:
    return [hit.entry.key for hit in results.hits]


@pytest.fixture
def kb(write_article: ArticleWriter, articles_dir: Path, service: SearchService) -> SearchService:
    """A small bilingual knowledge base, indexed."""
    write_article(
        "reset-password",
        "ar",
        "إعادة تعيين كلمة المرور",
        "إذا نسيت كلمة المرور فاطلب رمزًا.",
        category="accounts",
        tags=["كلمة المرور"],
        commit=False,
    )
    write_article(
        "reset-password",
        "en",
        "Reset your password",
        "If you forgot your password, ask for a code.",
        category="accounts",
        tags=["password"],
        commit=False,
    )
    write_article(
        "vpn-connect",
        "en",
        "Connect to the VPN",
        "Install the client and sign in from home.",
        category="network",
        commit=False,
    )
    write_article(
        "printer",
        "en",
        "Printer jams",
        "Open the tray. A password is never needed here.",
        category="devices",
        kind="troubleshooting",
        commit=False,
    )
    write_article(
        "draft-note",
        "en",
        "Draft password policy",
        "Work in progress.",
        status="draft",
        commit=False,
    )
    write_article(
        "internal-vpn",
        "en",
        "VPN server runbook",
        "Restart the VPN concentrator.",
        audience="internal",
        category="network",
    )
    (articles_dir / "_synonyms.yml").write_text(
        "groups:\n  - [كلمة المرور, كلمة السر, password, passcode]\n"
        "  - [VPN, الشبكة الخاصة الافتراضية]\n",
        encoding="utf-8",
    )
    service.sync()
    return service


def test_arabic_query_in_every_spelling_finds_the_article(kb: SearchService) -> None:
    for text in ("كلمة المرور", "كلمه المرور", "كَلِمَةُ المُرُور", "كلمـــة المرور"):
        assert keys(kb.search(SearchQuery(text, lang="ar")))[:1] == ["ar/reset-password"]


def test_synonyms_cross_languages_both_ways(kb: SearchService) -> None:
    assert "en/reset-password" in keys(kb.search(SearchQuery("كلمة السر", lang="en")))
    assert "ar/reset-password" in keys(kb.search(SearchQuery("passcode", lang="ar")))
    assert keys(kb.search(SearchQuery("الشبكة الخاصة الافتراضية")))[:1] == ["en/vpn-connect"]


def test_editing_synonyms_needs_no_reindex(kb: SearchService, articles_dir: Path) -> None:
    assert kb.search(SearchQuery("tray", lang="ar")).total == 0
    (articles_dir / "_synonyms.yml").write_text("groups:\n  - [tray, مرور]\n", encoding="utf-8")
    assert "ar/reset-password" in keys(kb.search(SearchQuery("tray", lang="ar")))


def test_title_match_outranks_body_match(kb: SearchService) -> None:
    found = keys(kb.search(SearchQuery("password", lang="en")))
    assert found.index("en/reset-password") < found.index("en/printer")


def test_snippet_marks_matches_and_escapes(
    write_article: ArticleWriter, service: SearchService
) -> None:
    write_article(
        "xss", "en", "Escaping", "Type `if a < b && c` and <script>x()</script> in the mailbox."
    )
    service.sync()
    hit = service.search(SearchQuery("mailbox")).hits[0]
    assert "<mark>mailbox</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "a &lt; b &amp;&amp; c" in hit.snippet


def test_snippet_falls_back_to_the_description(
    write_article: ArticleWriter, service: SearchService
) -> None:
    write_article("d", "en", "Wireless setup", "Body words only.", description="Join <the> wifi.")
    service.sync()
    assert service.search(SearchQuery("wireless")).hits[0].snippet == "Join &lt;the&gt; wifi."


def test_facets_count_the_matching_set(kb: SearchService) -> None:
    results = kb.search(SearchQuery("password", visibility="all"))
    assert results.facets["lang"] == {"en": 3, "ar": 1}
    assert results.facets["kind"]["troubleshooting"] == 1
    assert results.facets["category"]["accounts"] == 2


def test_filters_restrict_hits(kb: SearchService) -> None:
    assert keys(kb.search(SearchQuery("password", category="devices"))) == ["en/printer"]
    assert keys(kb.search(SearchQuery("password", kind="troubleshooting"))) == ["en/printer"]
    assert keys(kb.search(SearchQuery("password", tag="Password"))) == ["en/reset-password"]


def test_visibility(kb: SearchService) -> None:
    def found(visibility: str) -> set[str]:
        query = SearchQuery("password vpn", visibility=visibility)  # type: ignore[arg-type]
        return set(keys(kb.search(query)))

    assert "en/draft-note" not in found("public") | found("internal")
    assert "en/internal-vpn" not in found("public")
    assert "en/internal-vpn" in found("internal")
    assert "en/draft-note" in found("all")


def test_pagination(write_article: ArticleWriter, service: SearchService) -> None:
    for number in range(25):
        write_article(f"guide-{number:02d}", "en", f"Mailbox guide {number}", commit=False)
    write_article("last", "en", "Mailbox last")
    service.sync()
    pages = [service.search(SearchQuery("mailbox", page=page, per_page=10)) for page in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 6]
    assert pages[0].total == 26
    assert pages[0].pages == 3
    assert len({key for p in pages for key in keys(p)}) == 26
    assert service.search(SearchQuery("mailbox", page=9)).hits == ()
    assert service.search(SearchQuery("mailbox", per_page=10_000)).per_page == MAX_PER_PAGE


def test_did_you_mean_and_fuzzy_fallback(kb: SearchService) -> None:
    results = kb.search(SearchQuery("pasword", lang="en"))
    assert results.fuzzy
    assert results.notice == "fuzzy"
    assert results.suggestion == "password"
    assert "en/reset-password" in keys(results)


def test_suggest_completes_the_last_word_titles_first(kb: SearchService) -> None:
    assert [e.key for e in kb.suggest("reset pass", lang="en")] == ["en/reset-password"]
    assert "ar/reset-password" in [e.key for e in kb.suggest("كلمة المر")]
    assert kb.suggest("p") == ()


def test_listing_categories_entries_translations(
    kb: SearchService, write_article: ArticleWriter
) -> None:
    page = kb.list_articles(lang="en")
    assert [e.title for e in page.entries] == [
        "Connect to the VPN",
        "Printer jams",
        "Reset your password",
    ]
    assert kb.categories(lang="en") == {"network": 1, "devices": 1, "accounts": 1}
    assert kb.categories(visibility="internal")["network"] == 2
    found = kb.entries(["en/printer", "xx/missing", "en/draft-note", "ar/reset-password"])
    assert [e.key for e in found] == ["en/printer", "ar/reset-password"]
    english = kb.get_entry("reset-password", "en")
    assert english is not None
    assert [e.key for e in kb.translations(english)] == ["ar/reset-password"]
    write_article("vpn-ar", "ar", "الاتصال بالشبكة", "نص", translation_of="vpn-connect")
    kb.sync()
    vpn = kb.get_entry("vpn-connect")
    assert vpn is not None
    assert [e.key for e in kb.translations(vpn)] == ["ar/vpn-ar"]


def test_related_prefers_shared_words_same_language(
    write_article: ArticleWriter, service: SearchService
) -> None:
    write_article(
        "a",
        "en",
        "Outlook rules",
        "Outlook inbox rules move mail into folders.",
        tags=["outlook"],
        commit=False,
    )
    write_article(
        "b",
        "en",
        "Outlook folders",
        "Create folders in the Outlook inbox for mail.",
        tags=["outlook"],
        commit=False,
    )
    write_article("c", "en", "Printer toner", "Replace the toner cartridge.", commit=False)
    write_article("a", "ar", "قواعد Outlook", "قواعد Outlook inbox rules mail folders")
    service.sync()
    entry = service.get_entry("a", "en")
    assert entry is not None
    related = [e.key for e in service.related(entry)]
    assert related[0] == "en/b"
    assert "en/a" not in related
    assert all(key.startswith("en/") for key in related)


HOSTILE = [
    '"unbalanced',
    "(((",
    ")",
    "[",
    "{",
    "*",
    "*ing",
    "?",
    "AND",
    "OR OR",
    "NOT",
    "title:",
    "body:x",
    "a" * 10_000,
    "password " * 3000,
    "\x00",
    "-",
    "+",
    "--x",
    "\\",
    "~2",
    "^3",
    "كلمة*",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%s%n",
    "\u202e",
    " ",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_gives_results_or_a_notice(kb: SearchService, text: str) -> None:
    results = kb.search(SearchQuery(text))
    assert isinstance(results, SearchResults)
    assert results.hits or results.notice in (None, *NOTICES)
    kb.suggest(text)


def test_long_query_is_truncated_with_a_notice(kb: SearchService) -> None:
    results = kb.search(SearchQuery("password " + "x" * 10_000))
    assert results.notice == "truncated"
    assert "en/reset-password" in keys(results)


def test_every_naughty_string(kb: SearchService) -> None:
    for text in naughty_strings():
        results = kb.search(SearchQuery(text, visibility="all"))
        assert isinstance(results, SearchResults)
        assert results.notice is None or results.notice in NOTICES
        kb.suggest(text)


def test_time_guard_returns_partial_or_full_results(
    write_article: ArticleWriter, make_service: object
) -> None:
    for number in range(30):
        write_article(f"t{number}", "en", f"Mailbox {number}", "mailbox quota " * 50, commit=False)
    write_article("last", "en", "Mailbox last")
    service = make_service(search_time_limit=1e-9)  # type: ignore[operator]
    service.sync()
    results = service.search(SearchQuery("mailbox quota"))
    assert results.timed_out or results.total == 31
    if results.timed_out:
        assert results.notice == "timed_out"


def test_golden_check_reports_ranks(kb: SearchService, articles_dir: Path) -> None:
    (articles_dir / "_golden.yml").write_text(
        "queries:\n"
        "  - {q: 'كلمه السر', lang: ar, expect: ar/reset-password}\n"
        "  - {q: 'printer', lang: en, expect: en/printer}\n"
        "  - {q: 'printer', lang: en, expect: en/nothing}\n",
        encoding="utf-8",
    )
    results = kb.check_golden()
    assert [r.rank for r in results] == [1, 1, None]
    assert [r.passed for r in results] == [True, True, False]


def test_golden_check_answers_anew_after_the_file_or_the_articles_change(
    kb: SearchService, articles_dir: Path, write_article: ArticleWriter
) -> None:
    golden = articles_dir / "_golden.yml"
    golden.write_text("queries:\n  - {q: 'toner', lang: en, expect: en/toner}\n", "utf-8")
    assert [r.rank for r in kb.check_golden()] == [None]
    write_article("toner", "en", "Toner cartridge", body="Replace the toner cartridge.")
    kb.sync()
    assert [r.rank for r in kb.check_golden()] == [1]
    golden.write_text(
        "queries:\n  - {q: 'toner', lang: en, expect: en/toner}\n"
        "  - {q: 'toner', lang: en, expect: en/printer}\n",
        "utf-8",
    )
    assert [r.rank for r in kb.check_golden()] == [1, None]


@pytest.mark.parametrize(
    "text",
    [
        "password",
        "reset password",
        '"reset your password"',
        "كلمة السر",
        "vpn client home",
        "+password -printer",
        "+vpn +client",
        "password -tray",
        "الشبكة الخاصة الافتراضية",
    ],
)
def test_cached_word_scores_rank_like_whoosh(kb: SearchService, text: str) -> None:
    """search_plan combines cached per-word scores; it must equal Whoosh's own query tree."""
    index = kb._index  # the engine under the service: compares two internal paths
    synonyms, _version = kb._synonyms.current()
    plan = parse_query(text, synonyms)
    whoosh_query = index.build_query(plan)
    assert whoosh_query is not None
    for visibility in ("public", "all"):
        flt = Filter(visibility)
        expected = index.search(whoosh_query, flt, 0, 10)
        got = index.search_plan(plan, flt, 0, 10)
        assert [h.fields["key"] for h in got.hits] == [h.fields["key"] for h in expected.hits]
        assert [h.score for h in got.hits] == pytest.approx([h.score for h in expected.hits])
        assert (got.total, got.facets, got.timed_out) == (
            expected.total,
            expected.facets,
            expected.timed_out,
        )


def test_cached_scores_match_whoosh_across_segments_and_deletions(
    write_article: ArticleWriter, service: SearchService
) -> None:
    """Long posting lists (several blocks), a second segment and deleted documents."""
    words = ["mailbox", "quota", "archive", "printer", "calendar", "vpn", "password", "reset"]
    for number in range(300):
        picked = " ".join(words[(number * k) % len(words)] for k in range(1, 1 + number % 7))
        write_article(
            f"d{number}", "en", f"Doc {number} {picked}", f"{picked} text " * (1 + number % 5),
            commit=False,
        )  # fmt: skip
    write_article("last", "en", "Last mailbox")
    service.sync()
    for number in range(0, 300, 7):  # edits: deletions in the first segment, a new segment
        write_article(f"d{number}", "en", f"Edited {number}", "mailbox printer reset", commit=False)
    write_article("last", "en", "Last mailbox again")
    assert service.sync().mode == "sync"
    index = service._index
    for text in ("mailbox", "mailbox quota archive", "+reset password", "doc", "printer -vpn"):
        plan = parse_query(text)
        got = index.search_plan(plan, Filter("all"), 0, 50)
        expected = _exhaustive(index, plan)
        assert got.total == len(expected), text
        assert [round(h.score, 9) for h in got.hits] == [round(s, 9) for s in expected[:50]]


def _exhaustive(index: SearchIndex, plan: QueryPlan) -> list[float]:
    """Every score Whoosh gives the plan's query, best first, scoring every match.

    Not ``index.search``: its block-skipping top-k can miss a document near the top, and
    ``docs_for_query`` of an ``AndNot`` over a multi-block posting list kept an excluded
    document (whoosh-reloaded 2.7.5), so exclusions are applied here as set differences.
    """
    excluded = [u for u in plan.units if u.excluded]
    whoosh_query = index.build_query(QueryPlan(tuple(u for u in plan.units if not u.excluded),
                                               plan.words, plan.highlight))  # fmt: skip
    assert whoosh_query is not None
    with index.warm.reading() as searcher:
        inner = UnlimitedCollector()
        searcher.search_with_collector(whoosh_query, inner)
        dropped: set[int] = set()
        for unit in excluded:
            for terms in unit.alternatives:
                dropped |= set(searcher.docs_for_query(text_query(terms)))
        return sorted((s for d, s in inner.results().items() if d not in dropped), reverse=True)
