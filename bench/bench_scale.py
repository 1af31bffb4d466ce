"""scale: crawl-and-index with 1 vs 2 workers on a work pool, and indexing on 1 vs 3 nodes.

**Crawl.** A scaled sample network of ``BLOGS`` blogs (``corpus.scaled_network``, ``--size``
posts each), every blog on a loopback address of its own (127.0.0.2, 127.0.0.3, …: distinct
hosts, so politeness does not serialize them), a Prefect server of the benchmark's own,
`shrinksearch deploy --pool` and real `shrinksearch worker start` processes (their default
limit of 3 flow runs each). One `crawl-and-index` run over every blog (``fast``, full) is
created as the UI's Run button does, fans out to one run per blog, and is timed from creation
to completion; pages are the sample server's responses. Rounds alternate 1 and 2 workers.

**Index.** The enriched benchmark corpus indexed by the project's index step
(``stages.index_file``) into a single node of the benchmark's own and into a 3-node cluster
(`node start --nodes 3`) with the same total heap (``HEAP``), both running at once and taking
turns, each into a fresh index of 3 shards (0 replicas: the same work on both; the cluster
with 1 replica is timed too).

Both compare scale-out against a baseline in the same run on the same machine; on a machine
with two cores, workers and nodes share those two cores (see BENCHMARKS.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import yaml
from elasticsearch import Elasticsearch
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from shrinksearch.es.index import IndexManager
from shrinksearch.node import NodeManager
from shrinksearch.node.cluster import ClusterManager, free_base_port
from shrinksearch.pipeline import stages
from shrinksearch.prefect_server import PrefectServer
from shrinksearch.samples import AccessLog, expected_counts, running_hosts

from .common import console, drop_indices, ratio, settings, show, wait_for_quiet_node, write_results
from .corpus import scaled_network
from .prepared import enriched_corpus

BLOGS = 20
POSTS_PER_BLOG = 60
CRAWL_ROUNDS = 2  # each of 1 and 2 workers
POOL = "bench-scale"
DOCUMENTS = 20_000
INDEX_ROUNDS = 3
HEAP = "1536m"  # one node's, or three nodes' together
CLI = str(Path(sys.executable).with_name("shrinksearch"))


# --- crawl: 1 vs 2 workers -----------------------------------------------------------------


def crawl_part(posts: int) -> dict[str, Any]:
    network = scaled_network(posts, BLOGS)
    counts = expected_counts(network).blogs
    documents = sum(c.posts + c.comments for c in counts.values())
    hosts = [f"127.0.0.{2 + number}" for number in range(BLOGS)]
    log = AccessLog()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        api = stack.enter_context(prefect_server(work / "prefect"))
        bases = stack.enter_context(running_hosts(hosts, network=network, access_log=log))
        sources = write_sources(work / "sources.yaml", network, bases)
        env = dict(os.environ, PREFECT_API_URL=api, SHRINKSEARCH_SOURCES_FILE=str(sources), SHRINKSEARCH_INDEX_ALIAS="bench-scale-crawl")
        subprocess.run([CLI, "deploy", "--pool", POOL], env=env, check=True, capture_output=True, timeout=600)
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for number in range(CRAWL_ROUNDS):
            for workers in (1, 2) if number % 2 == 0 else (2, 1):
                env["SHRINKSEARCH_DATA_DIR"] = str(work / f"data-{workers}-{number}")
                runs[workers].append(crawl_round(api, env, workers, log, documents))
                console.print(f"[dim]{workers} worker(s): {runs[workers][-1]['seconds']:.1f}s, {runs[workers][-1]['pages']} pages[/dim]")
    summary = {n: {"seconds": statistics.median(r["seconds"] for r in rounds), "pages": rounds[0]["pages"], "rounds": rounds}
               for n, rounds in runs.items()}
    for entry in summary.values():
        entry["pages_per_s"] = round(entry["pages"] / entry["seconds"], 1)
    return {"blogs": BLOGS, "posts_per_blog": posts, "documents": documents, "by_workers": summary,
            "ratio_2_vs_1": ratio(summary[2]["pages_per_s"], summary[1]["pages_per_s"])}


def crawl_round(api: str, env: dict[str, str], workers: int, log: AccessLog, documents: int) -> dict[str, Any]:
    """One fanned-out crawl-and-index with ``workers`` workers; its wall time and pages."""
    es = _client(settings().es_url)
    drop_indices(es, "bench-scale-crawl")
    started_log = len(log.snapshot())
    processes = [start_worker(f"w{n}", env) for n in range(workers)]
    try:
        time.sleep(5)  # let them start polling; not timed
        with temporary_settings({PREFECT_API_URL: api}):
            began = time.perf_counter()
            run = run_deployment("crawl-and-index/crawl-and-index", parameters={"group": "bench", "fast": True, "incremental": False},
                                 timeout=3600, poll_interval=1, as_subflow=False)
            seconds = time.perf_counter() - began
    finally:
        for process in processes:
            process.terminate()
            process.wait(60)
    if run.state is None or not run.state.is_completed():
        raise RuntimeError(f"crawl-and-index with {workers} worker(s) ended {run.state}")
    es.indices.refresh(index="bench-scale-crawl")
    indexed = es.count(index="bench-scale-crawl")["count"]
    drop_indices(es, "bench-scale-crawl")
    if indexed != documents:
        raise RuntimeError(f"{workers} worker(s): {indexed} documents indexed, expected {documents}")
    pages = sum(1 for e in log.snapshot()[started_log:] if not e.path.endswith("/robots.txt"))
    return {"seconds": round(seconds, 2), "pages": pages, "documents": indexed}


def start_worker(name: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([CLI, "worker", "start", "--pool", POOL, "--name", name], env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def write_sources(path: Path, network: Any, bases: list[str]) -> Path:
    entries = [{"name": slug, "url": f"{base}/{slug}/", "platform": blog.platform}
               for (slug, blog), base in zip(network.blogs.items(), bases)]
    path.write_text(yaml.safe_dump({"groups": {"bench": entries}}), encoding="utf-8")
    return path


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    server = PrefectServer(settings(), home=home, port=_free_port(), scheduler=False)
    server.start()
    try:
        yield server.api_url
    finally:
        server.stop()


# --- index: 1 vs 3 nodes ---------------------------------------------------------------------


def index_part(size: int) -> dict[str, Any]:
    path = enriched_corpus(size)
    with tempfile.TemporaryDirectory(prefix="bench-scale-nodes-") as tmp, ExitStack() as stack:
        single = stack.enter_context(single_node(Path(tmp) / "single"))
        cluster = stack.enter_context(three_nodes(Path(tmp) / "cluster"))
        targets = {"1 node": (single, 0), "3 nodes": (cluster, 0), "3 nodes, 1 replica": (cluster, 1)}
        seconds: dict[str, list[float]] = {name: [] for name in targets}
        for number in range(INDEX_ROUNDS):
            order = list(targets) if number % 2 == 0 else list(reversed(targets))
            for name in order:
                es, replicas = targets[name]
                seconds[name].append(index_round(es, path, size, replicas))
                console.print(f"[dim]{size:,} docs into {name}: {seconds[name][-1]:.1f}s[/dim]")
    rates = {name: round(size / statistics.median(s), 1) for name, s in seconds.items()}
    return {"documents": size, "heap_total": HEAP, "shards": 3, "seconds": seconds, "docs_per_s": rates,
            "ratio_3_vs_1": ratio(rates["3 nodes"], rates["1 node"]),
            "ratio_3_with_replica_vs_1": ratio(rates["3 nodes, 1 replica"], rates["1 node"])}


def index_round(es: Elasticsearch, path: Path, size: int, replicas: int) -> float:
    manager = IndexManager(es, "bench-scale-index", settings().index_config_dir, shards=3, replicas=replicas)
    drop_indices(es, manager.alias)
    manager.init()
    try:
        es.cluster.health(wait_for_status="green", timeout="120s")
        wait_for_quiet_node(es)
        began = time.perf_counter()
        report = stages.index_file(path, es, manager.alias)
        seconds = time.perf_counter() - began
        es.indices.refresh(index=manager.alias)
        count = es.count(index=manager.alias)["count"]
    finally:
        drop_indices(es, manager.alias)
    if report.failed or count != size:
        raise RuntimeError(f"{report.failed} failures, {count} of {size} documents indexed")
    return round(seconds, 2)


@contextmanager
def single_node(home: Path) -> Iterator[Elasticsearch]:
    port = free_base_port(9380, 9399, 1)
    manager = NodeManager(settings().model_copy(update={"node_home": home, "node_port": port, "node_heap": HEAP}))
    manager.start()
    try:
        yield _client(manager.url)
    finally:
        manager.stop()
        shutil.rmtree(manager.home.root, ignore_errors=True)


@contextmanager
def three_nodes(home: Path) -> Iterator[Elasticsearch]:
    port = free_base_port(9380, 9399, 3)
    cluster = ClusterManager(settings().model_copy(update={"node_home": home, "node_port": port, "node_heap": HEAP}))
    cluster.start(3)
    try:
        yield _client(",".join(m.url for m in cluster.recorded()))
    finally:
        cluster.stop()
        shutil.rmtree(cluster.home.root, ignore_errors=True)


def _client(urls: str) -> Elasticsearch:
    return Elasticsearch(urls.split(","), request_timeout=120, retry_on_timeout=True, max_retries=3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- both ------------------------------------------------------------------------------------


def run(size: int | None = None) -> dict[str, Any]:
    crawl = crawl_part(size or POSTS_PER_BLOG)
    index = index_part(DOCUMENTS)
    by = crawl["by_workers"]
    show(f"scale: crawl-and-index of {BLOGS} blogs x {crawl['posts_per_blog']} posts, each on its own 127.0.0.x (median of {CRAWL_ROUNDS})",
         ["workers", "seconds", "pages", "pages/s", "vs 1 worker"],
         [(n, round(by[n]["seconds"], 1), by[n]["pages"], by[n]["pages_per_s"], ratio(by[n]["pages_per_s"], by[1]["pages_per_s"])) for n in (1, 2)])
    rates = index["docs_per_s"]
    show(f"scale: indexing {DOCUMENTS:,} documents, 3 shards, {HEAP} of heap in all (median of {INDEX_ROUNDS})",
         ["target", "docs/s", "vs 1 node"], [(name, rate, ratio(rate, rates["1 node"])) for name, rate in rates.items()])
    payload = {"crawl": crawl, "index": index}
    write_results("scale", payload)
    return payload
