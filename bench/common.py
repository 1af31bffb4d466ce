"""What every benchmark shares: the machine and versions, result tables and JSON files,
Elasticsearch indices of their own (created fresh, always deleted), timing and percentiles.

Results go to ``bench/results/<name>.json`` (gitignored); BENCHMARKS.md summarises them.
Benchmarks touch only aliases named ``bench-…`` on the node given by the settings.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from rich.console import Console
from rich.table import Table

from shrinksearch.es.client import check_connection, make_client
from shrinksearch.es.index import IndexManager
from shrinksearch.settings import Settings, get_settings

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
CORPUS_DIR = RESULTS_DIR / "corpus"
console = Console(width=None if sys.stdout.isatty() else 150)


# --- machine and versions ----------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def machine(client: Elasticsearch | None = None) -> dict[str, Any]:
    """Where and with what a benchmark ran."""
    try:
        es_version = check_connection(client or make_client())
    except Exception as err:  # noqa: BLE001 - the node may be down for non-ES benchmarks
        es_version = f"unavailable ({err.__class__.__name__})"
    return {
        "nproc": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "cpu": _cpu_model(),
        "load_avg_1_5_15_min": [round(v, 2) for v in os.getloadavg()],  # when the results were written
        "python": platform.python_version(),
        "elasticsearch_server": es_version,
        "elasticsearch_py": version("elasticsearch"),
        "scrapy": version("scrapy"),
        "prefect": version("prefect"),
        "commit": _git_head(),
    }


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- results -------------------------------------------------------------------------------


def write_results(name: str, payload: dict[str, Any], client: Elasticsearch | None = None) -> Path:
    """``bench/results/<name>.json`` with the payload, the machine and the time of the run."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {"benchmark": name, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "machine": machine(client), **payload}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"[dim]results: {path}[/dim]")
    return path


def show(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """One rich table; numbers are printed as given (round them before)."""
    table = Table(title=title, title_justify="left")
    for number, column in enumerate(columns):
        table.add_column(column, justify="left" if number == 0 else "right")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "[green]yes[/green]" if value else "[red]NO[/red]"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 3) if baseline else float("nan")


# --- timing --------------------------------------------------------------------------------


@dataclass
class Stopwatch:
    started: float = 0.0
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch(time.perf_counter())
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - watch.started


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (and mean) in milliseconds, from at least a few samples."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "mean": round(statistics.fmean(samples_ms), 2),
        "n": len(samples_ms),
    }


# --- Elasticsearch: indices of the benchmark's own ------------------------------------------


def settings() -> Settings:
    return get_settings()


def client() -> Elasticsearch:
    """A client like the application's, with room for 100k-document bulk runs."""
    return make_client(settings().model_copy(update={"es_request_timeout": 120.0}))


@contextmanager
def bench_index(es: Elasticsearch, name: str) -> Iterator[IndexManager]:
    """A fresh ``bench-<name>`` alias over ``bench-<name>-v1`` (the project's mapping);
    every ``bench-<name>-v*`` index is deleted afterwards, whatever happens."""
    alias = f"bench-{name}"
    manager = IndexManager(es, alias, settings().index_config_dir)
    drop_indices(es, alias)
    manager.init()
    try:
        yield manager
    finally:
        drop_indices(es, alias)


def drop_indices(es: Elasticsearch, alias: str) -> None:
    """Delete every ``<alias>-v<N>`` (by name: the node refuses wildcard deletes)."""
    names = list(es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all", features="aliases"))
    if names:
        es.indices.delete(index=names)


def wait_for_quiet_node(es: Elasticsearch, timeout: float = 60.0) -> None:
    """Let merges and refreshes of a previous run finish before timing the next."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = es.nodes.stats(metric="indices", index_metric="merge")
        merging = sum(n["indices"]["merges"]["current"] for n in stats["nodes"].values())
        if merging == 0:
            return
        time.sleep(0.5)
