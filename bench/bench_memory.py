"""memory: peak RSS of the pipeline (clean → enrich → index) at 10k vs 100k documents.

Each size runs in a fresh child process (``python -m bench.bench_memory --child``) that
runs the three stage functions the flow runs, on a generated raw corpus, indexing into a
``bench-memory`` alias. The child samples its own RSS (``/proc/self/statm``) every 50 ms
to get each stage's peak, and reports ``ru_maxrss`` (the kernel's peak) at the end. The
10k run is the baseline of the 100k run. Target: the 100k peak within 20 % of the 10k one.

The child leaves its cleaned and enriched files in ``bench/results/corpus`` where the index
and search benchmarks pick them up instead of building them again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from typing import Any

from .common import BENCH_DIR, client, console, drop_indices, ratio, show, write_results

SIZES = (10_000, 100_000)
TARGET = 1.2
ALIAS = "bench-memory"
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE / 2**20


class PeakSampler(threading.Thread):
    """Samples the process's RSS; ``peak`` is the highest since the last ``reset``."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak, self._stop = interval, rss_mib(), threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_mib())

    def reset(self) -> float:
        peak, self.peak = max(self.peak, rss_mib()), rss_mib()
        return round(peak, 1)

    def stop(self) -> None:
        self._stop.set()


def child(size: int) -> dict[str, Any]:
    """The pipeline on ``size`` documents in this process; peaks per stage, in MiB."""
    from shrinksearch.es.index import IndexManager
    from shrinksearch.pipeline import stages

    from .common import settings
    from .prepared import corpus_path, raw_corpus, taxonomy

    raw = raw_corpus(size)  # generated before measuring: not part of the pipeline
    es = client()
    drop_indices(es, ALIAS)
    IndexManager(es, ALIAS, settings().index_config_dir).init()
    sampler = PeakSampler()
    sampler.start()
    peaks: dict[str, float] = {"start": sampler.reset()}
    timings: dict[str, float] = {}
    cleaned, enriched, rejects = corpus_path("cleaned", size), corpus_path("enriched", size), corpus_path("rejects", size)
    rejects.unlink(missing_ok=True)
    steps = [
        ("clean", lambda: stages.clean_file([raw], cleaned, rejects)),
        ("enrich", lambda: stages.enrich_file(cleaned, enriched, rejects, taxonomy())),
        ("index", lambda: stages.index_file(enriched, es, ALIAS)),
    ]
    try:
        for name, step in steps:
            started = time.perf_counter()
            step()
            timings[name] = round(time.perf_counter() - started, 1)
            peaks[name] = sampler.reset()
        es.indices.refresh(index=ALIAS)
        indexed = es.count(index=ALIAS)["count"]
    finally:
        sampler.stop()
        drop_indices(es, ALIAS)
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"documents": size, "indexed": indexed, "peak_rss_mib": round(max_rss_mib, 1),
            "stage_peaks_mib": peaks, "stage_seconds": timings}


def measure(size: int) -> dict[str, Any]:
    """Run ``child(size)`` in a fresh interpreter; its JSON report."""
    cmd = [sys.executable, "-m", "bench.bench_memory", "--child", str(size)]
    done = subprocess.run(cmd, cwd=BENCH_DIR.parent, check=True, capture_output=True, text=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    console.print(f"[dim]{size:,} documents: peak {report['peak_rss_mib']} MiB, stages {report['stage_peaks_mib']}, "
                  f"seconds {report['stage_seconds']}[/dim]")
    return report


def run(size: int | None = None) -> dict[str, Any]:
    sizes = (SIZES[0], size) if size else SIZES
    reports = [measure(n) for n in sizes]
    base, big = reports[0], reports[-1]
    growth = ratio(big["peak_rss_mib"], base["peak_rss_mib"])
    rows = [(f"{r['documents']:,}", r["peak_rss_mib"], *(r["stage_peaks_mib"][s] for s in ("clean", "enrich", "index")),
             r["stage_seconds"]["clean"] + r["stage_seconds"]["enrich"] + r["stage_seconds"]["index"]) for r in reports]
    show("memory: peak RSS of clean → enrich → index (MiB)", ["documents", "ru_maxrss", "clean", "enrich", "index", "seconds"], rows)
    show("memory target", ["target", "value", "met"], [(f"peak({big['documents']:,}) / peak({base['documents']:,}) <= {TARGET}", growth, growth <= TARGET)])
    payload = {"runs": reports, "ratio": growth, "target": TARGET}
    write_results("memory", payload)
    return payload


def _main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, required=True, help="documents")
    print(json.dumps(child(parser.parse_args().child)))


if __name__ == "__main__":
    _main()
