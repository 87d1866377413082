"""Search speed at realistic sizes: rebuild, edit → searchable, warm query latency, HTTP.

Builds an articles repository from the shared corpora (kb-en-office-support and
kb-ar-m365-insights, repeated with variations to reach each size) in a temporary directory,
then prints, for Sanad and for a naive baseline (plain Whoosh, StandardAnalyzer, OR query,
warm searcher) in the same run:

- full rebuild time;
- one-article sync time (edit, commit, ``sync()``, the edit found by a search);
- warm query latency p50/p95/p99 over ≥ 300 queries taken from titles and headings of both
  corpora (uncached, and repeated through the result cache);
- with ``--http``: the same queries through ``GET /api/v1/search`` under
  ``sanad serve --workers 2``, from 8 client processes on a Zipf mix (popular queries repeat);
  then the naive baseline over HTTP (``bench/naive_app.py``: plain Whoosh in plain Flask on
  gunicorn, 2 sync workers) with the same mix, and a plain Flask template page, the server's
  own ceiling on this machine.

With ``wrk`` installed (Debian's package; ``--client python`` forces the old client), the HTTP
load comes from ``wrk`` (8 connections, 2 threads,
the same Zipf sequence through a Lua script) instead of 8 Python processes: a C client costs
the shared cores far less, as in the issue's reference figures (a plain page at ~3,300 req/s
on the same server), and the log-in page is measured the same way for comparison.

    .venv/bin/python bench/search.py [--sizes corpus,1000,10000,50000] [--http] [--seconds 10]
                                     [--client python|wrk] [--sentences yes|no|only]

``corpus`` is the imported real corpora themselves, one article per corpus article (~5,400).
The sentence mix (``make_sentences``: 400 distinct whole-sentence questions, half ARCD, half
SemEval) is asked once each, in process with the answer cache cleared before each, and over
HTTP one at a time, through ``/api/v1/search`` and ``/api/v1/suggest``, beside the naive
baseline's answer to the same questions.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.config import load_settings  # noqa: E402
from portal.kb.repository import ArticleRepository  # noqa: E402
from portal.search.models import SearchQuery  # noqa: E402
from portal.search.services import SearchService  # noqa: E402

# ../shared/data beside the repository (or beside a worktree's parent directory).
DATA = next(
    (p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
    ROOT.parent / "shared" / "data",
)
CORPORA = (("en", DATA / "kb-en-office-support"), ("ar", DATA / "kb-ar-m365-insights"))
QUERY_COUNT = 400


@dataclass(frozen=True)
class Source:
    lang: str
    title: str
    description: str
    body: str
    category: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "general"


def load_sources() -> list[Source]:
    """Every corpus article with a title, in Sanad's terms."""
    sources: list[Source] = []
    for lang, root in CORPORA:
        if not root.exists():
            sys.exit(f"corpus {root} is absent (it ships in ../shared/data, beside the repo)")
        for path in sorted(root.rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            meta: dict[str, Any] = {}
            body = text
            if text.startswith("---"):
                end = text.find("\n---", 3)
                if end > 0:
                    try:
                        loaded = yaml.safe_load(text[3:end])
                    except yaml.YAMLError:
                        loaded = None
                    meta = loaded if isinstance(loaded, dict) else {}
                    body = text[end + 4 :]
            title = str(meta.get("title") or "").strip()
            if not title:
                heading = re.search(r"^# (.+)$", body, re.MULTILINE)
                title = heading.group(1).strip() if heading else ""
            if not title or len(body) < 50:
                continue
            category = _slug(path.relative_to(root).parts[0])
            description = str(meta.get("description") or "").strip()
            sources.append(Source(lang, title, description, body, category))
    return sources


def write_articles(root: Path, sources: list[Source], size: int) -> None:
    """``size`` articles: the corpora, then again with shuffled paragraphs and new titles."""
    rng = random.Random(size)
    root.mkdir(parents=True)
    for number in range(size):
        source = sources[number % len(sources)]
        round_ = number // len(sources)
        body = source.body
        title = source.title
        if round_:
            paragraphs = body.split("\n\n")
            rng.shuffle(paragraphs)
            body = "\n\n".join(paragraphs)
            title = f"{title} ({round_ + 1})"
        meta = {
            "id": f"a{number}",
            "title": title,
            "lang": source.lang,
            "category": source.category,
            "tags": [source.category],
            "description": source.description,
        }
        directory = root / source.category
        directory.mkdir(exist_ok=True)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (directory / f"a{number}.{source.lang}.md").write_text(
            f"---\n{front}---\n\n{body}\n", encoding="utf-8"
        )
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "corpus"], check=True)


def make_queries(sources: list[Source], count: int) -> list[tuple[str, str]]:
    """(query, lang): title fragments and headings of both corpora, as people type them."""
    rng = random.Random(7)
    candidates: list[tuple[str, str]] = []
    for source in sources:
        candidates.append((source.title, source.lang))
        for heading in re.findall(r"^##+ (.+)$", source.body, re.MULTILINE)[:2]:
            candidates.append((heading, source.lang))
    rng.shuffle(candidates)
    queries: list[tuple[str, str]] = []
    for text, lang in candidates:
        words = re.sub(r"[`*_\[\]()#:]", " ", text).split()
        if len(words) < 2:
            continue
        take = rng.randint(2, min(6, len(words)))
        queries.append((" ".join(words[:take]), lang))
        if len(queries) >= count:
            break
    english = [q for q in queries if q[1] == "en"]
    arabic = [q for q in queries if q[1] == "ar"]
    half = count // 2
    return english[:half] + arabic[: count - half]


SENTENCE_COUNT = 400


def make_sentences(count: int = SENTENCE_COUNT) -> list[tuple[str, str]]:
    """(question, lang): distinct whole-sentence questions, half Arabic, half English.

    Arabic: ARCD's questions; English: the subjects and first sentences of the SemEval-2016
    forum questions. Real questions people asked, with their stop words and long tails;
    every one distinct, so no answer is ever repeated from a cache.
    """
    import json
    import xml.etree.ElementTree as ET

    rng = random.Random(11)
    arcd = json.loads((DATA / "arcd-ar" / "data_arcd.json").read_text(encoding="utf-8"))
    arabic = [
        " ".join(qa["question"].split())
        for article in arcd["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    english: list[str] = []
    for name in ("SemEval2016-Task3-CQA-QL-dev.xml", "SemEval2016-Task3-CQA-QL-train-part2.xml"):
        root = ET.parse(DATA / "semeval2016-ql-en" / name).getroot()  # noqa: S314  # shared set
        for question in root.iter("RelQuestion"):
            subject = " ".join((question.findtext("RelQSubject") or "").split())
            body = " ".join((question.findtext("RelQBody") or "").split())
            first = re.split(r"(?<=[.?!])\s", body, maxsplit=1)[0]
            text = subject if len(subject.split()) >= 5 else f"{subject} {first}"
            english.append(" ".join(text.split()[:25]))
    out: list[tuple[str, str]] = []
    for lang, pool in (("ar", arabic), ("en", english)):
        distinct = [text for text in dict.fromkeys(pool) if len(text.split()) >= 4]
        rng.shuffle(distinct)
        out.extend((text, lang) for text in distinct[: count // 2])
    rng.shuffle(out)
    return out


def bench_sentences(service: SearchService, sentences: list[tuple[str, str]]) -> None:
    """In process, one at a time, the result cache cleared before each: p50/p95/p99."""
    for label in ("words on first use", "words cached"):
        samples: list[float] = []
        cpu: list[float] = []
        for text, _lang in sentences:
            service.clear_answers()
            started, started_cpu = time.perf_counter(), time.process_time()
            service.search(SearchQuery(text))
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(
            f"  sanad    sentences   {percentiles(samples)}  ({label}, {len(sentences)} "
            "distinct questions, uncached)"
        )
        print(f"  sanad    sent. cpu   {percentiles(cpu)}  (same, CPU time)")
    samples = []
    for text, _lang in sentences:
        service.clear_answers()
        started = time.perf_counter()
        service.suggest(text)
        samples.append(time.perf_counter() - started)
    print(f"  sanad    suggest     {percentiles(samples)}  (the same questions typed as a ticket)")


def sequential_http(port: int, paths: list[str]) -> list[float]:
    """Each path once, one request at a time (no concurrency, no repeats)."""
    latencies: list[float] = []
    for path in paths:
        status, elapsed = _get(port, path)
        if status == 200:
            latencies.append(elapsed)
    return latencies


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    return f"p50 {at(0.50):6.2f} ms  p95 {at(0.95):6.2f} ms  p99 {at(0.99):6.2f} ms"


def _cpu_with_children() -> float:
    """CPU seconds of this process and its finished children (the rebuild's helpers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_sanad(
    work: Path, queries: list[tuple[str, str]], sentences: list[tuple[str, str]]
) -> Path:
    articles = work / "articles"
    settings = load_settings(
        {
            "articles_dir": articles,
            "index_dir": work / "index",
            "instance_dir": work / "instance",
            "secret_key": "bench",
        }
    )
    service = SearchService(settings, ArticleRepository(articles))
    started, started_cpu = time.perf_counter(), _cpu_with_children()
    report = service.rebuild()
    print(
        f"  sanad    rebuild     {time.perf_counter() - started:7.2f} s  ({report.added} docs; "
        f"CPU {_cpu_with_children() - started_cpu:.2f} s incl. helper processes)"
    )

    for text, _lang in queries[:30]:  # warm the searcher and the analysis cache
        service.search(SearchQuery(text))
    # Pass 1: most words are scored for the first time (the per-searcher word-score cache is
    # empty but for the warm-up). Pass 2: the result cache is cleared before every query, the
    # word scores stay cached: a warm worker answering a query it has not seen yet.
    for label in ("uncached, words on first use", "uncached, words cached"):
        uncached: list[float] = []
        cpu: list[float] = []
        for text, _lang in queries:
            service.clear_answers()  # measure the engine, not the result cache
            started, started_cpu = time.perf_counter(), time.process_time()
            service.search(SearchQuery(text))
            uncached.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(f"  sanad    query       {percentiles(uncached)}  ({label}, {len(queries)} queries)")
        print(f"  sanad    query cpu   {percentiles(cpu)}  (same, CPU time of this process)")
    for text, _lang in queries:  # fill the result cache
        service.search(SearchQuery(text))
    cached: list[float] = []
    for text, _lang in queries:
        started = time.perf_counter()
        service.search(SearchQuery(text))
        cached.append(time.perf_counter() - started)
    print(f"  sanad    query       {percentiles(cached)}  (repeated: result cache)")
    if sentences:
        bench_sentences(service, sentences)

    target = next(articles.rglob("*.en.md"))
    reader = SearchService(settings, ArticleRepository(articles))  # another "worker"
    reader.search(SearchQuery("warm"))
    target.write_text(target.read_text(encoding="utf-8") + "\nzqxbenchword\n", encoding="utf-8")
    git = ["git", "-C", str(articles), "-c", "user.name=b", "-c", "user.email=b@localhost"]
    subprocess.run([*git, "commit", "-q", "-am", "edit"], check=True)
    started = time.perf_counter()
    service.sync()
    synced = time.perf_counter() - started
    while not reader.search(SearchQuery("zqxbenchword")).hits:
        time.sleep(0.01)
    visible = time.perf_counter() - started
    print(
        f"  sanad    sync        {synced:7.3f} s  (one edited article; "
        f"searchable in another service after {visible:.3f} s)"
    )
    service.close()
    reader.close()
    return articles


def bench_naive(
    work: Path,
    sources: list[Source],
    size: int,
    queries: list[tuple[str, str]],
    sentences: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Path:
    directory = work / "naive"
    directory.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), content=TEXT(analyzer=StandardAnalyzer()))
    ix = whoosh_index.create_in(str(directory), schema)
    started, started_cpu = time.perf_counter(), _cpu_with_children()
    writer = ix.writer(limitmb=128)
    for number in range(size):
        source = sources[number % len(sources)]
        writer.add_document(id=str(number), content=f"{source.title}\n{source.body}")
    writer.commit()
    print(
        f"  naive    rebuild     {time.perf_counter() - started:7.2f} s  "
        f"(CPU {_cpu_with_children() - started_cpu:.2f} s)"
    )
    parser = QueryParser("content", schema, group=OrGroup)
    with ix.searcher() as searcher:
        for text, _lang in queries[:30]:
            searcher.search(parser.parse(text), limit=10)
        samples: list[float] = []
        cpu: list[float] = []
        for text, _lang in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            results = searcher.search(parser.parse(text), limit=10)
            [hit["id"] for hit in results]
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(f"  naive    query       {percentiles(samples)}")
        print(f"  naive    query cpu   {percentiles(cpu)}")
        if sentences:
            samples = []
            for text, _lang in sentences:
                started = time.perf_counter()
                results = searcher.search(parser.parse(text), limit=10)
                [hit["id"] for hit in results]
                samples.append(time.perf_counter() - started)
            print(f"  naive    sentences   {percentiles(samples)}  (the same questions)")
    ix.close()
    return directory


# --- HTTP ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def _client(
    port: int,
    paths: list[str],
    weights: list[float],
    seconds: float,
    seed: int,
    count: int | None = None,
) -> tuple[list[float], int]:
    """Requests for ``seconds``, or exactly ``count`` requests when given."""
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    while len(latencies) + errors < count if count is not None else time.monotonic() < deadline:
        path = rng.choices(paths, weights)[0]
        try:
            status, elapsed = _get(port, path)
        except OSError:
            errors += 1
            continue
        if status == 200:
            latencies.append(elapsed)
        else:
            errors += 1
    return latencies, errors


def _zipf_weights(count: int) -> list[float]:
    """How often each query of the mix is asked: the k-th most popular 1/k as often."""
    return [1 / (rank + 1) for rank in range(count)]


def _wrk_sequence(paths: list[str], weights: list[float]) -> list[str]:
    """The mix as the fixed request sequence wrk's Lua script walks through."""
    return random.Random(7).choices(paths, weights, k=20_000)


def _python_clients(
    port: int,
    paths: list[str],
    weights: list[float],
    seconds: float,
    count: int | None = None,
    first_seed: int = 0,
) -> tuple[list[float], int, float]:
    """8 client processes on the mix: (latencies of the 200s, errors, seconds they took)."""
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        started = time.perf_counter()
        outcomes = pool.starmap(
            _client,
            [(port, paths, weights, seconds, first_seed + seed, count) for seed in range(8)],
        )
        elapsed = time.perf_counter() - started
    latencies = [value for found, _errors in outcomes for value in found]
    return latencies, sum(errors for _found, errors in outcomes), elapsed


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (gunicorn's workers), from /proc."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """utime + stime of ``pids`` (from /proc/<pid>/stat), in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _wrk(port: int, sequence: list[str], seconds: float, script: Path) -> tuple[float, str, int]:
    """req/s, the latency line and the non-2xx count of one wrk run over ``sequence``."""
    quoted = ",\n".join(
        '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"' for path in sequence
    )
    script.write_text(
        "local paths = {\n" + quoted + "\n}\n"
        "local threads = 0\n"
        "function setup(thread) thread:set('offset', threads * 7919); threads = threads + 1 end\n"
        "function init(args) i = offset or 0 end\n"
        "function request()\n"
        "  i = i + 1\n"
        "  if i > #paths then i = 1 end\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n",
        encoding="utf-8",
    )
    command = ["wrk", "-t", "2", "-c", "8", "-d", f"{seconds:.0f}s", "--latency", "-s",
               str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s*([\d.]+)", output)
    latency = " ".join(
        f"p{found[0]} {found[1]}" for found in re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.M)
    )
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return (
        float(rate.group(1)) if rate else 0.0,
        latency + (f" ({errors.group(0)})" if errors else ""),
        int(bad.group(1)) if bad else 0,
    )


def bench_http_wrk(
    port: int, workers: list[int], paths: list[str], weights: list[float], seconds: float,
    work: Path,
) -> None:  # fmt: skip
    """The same Zipf mix from wrk (a C client), and the log-in page for comparison."""
    if shutil.which("wrk") is None:
        print("  http     skipped: wrk is not installed (apt-get install wrk)")
        return
    sequence = _wrk_sequence(paths, weights)
    before = _cpu_seconds(workers)
    rate, latency, bad = _wrk(port, sequence, seconds, work / "mix.lua")
    spent = _cpu_seconds(workers) - before
    per_request = spent / max(1.0, rate * seconds)
    print(
        f"  http     {rate:7.0f} req/s  {latency}  (wrk: 8 connections, {seconds:.0f} s, Zipf mix "
        f"of {len(paths)} queries, {bad} non-2xx; {per_request * 1000:.3f} ms worker CPU/request)"
    )
    rate, latency, bad = _wrk(port, ["/auth/login"], seconds, work / "page.lua")
    print(
        f"  http     {rate:7.0f} req/s  {latency}  (wrk, the log-in page: a template with a form)"
    )


@contextlib.contextmanager
def _serving(
    command: list[str], env: dict[str, str], port: int, probe: str, seconds: float
) -> Iterator[tuple[int, int]]:
    """Start a server, wait until ``probe`` answers; yield (its status or 0, its pid); stop it."""
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + seconds
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = _get(port, probe)
                break
            except OSError:
                time.sleep(0.3)
        yield status, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def bench_http(
    work: Path,
    articles: Path,
    queries: list[tuple[str, str]],
    seconds: float,
    index_dir: Path | None = None,
    client: str = "python",
    sentences: list[tuple[str, str]] = (),  # type: ignore[assignment]
    sentences_only: bool = False,
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SANAD_ARTICLES_DIR": str(articles),
        "SANAD_INDEX_DIR": str(index_dir or work / "http-index"),
        "SANAD_DATABASE_URL": f"sqlite:///{work / 'sanad.db'}",
        "SANAD_INSTANCE_DIR": str(work / "instance"),
    }
    command = [sys.executable, "-c", "from portal.cli import main; main()", "serve",
               "--workers", "2", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with _serving(command, env, port, "/api/v1/search?q=test", 180) as (status, pid):
        if status == 404:
            print("  http     skipped: GET /api/v1/search answers 404 (no API route yet)")
            return
        if status != 200:
            print(f"  http     skipped: the server did not answer (status {status})")
            return
        paths = [
            "/api/v1/search?" + urllib.parse.urlencode({"q": text, "lang": lang})
            for text, lang in queries
        ]
        weights = _zipf_weights(len(paths))
        for path in paths[:50]:
            _get(port, path)
        if sentences:
            sentence_paths = [
                "/api/v1/search?" + urllib.parse.urlencode({"q": text}) for text, _ in sentences
            ]
            latencies = sequential_http(port, sentence_paths)
            print(
                f"  http     sentences   {percentiles(latencies)}  (one at a time, each of "
                f"{len(sentence_paths)} distinct questions once: no answer cache)"
            )
            suggest_paths = [
                "/api/v1/suggest?" + urllib.parse.urlencode({"q": text}) for text, _ in sentences
            ]
            latencies = sequential_http(port, suggest_paths)
            print(
                f"  http     suggest     {percentiles(latencies)}  (GET /api/v1/suggest, the "
                "same questions, one at a time)"
            )
            if sentences_only:
                return
        if client == "wrk":
            print(f"  http     load average {os.getloadavg()[0]:.2f} before the run")
            bench_http_wrk(port, _children(pid), paths, weights, seconds, work)
            return
        workers = _children(pid)
        print(
            f"  http     load average {os.getloadavg()[0]:.2f} before the run; "
            f"{len(workers)} gunicorn workers"
        )
        worker_cpu = _cpu_seconds(workers)
        master_cpu = _cpu_seconds([pid])
        latencies, errors, elapsed = _python_clients(port, paths, weights, seconds)
        worker_cpu = _cpu_seconds(workers) - worker_cpu
        master_cpu = _cpu_seconds([pid]) - master_cpu
        answered = max(1, len(latencies) + errors)
        print(
            f"  http     {len(latencies) / elapsed:7.0f} req/s  {percentiles(latencies)}  "
            f"(8 clients, {seconds:.0f} s, Zipf mix of {len(paths)} queries, {errors} errors)"
        )
        # Load-independent: CPU time the server spent per request, whatever else ran beside it.
        # 2 workers on 2 dedicated cores could answer at most 2 / (this) requests per second.
        per_request = worker_cpu / answered
        print(
            f"  http     cpu/request {per_request * 1000:6.3f} ms in the workers during that run "
            f"(+{master_cpu / answered * 1000:.3f} ms master; {answered} requests; includes "
            "each worker's first answer to each query, so it rises when fewer requests fit)"
        )
        # Fixed work, independent of load: every query answered 8 times first (both workers
        # have then almost surely seen it), then 8 clients × 500 requests of the mix, measured.
        for path in paths * 8:
            _get(port, path)
        worker_cpu = _cpu_seconds(workers)
        latencies, errors, _elapsed = _python_clients(
            port, paths, weights, 0.0, count=500, first_seed=100
        )
        worker_cpu = _cpu_seconds(workers) - worker_cpu
        answered = max(1, len(latencies) + errors)
        per_request = worker_cpu / answered
        print(
            f"  http     cpu/request {per_request * 1000:6.3f} ms in the workers, every query "
            f"already answered once ({answered} requests; 2 workers on 2 free cores: at most "
            f"{2 / per_request if per_request else 0:,.0f} req/s)"
        )


def bench_http_naive(
    work: Path,
    naive_dir: Path,
    queries: list[tuple[str, str]],
    seconds: float,
    client: str,
    sentences: list[tuple[str, str]] = (),  # type: ignore[assignment]
    sentences_only: bool = False,
) -> None:
    """The naive baseline over HTTP: plain Whoosh in plain Flask (bench/naive_app.py) on
    gunicorn with 2 sync workers, the same Zipf mix; and a plain template page."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"),
               "naive_app:create_app()"]  # fmt: skip
    env = {**os.environ, "NAIVE_INDEX": str(naive_dir)}
    with _serving(command, env, port, "/page", 60) as (status, _pid):
        if status != 200:
            print(f"  naive    http skipped: the naive server did not answer (status {status})")
            return
        paths = ["/search?" + urllib.parse.urlencode({"q": text}) for text, _lang in queries]
        weights = _zipf_weights(len(paths))
        for path in paths[:50]:
            _get(port, path)
        if sentences:
            latencies = sequential_http(
                port, ["/search?" + urllib.parse.urlencode({"q": t}) for t, _ in sentences]
            )
            print(f"  naive    http sentences {percentiles(latencies)}  (one at a time)")
            if sentences_only:
                return
        if client == "wrk" and shutil.which("wrk"):
            sequence = _wrk_sequence(paths, weights)
            rate, latency, bad = _wrk(port, sequence, seconds, work / "naive-mix.lua")
            print(
                f"  naive    http {rate:7.0f} req/s  {latency}  (plain Whoosh in Flask, gunicorn "
                f"2 sync workers, wrk 8 connections, the same Zipf mix, {bad} non-2xx)"
            )
            rate, latency, bad = _wrk(port, ["/page"], seconds, work / "naive-page.lua")
            print(f"  naive    http {rate:7.0f} req/s  {latency}  (a plain Flask template page)")
            return
        latencies, errors, elapsed = _python_clients(port, paths, weights, seconds)
        print(
            f"  naive    http {len(latencies) / elapsed:7.0f} req/s  {percentiles(latencies)}  "
            f"(plain Whoosh in Flask, 8 Python clients, the same Zipf mix, {errors} errors)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="corpus,1000,10000,50000",
        help="comma-separated article counts; corpus = the real corpora as they are",
    )
    parser.add_argument("--http", action="store_true", help="also measure GET /api/v1/search")
    parser.add_argument("--seconds", type=float, default=10.0, help="HTTP load duration")
    parser.add_argument(
        "--sentences",
        choices=("yes", "no", "only"),
        default="yes",
        help="the whole-sentence mix (ARCD and SemEval questions); only = skip the Zipf load",
    )
    parser.add_argument(
        "--client",
        choices=("python", "wrk"),
        default="wrk" if shutil.which("wrk") else "python",
        help="HTTP load generator (default: wrk when installed, else 8 Python processes)",
    )
    args = parser.parse_args()
    sources = load_sources()
    print(
        f"corpora: {len(sources)} articles; cores available: {len(os.sched_getaffinity(0))} "
        f"(nproc), {os.cpu_count()} on the machine"
    )
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("  (wall-clock figures need a quiet machine; the CPU figures hold under load)")
    queries = make_queries(sources, QUERY_COUNT)
    print(f"queries: {len(queries)} (titles and headings, both languages)")
    sentences = make_sentences() if args.sentences != "no" else []
    only = args.sentences == "only"
    if sentences:
        print(f"sentences: {len(sentences)} distinct whole-sentence questions (ARCD, SemEval)")
    sizes = [
        len(sources) if part.strip() == "corpus" else int(part)
        for part in args.sizes.split(",")
        if part.strip()
    ]
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"sanad-bench-{size}-"))
        try:
            print(f"\n{size} articles (load average {os.getloadavg()[0]:.2f})")
            write_articles(work / "articles", sources, size)
            articles = bench_sanad(work, queries, sentences)
            naive_dir = bench_naive(work, sources, size, queries, sentences)
            if args.http:
                bench_http(
                    work, articles, queries, args.seconds, client=args.client,
                    sentences=sentences, sentences_only=only,
                )  # fmt: skip
                bench_http_naive(
                    work, naive_dir, queries, args.seconds, args.client, sentences, only
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
