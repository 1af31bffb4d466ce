"""index: documents/s of the project's index step vs a plain ``parallel_bulk``.

Both read the same enriched JSON Lines file (the documents as the flow's index task gets
them) into a fresh index built from the project's mapping, on the same node, with the same
(default) refresh settings; neither refreshes inside the timed part. The project's step is
``stages.index_file`` (parse and validate each ``Document``, ``to_source``, the bulk helper
with per-document failure reports and 429 retries); the baseline is
``elasticsearch.helpers.parallel_bulk`` over ``json.loads`` of each line. Runs alternate
which goes first; 10k runs five rounds each and keeps the median (100k: one each). Target: >= 0.9.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from shrinksearch.pipeline import stages

from .common import bench_index, client, console, ratio, show, timed, wait_for_quiet_node, write_results
from .prepared import enriched_corpus

SIZES = (10_000, 100_000)
TARGET = 0.9
CHUNK = 500  # both sides: the project's default chunk size


def plain_actions(path: Path) -> Iterator[dict[str, Any]]:
    """The prepared documents as bulk actions, with nothing but ``json.loads``."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            source = json.loads(line)
            yield {"_id": source.pop("id"), "_source": source}


def baseline(es: Elasticsearch, path: Path, target: str) -> int:
    failed = 0
    for ok, _ in helpers.parallel_bulk(es, plain_actions(path), index=target, chunk_size=CHUNK, raise_on_error=False):
        failed += not ok
    return failed


def project(es: Elasticsearch, path: Path, target: str) -> int:
    return stages.index_file(path, es, target).failed


RUNNERS = {"parallel_bulk": baseline, "index_file": project}


def one_run(es: Elasticsearch, which: str, path: Path, size: int) -> float:
    """Seconds to index ``path`` into a fresh index; checks every document arrived."""
    with bench_index(es, f"index-{which.replace('_', '-')}") as manager:
        wait_for_quiet_node(es)
        with timed() as watch:
            failed = RUNNERS[which](es, path, manager.alias)
        es.indices.refresh(index=manager.alias)
        count = es.count(index=manager.alias)["count"]
    if failed or count != size:
        raise RuntimeError(f"{which}: {failed} failures, {count} of {size} documents indexed")
    return watch.seconds


def warm_up(es: Elasticsearch) -> None:
    """JIT and caches of the node: one small run of each, not timed."""
    path = enriched_corpus(10_000)
    for which in RUNNERS:
        with bench_index(es, "index-warmup") as manager:
            RUNNERS[which](es, _head(path, 2_000), manager.alias)


def _head(path: Path, lines: int) -> Path:
    head = path.with_name(f"head-{lines}-{path.name}")
    if not head.exists():
        with path.open(encoding="utf-8") as src, head.open("w", encoding="utf-8") as dst:
            for number, line in enumerate(src):
                if number == lines:
                    break
                dst.write(line)
    return head


def measure(es: Elasticsearch, size: int, rounds: int) -> dict[str, Any]:
    path = enriched_corpus(size)
    seconds: dict[str, list[float]] = {name: [] for name in RUNNERS}
    for number in range(rounds):
        order = list(RUNNERS) if number % 2 == 0 else list(reversed(RUNNERS))
        for which in order:
            seconds[which].append(one_run(es, which, path, size))
            console.print(f"[dim]{size:,} docs, {which}: {seconds[which][-1]:.1f}s[/dim]")
    rate = {name: size / statistics.median(s) for name, s in seconds.items()}
    return {
        "documents": size,
        "rounds": rounds,
        "seconds": seconds,
        "baseline_docs_per_s": round(rate["parallel_bulk"], 1),
        "project_docs_per_s": round(rate["index_file"], 1),
        "ratio": ratio(rate["index_file"], rate["parallel_bulk"]),
        "target": TARGET,
    }


def run(size: int | None = None) -> dict[str, Any]:
    es = client()
    warm_up(es)
    results = [measure(es, n, 5 if n <= 20_000 else 1) for n in ((size,) if size else SIZES)]
    rows = [(f"{r['documents']:,}", r["baseline_docs_per_s"], r["project_docs_per_s"], r["ratio"], r["ratio"] >= TARGET)
            for r in results]
    show("index: documents/s (median of rounds)", ["documents", "parallel_bulk", "index_file", "ratio", f">= {TARGET}"], rows)
    payload = {"results": results}
    write_results("index", payload, es)
    return payload
