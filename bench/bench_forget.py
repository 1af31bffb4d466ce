"""forget: seconds for ``shrinksearch forget`` on a 100k-document installation.

The generated corpus (``bench.prepared``: raw records, cleaned and enriched documents) is
indexed into a ``bench-forget`` alias, and a data directory is laid out as a pipeline run
leaves it: the crawl output in ``raw/``, the run files in ``runs/<time>/``. Then three
forgets, each timed end to end (``shrinksearch.privacy.forget.forget``: tombstone, every
index version, every file of the data directory, audit): one post by URL (its thread), the
most prolific commenter (the corpus's Zipf head: several thousand documents), one whole blog.

Baseline, in the same run: the reading any forget must do at the least — the matching ids
scanned from the index and every line of the data directory parsed with ``json.loads`` —
without writing anything. Target: each forget under 60 s at 100k documents (the ratio to
the baseline shows what the matching, hashing and rewriting add).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from shrinksearch.pipeline import stages
from shrinksearch.privacy.forget import forget
from shrinksearch.settings import Settings

from .common import RESULTS_DIR, bench_index, client, console, ratio, settings, show, timed, wait_for_quiet_node, write_results
from .prepared import corpus_path, enriched_corpus, raw_corpus

SIZE = 100_000
TARGET_SECONDS = 60.0


def lay_out_data_dir(size: int) -> Path:
    """A fresh data directory holding the corpus as a pipeline run leaves it."""
    data = RESULTS_DIR / "forget-data"
    shutil.rmtree(data, ignore_errors=True)
    run = data / "runs" / "20240101T000000000000"
    (data / "raw").mkdir(parents=True)
    run.mkdir(parents=True)
    shutil.copyfile(raw_corpus(size), data / "raw" / "corpus-20240101T000000Z.jsonl")
    for stage in ("cleaned", "enriched"):
        shutil.copyfile(corpus_path(stage, size), run / f"{stage}.jsonl")
    return data


def selectors(es: Elasticsearch, alias: str) -> list[tuple[str, dict[str, str]]]:
    """A post with comments, the most prolific named commenter, the smallest blog."""
    aggs = {"authors": {"terms": {"field": "author_key", "size": 2, "exclude": "anonymous"}},
            "blogs": {"terms": {"field": "blog_url", "size": 100, "order": {"_count": "asc"}}},
            "threads": {"terms": {"field": "post_id", "size": 1}}}
    found = es.search(index=alias, size=0, query={"term": {"kind": "comment"}}, aggs=aggs)["aggregations"]
    post = es.get(index=alias, id=found["threads"]["buckets"][0]["key"])["_source"]["url"]
    return [("post by URL", {"url": post}), ("commenter", {"author": found["authors"]["buckets"][0]["key"]}),
            ("blog", {"blog": found["blogs"]["buckets"][0]["key"]})]


def baseline(es: Elasticsearch, alias: str, query: dict[str, Any], data: Path) -> int:
    """The least a forget reads: matching ids, and every line of every data file."""
    ids = sum(1 for _ in helpers.scan(es, index=alias, query={"query": query, "_source": False}, size=5000))
    for dirpath, _, files in os.walk(data):
        for name in files:
            with open(Path(dirpath) / name, "rb") as fh:
                for line in fh:
                    json.loads(line)
    return ids


def measure(es: Elasticsearch, size: int) -> list[dict[str, Any]]:
    enriched = enriched_corpus(size)
    rows = []
    with bench_index(es, "forget") as manager:
        report = stages.index_file(enriched, es, manager.alias)
        es.indices.refresh(index=manager.alias)
        assert report.ok and es.count(index=manager.alias)["count"] == size, report.failures[:3]
        data = lay_out_data_dir(size)
        app_settings = settings().model_copy(update={"data_dir": data, "index_alias": manager.alias,
                                                     "privacy_dir": RESULTS_DIR / "forget-privacy"})
        shutil.rmtree(RESULTS_DIR / "forget-privacy", ignore_errors=True)
        for name, selector in selectors(es, manager.alias):
            rows.append(one_forget(es, app_settings, name, selector, data))
    return rows


def one_forget(es: Elasticsearch, app_settings: Settings, name: str, selector: dict[str, str], data: Path) -> dict[str, Any]:
    preview = forget(**selector, dry_run=True, settings=app_settings, client=es)
    wait_for_quiet_node(es)
    query = {"bool": {"should": [{"ids": {"values": [d.doc_id for d in preview.index.found if d.doc_id]}}]}}
    with timed() as base:
        baseline(es, app_settings.index_alias, query, data)
    with timed() as watch:
        done = forget(**selector, settings=app_settings, client=es)
    console.print(f"[dim]{name}: {done.index.documents:,} documents, {done.data.records:,} records in "
                  f"{done.data.files} files: {watch.seconds:.1f}s (baseline {base.seconds:.1f}s)[/dim]")
    return {"selector": name, "documents": done.index.documents, "records": done.data.records, "files": done.data.files,
            "seconds": round(watch.seconds, 2), "baseline_seconds": round(base.seconds, 2),
            "ratio_to_baseline": ratio(watch.seconds, base.seconds), "target_seconds": TARGET_SECONDS}


def run(size: int | None = None) -> dict[str, Any]:
    es = client()
    n = size or SIZE
    rows = measure(es, n)
    show(f"forget on {n:,} documents (index + data directory)",
         ["selector", "documents", "records", "files", "seconds", "baseline s", "ratio", f"< {TARGET_SECONDS:g} s"],
         [(r["selector"], r["documents"], r["records"], r["files"], r["seconds"], r["baseline_seconds"],
           r["ratio_to_baseline"], r["seconds"] < TARGET_SECONDS) for r in rows])
    payload = {"documents": n, "results": rows}
    write_results("forget", payload, es)
    shutil.rmtree(RESULTS_DIR / "forget-data", ignore_errors=True)
    return payload
