"""cli: how long `shrinksearch` takes to answer, as a user types it, next to `python -c pass`.

Each command runs as a fresh process (the console script of this environment), the way a
user starts it: `--help`, `search … --json` and `who … --json`, the last two including their
queries against the real node, over a ``bench-cli`` index of the benchmark corpus (100k
documents by default). Rounds run the commands in rotating order after a warm-up, so load
on this shared machine hits all of them alike; the baseline is `python -c pass` from the
same interpreter in the same rounds. Targets (medians): `--help` <= 0.3 s, `search` and
`who` <= 0.6 s wall. The CPU time each process used (user + system, from ``wait4``) is
reported too: on a loaded machine wall time mostly measures waiting for a core.

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

from .common import bench_index, client, show, write_results

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


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time of one run, start to exit, and the CPU time (user + system) the process
    used; fails loudly if the command failed."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed ({process.returncode}): {errors[-500:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def measure(env: dict[str, str], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Per command, its wall and CPU seconds over ``rounds`` rounds in rotating order."""
    runs = commands()
    names = list(runs)
    for _ in range(WARM_UP):
        for name in names:
            run_once(runs[name], env)
    samples: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = run_once(runs[name], env)
            samples[name]["wall"].append(wall)
            samples[name]["cpu"].append(cpu)
    return samples


def run(size: int | None = None) -> dict[str, Any]:
    from .bench_search import build_index

    documents = size or DOCUMENTS
    es = client()
    with bench_index(es, "cli") as manager:
        build_index(es, manager.alias, documents)
        samples = measure(child_env(manager.alias), ROUNDS)
    return report(documents, samples, es)


def report(documents: int, samples: dict[str, dict[str, list[float]]], es: Any) -> dict[str, Any]:
    stats = {name: {"median": round(statistics.median(v["wall"]), 3), "min": round(min(v["wall"]), 3),
                    "max": round(max(v["wall"]), 3), "cpu_median": round(statistics.median(v["cpu"]), 3),
                    "n": len(v["wall"])} for name, v in samples.items()}
    base = stats["python -c pass"]["median"]
    rows = [(name, s["median"], s["min"], s["max"], round(s["median"] - base, 3), s["cpu_median"]) for name, s in stats.items()]
    show(f"cli: seconds per run, {ROUNDS} rounds, index of {documents:,} documents",
         ["command", "wall median", "min", "max", "median - python -c pass", "CPU median"], rows)
    checks = [(f"{name}: median <= {target:g} s", stats[name]["median"], stats[name]["median"] <= target)
              for name, target in TARGETS_S.items()]
    show("cli targets", ["target", "value", "met"], checks)
    payload = {"documents": documents, "rounds": ROUNDS, "warm_up": WARM_UP, "search_text": SEARCH_TEXT,
               "who_text": WHO_TEXT, "seconds": stats, "samples": samples,
               "checks": [{"target": c[0], "value": c[1], "met": c[2]} for c in checks]}
    write_results("cli", payload, es)
    return payload
