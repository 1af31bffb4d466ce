"""Helpers for the scale-out tests: blogs on several loopback hosts, real `shrinksearch worker`
processes, and reading who fetched what from the sample server's access log.

Each worker sends its own user agent (``SHRINKSEARCH_USER_AGENT``), so the access log says
which worker fetched every request. "Killing a worker" kills its whole process tree with
SIGKILL — the worker, the flow-run processes it started (Prefect puts them in sessions of their
own) and their crawls — as when its machine goes down.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from shrinksearch.samples import AccessLog

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
WORKER_AGENT = "shrinksearch-test/{name}"


def write_sources(path: Path, blogs: dict[str, tuple[str, str]], group: str = "scale") -> Path:
    """A sources.yaml with one entry per blog slug: {slug: (base URL of its host, platform)}."""
    entries = [{"name": slug, "url": f"{base}/{slug}/", "platform": platform} for slug, (base, platform) in blogs.items()]
    path.write_text(yaml.safe_dump({"groups": {group: entries}}), encoding="utf-8")
    return path


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def agent(self) -> str:
        return WORKER_AGENT.format(name=self.name)


def start_worker(name: str, pool: str, api: str, env: dict[str, str], log_dir: Path, limit: int | None = None) -> Worker:
    """`shrinksearch worker start --pool` as a user would run it, with this worker's user agent."""
    cli = Path(sys.executable).with_name("shrinksearch")
    log = log_dir / f"worker-{name}.log"
    worker_env = {**env, "PREFECT_API_URL": api, "PREFECT_WORKER_QUERY_SECONDS": "1",
                  "SHRINKSEARCH_USER_AGENT": WORKER_AGENT.format(name=name)}
    with log.open("wb") as out:
        command = [str(cli), "worker", "start", "--pool", pool, "--name", name, *(["--limit", str(limit)] if limit else [])]
        process = subprocess.Popen(command, env=worker_env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return Worker(name, process, log)


def wait_online(api: str, pool: str, names: set[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = httpx.post(f"{api}/work_pools/{pool}/workers/filter", json={}, timeout=10).json()
        if names <= {w["name"] for w in workers if w["status"] == "ONLINE"}:
            return
        time.sleep(1)
    raise AssertionError(f"workers {names} did not come online within {timeout} s")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (by parent pid, from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process: subprocess.Popen) -> int:
    """SIGKILL a worker and everything it started; how many processes were killed."""
    pids = [process.pid, *descendants(process.pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)
    return len(pids)


def stop(worker: Worker) -> None:
    """End a worker at the end of a test (and whatever it still runs)."""
    if worker.process.poll() is None:
        kill_tree(worker.process)


def create_run(api: str, deployment_id: str, parameters: dict) -> str:
    """A flow run of the deployment, as the UI's Run button creates it."""
    for _ in range(10):  # SQLite makes a busy server answer 503 now and then (the UI retries too)
        response = httpx.post(f"{api}/deployments/{deployment_id}/create_flow_run", json={"parameters": parameters}, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(2)
    response.raise_for_status()
    return response.json()["id"]


def run_state(api: str, run_id: str) -> str:
    state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()["state"]
    return state["type"] if state else "SCHEDULED"


def wait_state(api: str, run_id: str, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = run_state(api, run_id)
        if state in wanted:
            return state
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} not {wanted} within {timeout} s (last: {state})")


def child_runs(api: str, parent_id: str) -> list[dict]:
    """The flow runs a fanned-out parent submitted (every attempt), oldest first."""
    query = {"flow_runs": {"parent_flow_run_id": {"operator": "and_", "any_": [parent_id]}}, "sort": "EXPECTED_START_TIME_ASC"}
    return httpx.post(f"{api}/flow_runs/filter", json=query, timeout=30).json()


@dataclass(frozen=True)
class Span:
    """One crawl as the server saw it: who (user agent), which host and blog, first start, last end."""

    agent: str
    host: str
    blog: str
    started: float
    finished: float


def crawl_spans(log: AccessLog, blogs: set[str]) -> list[Span]:
    """The access log grouped by (worker, host, blog); a robots.txt request (the host's) counts
    with the blog the same worker fetched next from that host: the crawl that asked for it."""
    times: dict[tuple[str, str, str], list[float]] = {}
    upcoming: dict[tuple[str, str], str] = {}  # (agent, host) -> blog of the next request, walking backwards
    for entry in sorted(log.snapshot(), key=lambda e: e.started, reverse=True):
        blog = entry.path.strip("/").split("/")[0]
        if blog in blogs:
            upcoming[(entry.user_agent, entry.host)] = blog
        else:
            blog = upcoming.get((entry.user_agent, entry.host), "")
        span = times.setdefault((entry.user_agent, entry.host, blog), [entry.started, entry.finished])
        span[0], span[1] = min(span[0], entry.started), max(span[1], entry.finished)
    return [Span(agent, host, blog, t[0], t[1]) for (agent, host, blog), t in times.items()]


def overlapping(spans: list[Span]) -> list[tuple[Span, Span]]:
    """Pairs of crawls of one host that overlapped in time (by different workers, or of two blogs)."""
    pairs = []
    for number, a in enumerate(spans):
        for b in spans[number + 1:]:
            if a.host == b.host and a.started < b.finished and b.started < a.finished:
                pairs.append((a, b))
    return pairs


def agents_by_blog(log: AccessLog, blogs: set[str]) -> dict[str, set[str]]:
    """Which workers fetched pages of each blog (robots.txt, the host's, is left out)."""
    found: dict[str, set[str]] = {}
    for entry in log.snapshot():
        blog = entry.path.strip("/").split("/")[0]
        if blog in blogs:
            found.setdefault(blog, set()).add(entry.user_agent)
    return found
