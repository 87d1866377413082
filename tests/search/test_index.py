"""The index as a rebuildable cache: swaps, syncs, corruption and several processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from portal.config import load_settings
from portal.kb.repository import ArticleRepository
from portal.search.models import SearchQuery
from portal.search.services import SearchService
from tests.support.articles import ArticleWriter, git
from tests.support.search import ServiceFactory


def found(service: SearchService, text: str) -> list[str]:
    return [hit.entry.key for hit in service.search(SearchQuery(text, visibility="all")).hits]


def test_rebuild_swaps_generations_while_searchers_keep_working(
    write_article: ArticleWriter, make_service: ServiceFactory, tmp_path: Path
) -> None:
    write_article("a", "en", "Mailbox quota", "Archive old mail.")
    reader, writer = make_service(), make_service()
    writer.rebuild()
    assert found(reader, "mailbox") == ["en/a"]
    first = os.readlink(tmp_path / "search_index" / "current")
    for _ in range(3):
        writer.rebuild()
        assert found(reader, "mailbox") == ["en/a"]  # its open searcher still reads
    assert os.readlink(tmp_path / "search_index" / "current") != first
    generations = list((tmp_path / "search_index").glob("gen-*"))
    assert len(generations) == 2  # the live one and the one just replaced


def test_search_builds_a_missing_index_by_itself(
    write_article: ArticleWriter, service: SearchService
) -> None:
    write_article("a", "en", "Mailbox quota")
    assert found(service, "mailbox") == ["en/a"]


def test_sync_follows_add_edit_delete_rename(
    write_article: ArticleWriter, articles_dir: Path, service: SearchService
) -> None:
    write_article("a", "en", "Mailbox quota")
    write_article("b", "en", "Printer jams")
    assert service.sync().mode == "rebuild"
    assert service.sync().mode == "noop"

    write_article("c", "en", "Calendar sharing")
    report = service.sync()
    assert (report.mode, report.added) == ("sync", 1)
    assert found(service, "calendar") == ["en/c"]

    write_article("a", "en", "Mailbox archive")
    assert service.sync().updated == 1
    assert found(service, "quota") == []
    assert found(service, "archive") == ["en/a"]

    git(articles_dir, "rm", "-q", "general/b.en.md")
    git(articles_dir, "commit", "-q", "-m", "remove b")
    assert service.sync().removed == 1
    assert found(service, "printer") == []

    git(articles_dir, "mv", "general/c.en.md", "general/d.en.md")
    git(articles_dir, "commit", "-q", "-m", "rename c")
    service.sync()
    hits = service.search(SearchQuery("calendar")).hits
    assert [(h.entry.key, h.entry.path) for h in hits] == [("en/d", "general/d.en.md")]


def test_sync_indexes_uncommitted_edits_and_their_revert(
    write_article: ArticleWriter, articles_dir: Path, service: SearchService
) -> None:
    write_article("a", "en", "Mailbox quota")
    service.sync()
    write_article("a", "en", "Mailbox archive", commit=False)
    write_article("new", "en", "Untracked teams guide", commit=False)
    service.sync()
    assert found(service, "archive") == ["en/a"]
    assert found(service, "teams") == ["en/new"]
    git(articles_dir, "checkout", "-q", "--", "general/a.en.md")
    (articles_dir / "general" / "new.en.md").unlink()
    service.sync()
    assert found(service, "quota") == ["en/a"]
    assert found(service, "archive") == []
    assert found(service, "teams") == []


def test_broken_file_is_reported_while_the_others_index(
    write_article: ArticleWriter, service: SearchService
) -> None:
    write_article("good", "en", "Mailbox quota")
    write_article("bad", "en", raw="---\ntitle: [unclosed\n---\nbody\n")
    report = service.rebuild()
    assert any("general/bad.en.md:" in problem for problem in report.problems)
    assert found(service, "mailbox") == ["en/good"]
    write_article("bad2", "en", raw="---\nlang: en\n---\nno title\n")
    report = service.sync()
    assert any("general/bad2.en.md" in problem for problem in report.problems)
    assert found(service, "mailbox") == ["en/good"]


def test_sync_never_indexes_a_duplicate_id_twice(
    write_article: ArticleWriter, articles_dir: Path, service: SearchService
) -> None:
    write_article("a", "en", "Mailbox quota")
    service.sync()
    write_article("copy", "en", "Mailbox copy", id="a")
    report = service.sync()
    assert any("duplicate id 'a'" in problem for problem in report.problems)
    assert found(service, "mailbox") == ["en/a"]
    assert service.list_articles(visibility="all").total == 1


def test_garbage_in_segment_files_is_rebuilt(
    write_article: ArticleWriter,
    service: SearchService,
    tmp_path: Path,
    make_service: ServiceFactory,
) -> None:
    write_article("a", "en", "Mailbox quota")
    service.sync()
    current = (tmp_path / "search_index" / "current").resolve()
    for segment in current.iterdir():
        if segment.suffix in (".seg", ".toc"):
            segment.write_bytes(b"\x00garbage" * 64)
    fresh = make_service()
    assert found(fresh, "mailbox") == ["en/a"]
    assert (tmp_path / "search_index" / "current").resolve() != current


def test_deleted_current_link_is_rebuilt_by_sync(
    write_article: ArticleWriter, service: SearchService, tmp_path: Path
) -> None:
    write_article("a", "en", "Mailbox quota")
    service.sync()
    (tmp_path / "search_index" / "current").unlink()
    assert service.sync().mode == "rebuild"
    assert found(service, "mailbox") == ["en/a"]


def test_an_edit_synced_by_one_process_is_seen_by_another(
    write_article: ArticleWriter, make_service: ServiceFactory
) -> None:
    write_article("a", "en", "Mailbox quota")
    reader, writer = make_service(), make_service()
    writer.sync()
    assert found(reader, "calendar") == []
    write_article("c", "en", "Calendar sharing")
    writer.sync()
    deadline = time.monotonic() + 2.0
    while found(reader, "calendar") != ["en/c"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found(reader, "calendar") == ["en/c"]


def _sync_in_child(articles: str, index_dir: str, instance: str) -> str:
    settings = load_settings(
        {
            "articles_dir": articles,
            "index_dir": index_dir,
            "instance_dir": instance,
            "secret_key": "test",
            "testing": True,
        }
    )
    service = SearchService(settings, ArticleRepository(Path(articles)))
    try:
        return service.sync().mode
    finally:
        service.close()


@pytest.mark.slow
def test_two_processes_syncing_at_once(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, service: SearchService
) -> None:
    for number in range(20):
        write_article(f"a{number}", "en", f"Mailbox {number}", commit=False)
    write_article("last", "en", "Mailbox last")
    arguments = (str(articles_dir), str(tmp_path / "search_index"), str(tmp_path / "instance"))
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        modes = pool.starmap(_sync_in_child, [arguments, arguments])
    assert sorted(modes) == ["noop", "rebuild"]
    results = service.search(SearchQuery("mailbox", per_page=50))
    assert results.total == 21
    assert len({hit.entry.key for hit in results.hits}) == 21


def test_did_you_mean_spells_the_word_as_the_articles_do_after_an_edit(
    write_article: ArticleWriter, service: SearchService
) -> None:
    """The spelling of a correction is kept per searcher: an edit's new searcher re-reads it."""
    write_article("a", "en", "Remote access", "Connect the VPN client. The VPN starts.")
    write_article("b", "en", "Printer jams", "Open the tray.")
    assert service.search(SearchQuery("vpm")).suggestion == "VPN"
    write_article("a", "en", "Remote access", "Connect the vpn client. The vpn starts.")
    service.sync()
    assert service.search(SearchQuery("vpm")).suggestion == "vpn"
