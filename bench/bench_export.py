"""export: streaming a whole search out of a 100k-document index, over HTTP and from the CLI.

One broad query (eight common words, any of them; about 60 % of the corpus matches) is
exported three ways:

* **http**: ``GET /api/export`` of ``shrinksearch serve`` (uvicorn, its own process), read
  with a streaming ``httpx`` client; the server's RSS is sampled every 20 ms
  (``/proc/<pid>/status``) while it streams;
* **cli**: ``shrinksearch search … --format csv --all`` as a user runs it, stdout read
  through a pipe; its peak RSS is the kernel's (``wait4``), its first byte counts from
  process start (imports included);
* **direct** (the baseline): the same query and sort through a point in time and
  ``search_after`` with the plain Elasticsearch client, each hit's ``_source`` dumped as
  JSON — what reading every match costs without the project's rows and encoding.

Each way exports a first slice (1,000 matches; the CLI's largest page, 100, without
``--all``) and every match; HTTP also the first 10,000 and JSON Lines, the CLI also every
match of a narrower query (``NARROW``, about a sixth as many). Targets: first byte under a
second; memory flat: the peak RSS of exporting every match within 20 % of a smaller export
that already pages at full size (HTTP's first 10,000; the CLI's narrower ``--all``). A slice
that fits in the first small page (100 rows) never holds a full page of 2,000 hits, so the
ratio to it measures the page buffer, not growth with the rows; it is shown for information.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import Elasticsearch

from shrinksearch.export.scan import KEEP_ALIVE, ranking
from shrinksearch.search.builder import Filters
from shrinksearch.search.service import SearchService

from .bench_search import build_index, free_port, start_api, stop_api
from .common import bench_index, client, console, ratio, show, write_results
from .prepared import taxonomy

DOCUMENTS = 100_000
QUERY = os.environ.get("BENCH_EXPORT_QUERY", "patients people medication therapist feel time think work")
NARROW = os.environ.get("BENCH_EXPORT_NARROW", "medication")
SMALL = 1_000
CLI_SMALL = 100  # --limit is a page size, at most MAX_PAGE_SIZE
TARGET_FIRST_BYTE_S = 1.0
TARGET_MEMORY_RATIO = 1.2


class RssSampler(threading.Thread):
    """Peak memory (MiB) of process ``pid``, sampled from ``/proc/<pid>/status`` until stopped
    or the process is gone: the highest VmRSS seen (``field="VmRSS"``, for a server between
    exports), or its own peak since exec (``field="VmHWM"``, for a command run once; the
    kernel's rusage of a child would count the parent's pages it was forked with)."""

    def __init__(self, pid: int, field: str = "VmRSS", interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.field, self.interval, self._done = pid, field, interval, threading.Event()
        self.start_mib = self.peak_mib = self.read()

    def read(self) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(self.field + ":"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError):  # gone (or a zombie without memory lines)
            pass
        return 0.0

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.peak_mib = max(self.peak_mib, self.read())

    def stop(self) -> float:
        self._done.set()
        self.join()
        return round(max(self.peak_mib, self.read()), 1)


def count_rows(path: Path, fmt: str) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        if fmt == "jsonl":
            return sum(1 for _ in fh)
        return sum(1 for _ in csv.reader(fh)) - 1  # less the header


def http_export(base: str, server_pid: int, fmt: str, limit: int | None, scratch: Path) -> dict[str, Any]:
    params: dict[str, Any] = {"q": QUERY, "format": fmt, **({"limit": limit} if limit else {})}
    out = scratch / f"http.{fmt}"
    sampler = RssSampler(server_pid)
    sampler.start()
    started = time.perf_counter()
    first_byte, size = None, 0
    with httpx.stream("GET", f"{base}/api/export", params=params, timeout=900) as response, out.open("wb") as fh:
        response.raise_for_status()
        for chunk in response.iter_raw():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            fh.write(chunk)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return _result(f"http {fmt}", limit, first_byte, seconds, size, count_rows(out, fmt),
                   peak_rss_mib=peak, rss_before_mib=round(sampler.start_mib, 1))


def cli_export(alias: str, limit: int | None, scratch: Path, query: str = QUERY) -> dict[str, Any]:
    cli = str(Path(sys.executable).with_name("shrinksearch"))
    argv = [cli, "search", query, "--format", "csv", *(["--limit", str(limit)] if limit else ["--all"])]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SHRINKSEARCH_INDEX_ALIAS"] = alias
    out = scratch / "cli.csv"
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    sampler = RssSampler(process.pid, field="VmHWM")
    sampler.start()
    first_byte, size = None, 0
    with out.open("wb") as fh:
        while chunk := process.stdout.read1(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            fh.write(chunk)
    peak = sampler.stop()  # before the wait: its /proc entry goes when it is reaped
    returncode = process.wait()
    seconds = time.perf_counter() - started
    if returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} exited with {returncode}")
    way = "cli csv" if query == QUERY else "cli csv narrow"
    return _result(way, limit, first_byte, seconds, size, count_rows(out, "csv"), peak_rss_mib=peak)


def direct_export(es: Elasticsearch, service: SearchService, limit: int | None) -> dict[str, Any]:
    """The baseline: the same query through a PIT and search_after, ``_source`` as JSON."""
    query, order = ranking(service, QUERY, Filters(), "relevance")
    started = time.perf_counter()
    pit = es.open_point_in_time(index=service.alias, keep_alive=KEEP_ALIVE)["id"]
    first_byte, size, rows, after = None, 0, 0, None
    try:
        while limit is None or rows < limit:
            body: dict[str, Any] = {"query": query, "sort": order, "size": 1000 if limit is None else min(1000, limit - rows),
                                    "track_total_hits": False, "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
            if after is not None:
                body["search_after"] = after
            response = es.search(body=body)
            pit = response.get("pit_id", pit)
            hits = response["hits"]["hits"]
            for hit in hits:
                size += len(json.dumps(hit["_source"], ensure_ascii=False).encode()) + 1
            if first_byte is None:
                first_byte = time.perf_counter() - started
            rows += len(hits)
            if len(hits) < body["size"]:
                break
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)
    return _result("direct", limit, first_byte, time.perf_counter() - started, size, rows)


def _result(way: str, limit: int | None, first_byte: float | None, seconds: float, size: int, rows: int, **extra: Any) -> dict[str, Any]:
    line = {"way": way, "limit": limit or "all", "rows": rows, "first_byte_s": round(first_byte or seconds, 3),
            "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds) if seconds else 0,
            "mib": round(size / 2**20, 1), **extra}
    console.print(f"[dim]{line}[/dim]")
    return line


def run(size: int | None = None) -> dict[str, Any]:
    documents = size or DOCUMENTS
    es = client()
    with bench_index(es, "export") as manager, tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        build_index(es, manager.alias, documents)
        service = SearchService(es, manager.alias, taxonomy())
        matches = service.search(QUERY).total
        scratch = Path(tmp)
        port = free_port()
        server = start_api(manager.alias, port)
        try:
            base = f"http://127.0.0.1:{port}"
            results = [direct_export(es, service, SMALL), direct_export(es, service, None)]
            results += [http_export(base, server.pid, "csv", limit, scratch) for limit in (SMALL, 10_000, None)]
            results.append(http_export(base, server.pid, "jsonl", None, scratch))
        finally:
            stop_api(server)
        results += [cli_export(manager.alias, limit, scratch) for limit in (CLI_SMALL, None)]
        results.append(cli_export(manager.alias, None, scratch, NARROW))
    return report(documents, matches, results, es)


def report(documents: int, matches: int, results: list[dict[str, Any]], es: Elasticsearch) -> dict[str, Any]:
    rows = [(r["way"], r["limit"], r["rows"], r["first_byte_s"], r["seconds"], r["rows_per_s"], r["mib"],
             r.get("peak_rss_mib", "")) for r in results]
    show(f"export: '{QUERY}' ({matches:,} matches) out of {documents:,} documents",
         ["way", "limit", "rows", "first byte s", "seconds", "rows/s", "MiB out", "peak RSS MiB"], rows)
    by = {(r["way"], r["limit"]): r for r in results}
    direct = by[("direct", "all")]
    checks = []
    for way, slice_, (paged_way, paged_limit, paged_name) in (
            ("http csv", SMALL, ("http csv", 10_000, "first 10,000")),
            ("cli csv", CLI_SMALL, ("cli csv narrow", "all", f"all {by[('cli csv narrow', 'all')]['rows']:,} of '{NARROW}'"))):
        whole, small, paged = by[(way, "all")], by[(way, slice_)], by[(paged_way, paged_limit)]
        checks.append((f"{way}: every match exported", whole["rows"], whole["rows"] == matches))
        checks.append((f"{way}: first byte < {TARGET_FIRST_BYTE_S:g} s (all)", whole["first_byte_s"], whole["first_byte_s"] < TARGET_FIRST_BYTE_S))
        growth = ratio(whole["peak_rss_mib"], paged["peak_rss_mib"])
        checks.append((f"{way}: peak RSS all / {paged_name} <= {TARGET_MEMORY_RATIO}", growth, growth <= TARGET_MEMORY_RATIO))
        checks.append((f"{way}: peak RSS all / first {slice_:,} (info: the page buffer)",
                       ratio(whole["peak_rss_mib"], small["peak_rss_mib"]), True))
        checks.append((f"{way}: rows/s vs direct (info)", ratio(whole["rows_per_s"], direct["rows_per_s"]), True))
    show("export targets", ["target", "value", "met"], checks)
    payload = {"documents": documents, "query": QUERY, "matches": matches, "results": results,
               "checks": [{"target": c[0], "value": c[1], "met": c[2]} for c in checks]}
    write_results("export", payload, es)
    return payload
