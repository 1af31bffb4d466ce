"""cli: how long `shrinksearch` takes to answer, as a user types it, next to `python -c pass`.

Each command runs as a fresh process (the console script of this environment), the way a
user starts it: `--help`, `search … --json` and `who … --json`, the last two including their
queries against the real node, over a ``bench-cli`` index of the benchmark corpus (100k
documents by default). Rounds run the commands in rotating order after a warm-up, so load
on this shared machine hits all of them alike; the baseline is `python -c pass` from the
same interpreter in the same rounds. Targets (medians): `--help` <= 0.3 s, `search` and
`who` <= 0.6 s wall.

Byte-code caching is left on for the children (this environment sets
PYTHONDONTWRITEBYTECODE, which a user's shell does not: every start would compile the
package again), and the warm-up writes the caches.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import bench_index, client, console, show, write_results

DOCUMENTS = 100_000
ROUNDS = int(os.environ.get("BENCH_CLI_ROUNDS", "15"))
WARM_UP = 2
TARGETS_S = {"--help": 0.3, "search": 0.6, "who": 0.6}
SEARCH_TEXT = "lithium side effects"
WHO_TEXT = "who discusses transference and vacations"


def commands() -> dict[str, list[str]]:
    """What is timed: the baseline and the CLI commands, as argv lists."""
    cli = str(Path(sys.executable).with_name("shrinksearch"))
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "--help": [cli, "--help"],
        "search": [cli, "search", SEARCH_TEXT, "--json"],
        "who": [cli, "who", WHO_TEXT, "--json"],
    }


def child_env(alias: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SHRINKSEARCH_INDEX_ALIAS"] = alias
    return env


def wall_seconds(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of one run, start to exit; fails loudly if the command failed."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return seconds


def measure(env: dict[str, str], rounds: int) -> dict[str, list[float]]:
    runs = commands()
    names = list(runs)
    for _ in range(WARM_UP):
        for name in names:
            wall_seconds(runs[name], env)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(wall_seconds(runs[name], env))
    return samples


def run(size: int | None = None) -> dict[str, Any]:
    from .bench_search import build_index

    documents = size or DOCUMENTS
    es = client()
    with bench_index(es, "cli") as manager:
        build_index(es, manager.alias, documents)
        samples = measure(child_env(manager.alias), ROUNDS)
    return report(documents, samples, es)


def report(documents: int, samples: dict[str, list[float]], es: Any) -> dict[str, Any]:
    stats = {name: {"median": round(statistics.median(v), 3), "min": round(min(v), 3), "max": round(max(v), 3),
                    "n": len(v)} for name, v in samples.items()}
    base = stats["python -c pass"]["median"]
    rows = [(name, s["median"], s["min"], s["max"], round(s["median"] - base, 3)) for name, s in stats.items()]
    show(f"cli: wall seconds per run, {ROUNDS} rounds, index of {documents:,} documents",
         ["command", "median", "min", "max", "median - python -c pass"], rows)
    checks = [(f"{name}: median <= {target:g} s", stats[name]["median"], stats[name]["median"] <= target)
              for name, target in TARGETS_S.items()]
    show("cli targets", ["target", "value", "met"], checks)
    payload = {"documents": documents, "rounds": ROUNDS, "warm_up": WARM_UP, "search_text": SEARCH_TEXT,
               "who_text": WHO_TEXT, "seconds": stats, "samples": samples,
               "checks": [{"target": c[0], "value": c[1], "met": c[2]} for c in checks]}
    write_results("cli", payload, es)
    return payload
