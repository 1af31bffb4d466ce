"""search: latency of full-text and "who" queries on a 100k-document index, three ways.

* **direct**: the exact requests the library sends (captured per query by a pass-through
  client that records ``search``/``msearch`` calls), replayed with the plain Elasticsearch
  client — what the queries cost Elasticsearch plus one client;
* **library**: ``SearchService.search`` / ``.who`` in this process;
* **http**: ``GET /api/search`` / ``/api/who`` of ``shrinksearch serve`` (uvicorn, its own
  process, loopback) with an ``httpx`` client.

The queries are the judged sample questions (``index_config/judgments.yaml`` and
``judgments-2.yaml``): "who" questions go to "who", the rest to full-text search. Each is asked in turn, the three
ways in rotating order, for a bounded number of rounds after a warm-up. Targets: library and
HTTP p95 at most 10 ms over direct; full-text p95 <= 50 ms, "who" p95 <= 150 ms (HTTP).

The same questions come back every round, so Elasticsearch's request cache answers the
facet counts of a search (a size-0 request) after the first time; ``BENCH_REQUEST_CACHE=0``
turns it off on the benchmark index to time every request as if it were new.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml
from elasticsearch import Elasticsearch, helpers

from shrinksearch.search.service import SearchService

from .bench_index import plain_actions
from .common import bench_index, client, console, percentiles, settings, show, timed, wait_for_quiet_node, write_results
from .prepared import enriched_corpus, taxonomy

DOCUMENTS = 100_000
QUERIES_PER_KIND = int(os.environ.get("BENCH_QUERIES", "200"))
REQUEST_CACHE = os.environ.get("BENCH_REQUEST_CACHE", "1") != "0"
WARM_UP = 20
TARGET_OVERHEAD_MS = 10.0
TARGET_P95_MS = {"search": 50.0, "who": 150.0}


class RecordingClient:
    """Forwards everything to a real client; keeps the search requests it was asked to send."""

    def __init__(self, es: Elasticsearch) -> None:
        self._es = es
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def search(self, **kwargs: Any) -> Any:
        self.calls.append(("search", kwargs))
        return self._es.search(**kwargs)

    def msearch(self, **kwargs: Any) -> Any:
        self.calls.append(("msearch", kwargs))
        return self._es.msearch(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._es, name)


JUDGMENT_FILES = ("judgments.yaml", "judgments-2.yaml")


def judged_queries() -> dict[str, list[str]]:
    """Both judged sample sets: "who" questions (typed so, or with expected people) to
    "who", the rest to full-text search."""
    queries = [q for name in JUDGMENT_FILES
               for q in yaml.safe_load((settings().index_config_dir / name).read_text(encoding="utf-8"))["queries"]]
    is_who = [q.get("type") == "who" or bool(q.get("people")) for q in queries]
    return {"search": [q["query"] for q, who in zip(queries, is_who) if not who],
            "who": [q["query"] for q, who in zip(queries, is_who) if who]}


def captured_requests(service: SearchService, recorder: RecordingClient, kind: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    recorder.calls = []
    getattr(service, kind)(text)
    return list(recorder.calls)


def direct(es: Elasticsearch, calls: list[tuple[str, dict[str, Any]]]) -> None:
    for method, kwargs in calls:
        getattr(es, method)(**kwargs)


def build_index(es: Elasticsearch, alias: str, size: int) -> None:
    path = enriched_corpus(size)
    with timed() as watch:
        for ok, item in helpers.parallel_bulk(es, plain_actions(path), index=alias, chunk_size=500, raise_on_error=False):
            if not ok:
                raise RuntimeError(f"indexing failed: {item}")
        es.indices.refresh(index=alias)
    wait_for_quiet_node(es)
    console.print(f"[dim]indexed {es.count(index=alias)['count']:,} documents into {alias} in {watch.seconds:.0f}s[/dim]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_api(alias: str, port: int) -> subprocess.Popen[bytes]:
    """``shrinksearch serve`` on 127.0.0.1:port over ``alias``; returns once it answers."""
    env = dict(os.environ, SHRINKSEARCH_INDEX_ALIAS=alias, SHRINKSEARCH_WEB_HOST="127.0.0.1", SHRINKSEARCH_WEB_PORT=str(port))
    command = [str(Path(sys.executable).with_name("shrinksearch")), "serve"]
    server = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    stop_api(server)
    raise RuntimeError("shrinksearch serve did not come up")


def stop_api(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def measure_kind(kind: str, texts: list[str], ways: dict[str, Callable[[str], None]], rounds: int) -> dict[str, Any]:
    """Latencies (ms) per way, asking each text in turn, ways in rotating order; for each
    way but the first (direct), also its per-question difference to direct."""
    names = list(ways)
    for number in range(WARM_UP):
        for name in names:
            ways[name](texts[number % len(texts)])
    samples: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        text = texts[number % len(texts)]
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            ways[name](text)
            samples[name].append((time.perf_counter() - started) * 1000)
    stats: dict[str, Any] = {name: percentiles(values) for name, values in samples.items()}
    for name in names[1:]:  # the same question asked the same round: what this way adds to direct
        added = [way - base for way, base in zip(samples[name], samples[names[0]])]
        stats[name]["added_paired"] = percentiles(added)
    return stats


def run(size: int | None = None) -> dict[str, Any]:
    documents = size or DOCUMENTS
    es = client()
    queries = judged_queries()
    results: dict[str, Any] = {}
    with bench_index(es, "search") as manager:
        build_index(es, manager.alias, documents)
        es.indices.put_settings(index=manager.alias, settings={"index.requests.cache.enable": REQUEST_CACHE})
        recorder = RecordingClient(es)
        recording = SearchService(recorder, manager.alias, taxonomy())  # type: ignore[arg-type]
        service = SearchService(es, manager.alias, taxonomy())
        captured = {kind: {t: captured_requests(recording, recorder, kind, t) for t in texts} for kind, texts in queries.items()}
        gc.freeze()  # as the web app does once started: what is built before timing lives for the run
        port = free_port()
        server = start_api(manager.alias, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                for kind, texts in queries.items():
                    def over_http(text: str, kind: str = kind) -> None:
                        http.get(f"/api/{kind}", params={"q": text}).raise_for_status()

                    ways: dict[str, Callable[[str], None]] = {
                        "direct": lambda text, kind=kind: direct(es, captured[kind][text]),
                        "library": lambda text, kind=kind: getattr(service, kind)(text),
                        "http": over_http,
                    }
                    results[kind] = measure_kind(kind, texts, ways, QUERIES_PER_KIND)
                    results[kind]["requests_per_query"] = {t: len(c) for t, c in captured[kind].items()}
        finally:
            stop_api(server)
    return report(documents, queries, results, es)


def report(documents: int, queries: dict[str, list[str]], results: dict[str, Any], es: Elasticsearch) -> dict[str, Any]:
    rows, checks = [], []
    for kind in ("search", "who"):
        base = results[kind]["direct"]
        for way in ("direct", "library", "http"):
            p = results[kind][way]
            over = round(p["p95"] - base["p95"], 2)
            paired = p.get("added_paired", {})
            rows.append((f"{kind} / {way}", p["p50"], p["p95"], p["p99"], p["mean"], "" if way == "direct" else over,
                         "" if way == "direct" else f"{paired['p50']:.1f} / {paired['p95']:.1f}"))
            if way != "direct":
                checks.append((f"{kind} {way}: p95 over direct <= {TARGET_OVERHEAD_MS:g} ms", over, over <= TARGET_OVERHEAD_MS))
        p95 = results[kind]["http"]["p95"]
        checks.append((f"{kind} http p95 <= {TARGET_P95_MS[kind]:g} ms", p95, p95 <= TARGET_P95_MS[kind]))
    cache = "request cache on" if REQUEST_CACHE else "request cache off"
    show(f"search: latency on {documents:,} documents, {QUERIES_PER_KIND} queries per kind, {cache} (ms)",
         ["kind / way", "p50", "p95", "p99", "mean", "p95 - direct p95", "added p50 / p95 (paired)"], rows)
    show("search targets", ["target", "value", "met"], checks)
    payload = {"documents": documents, "queries_per_kind": QUERIES_PER_KIND, "warm_up": WARM_UP, "request_cache": REQUEST_CACHE,
               "queries": queries,
               "latency_ms": results, "checks": [{"target": c[0], "value": c[1], "met": c[2]} for c in checks]}
    write_results("search", payload, es)
    return payload
