"""Work pools and workers: `crawl-and-index` fanned out over real `shrinksearch worker` processes.

A Prefect server of the module's own (its deployments and automation must not meet the other
tests'), the sample blogs served on three loopback addresses (127.0.0.2-4, two blogs on two of
them), `shrinksearch deploy --pool` and two workers, each sending its own user agent so the
server's access log tells who fetched what and when. Nothing is faked: the runs are real flow
runs of the deployment, picked up by real workers, crawling over HTTP and indexing into the
session's Elasticsearch node.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scale_support import (
    agents_by_blog, child_runs, create_run, crawl_spans, kill_tree, overlapping, start_worker, stop,
    wait_online, wait_state, write_sources,
)
from shrinksearch.prefect_server import PrefectServer
from shrinksearch.samples import AccessLog, expected_counts, running_hosts
from shrinksearch.settings import get_settings
from tcp_proxy import _free_port

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]  # minutes: workers, a Prefect server of their own, a killed worker

POOL = "scale-test"
HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
# Two blogs on each of two hosts: their crawls must take turns, whichever worker runs them.
BLOGS = {"shrink-notes": (0, "blogger"), "couch-side": (0, "blogger"),
         "the-med-check": (1, "wordpress"), "forensic-frontiers": (1, "wordpress"), "therapy-room": (2, "generic")}
CRASH_AFTER = 60  # seconds without a sign of life (heartbeats come every 30 s; a start can take 40 s here)
PARAMETERS = {"group": "scale", "fast": True, "incremental": False}


@pytest.fixture(scope="module")
def pool_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = PrefectServer(get_settings(), home=tmp_path_factory.mktemp("prefect-scale"), port=_free_port(), scheduler=False)
    server.start()
    try:
        yield server.api_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deployed(pool_api: str) -> dict[str, str]:
    """`shrinksearch deploy --pool` run as a user runs it; the deployments' ids by name."""
    cli = Path(sys.executable).with_name("shrinksearch")
    env = dict(os.environ, PREFECT_API_URL=pool_api, SHRINKSEARCH_CRASH_AFTER=str(CRASH_AFTER))
    done = subprocess.run([str(cli), "deploy", "--pool", POOL], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    deployments = httpx.post(f"{pool_api}/deployments/filter", json={}).json()
    return {d["name"]: d["id"] for d in deployments}


@pytest.fixture
def network(es_node) -> Iterator[tuple[AccessLog, dict[str, tuple[str, str]]]]:  # noqa: ANN001
    """The sample network on three hosts, with a fresh access log; {slug: (host base URL, platform)}."""
    log = AccessLog()
    with running_hosts(HOSTS, access_log=log) as bases:
        yield log, {slug: (bases[host], platform) for slug, (host, platform) in BLOGS.items()}


@pytest.fixture
def worker_env(network, data_dir: Path, test_alias: str, tmp_path: Path) -> dict[str, str]:  # noqa: ANN001
    """What every worker of a test shares: its data directory, sources and index alias."""
    sources = write_sources(tmp_path / "sources.yaml", network[1])
    return dict(os.environ, SHRINKSEARCH_DATA_DIR=str(data_dir), SHRINKSEARCH_SOURCES_FILE=str(sources),
                SHRINKSEARCH_INDEX_ALIAS=test_alias, SHRINKSEARCH_CRASH_AFTER=str(CRASH_AFTER))


KILL_TEST_BLOGS = ["shrink-notes", "couch-side", "therapy-room"]  # fewer: the survivor redoes the dead worker's share


def _expected_documents(blogs=BLOGS) -> int:  # noqa: ANN001
    counts = expected_counts().blogs
    return sum(counts[slug].posts + counts[slug].comments for slug in blogs)


def _parent_result(data_dir: Path) -> dict:
    [result] = [json.loads(p.read_text()) for p in (data_dir / "runs").glob("*/result.json")]
    return result


def test_two_workers_share_a_crawl_and_never_fetch_one_host_at_once(pool_api, deployed, network, worker_env, data_dir, tmp_path, es_client, test_alias):
    log, _ = network
    workers = [start_worker(name, POOL, pool_api, worker_env, tmp_path) for name in ("a", "b")]
    try:
        wait_online(pool_api, POOL, {"a", "b"})
        run_id = create_run(pool_api, deployed["crawl-and-index"], PARAMETERS)
        state = wait_state(pool_api, run_id, {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}, timeout=420)
    finally:
        for worker in workers:
            stop(worker)

    assert state == "COMPLETED", [w.log.read_text()[-3000:] for w in workers]
    children = child_runs(pool_api, run_id)
    assert len(children) == len(BLOGS) and {c["state"]["type"] for c in children} == {"COMPLETED"}
    expected = _expected_documents()
    es_client.indices.refresh(index=test_alias)
    assert es_client.count(index=test_alias)["count"] == expected
    assert _parent_result(data_dir)["indexed"] == expected, "a document was indexed twice (or not at all)"
    # Each blog by exactly one worker, both workers busy, and never two workers on one host at once.
    by_blog = agents_by_blog(log, set(BLOGS))
    assert set(by_blog) == set(BLOGS) and all(len(agents) == 1 for agents in by_blog.values()), by_blog
    assert {w.agent for w in workers} == set().union(*by_blog.values()), "one worker did all the crawling"
    assert not overlapping(crawl_spans(log, set(BLOGS)))


def test_a_worker_killed_mid_run_has_its_runs_crashed_and_retried(pool_api, deployed, network, worker_env, data_dir, tmp_path, es_client, test_alias):
    log, _ = network
    # The parent run goes to the worker that survives: b starts first and takes it.
    # With room for one crawl besides the parent, so the other worker surely gets some.
    survivor = start_worker("b", POOL, pool_api, worker_env, tmp_path, limit=2)
    doomed = None
    try:
        wait_online(pool_api, POOL, {"b"})
        run_id = create_run(pool_api, deployed["crawl-and-index"], {**PARAMETERS, "sources": KILL_TEST_BLOGS})
        wait_state(pool_api, run_id, {"RUNNING"}, timeout=180)
        doomed = start_worker("a", POOL, pool_api, worker_env, tmp_path)
        _wait_until_fetching(log, doomed.agent)
        killed = kill_tree(doomed.process)
        state = wait_state(pool_api, run_id, {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}, timeout=480)
    finally:
        stop(survivor)
        if doomed is not None:
            stop(doomed)

    assert killed >= 3, "the worker, a flow run and its crawl"
    assert state == "COMPLETED", survivor.log.read_text()[-3000:]
    children = child_runs(pool_api, run_id)
    crashed = [c for c in children if c["state"]["type"] == "CRASHED"]
    assert crashed, "no run of the killed worker was marked crashed"
    retried = {c["parameters"]["sources"][0] for c in crashed}
    finished = {c["parameters"]["sources"][0] for c in children if c["state"]["type"] == "COMPLETED"}
    assert finished == set(KILL_TEST_BLOGS) and retried <= finished
    expected = _expected_documents(KILL_TEST_BLOGS)
    es_client.indices.refresh(index=test_alias)
    assert es_client.count(index=test_alias)["count"] == expected
    assert _parent_result(data_dir)["indexed"] == expected
    assert not overlapping(crawl_spans(log, set(BLOGS))), "the retry fetched a host while the dead worker's crawl still did"


def _wait_until_fetching(log: AccessLog, agent: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(e.user_agent == agent for e in log.snapshot()) >= 3:
            return
        time.sleep(0.05)
    raise AssertionError(f"worker {agent} fetched nothing within {timeout} s")


def test_deploy_to_a_pool_keeps_schedules_and_parameters_and_adds_the_crash_automation(pool_api, deployed):
    deployments = {d["name"]: d for d in httpx.post(f"{pool_api}/deployments/filter", json={}).json()}
    crawl = deployments["crawl-and-index"]
    assert {d["work_pool_name"] for d in deployments.values()} == {POOL}
    assert [s["schedule"]["interval"] for s in crawl["schedules"]] == [6 * 3600]
    assert [s["schedule"]["cron"] for s in deployments["re-enrich"]["schedules"]] == ["30 3 * * *"]
    assert crawl["entrypoint"] == "flows.pipeline.crawl_and_index"  # the worker's installed code
    assert crawl["job_variables"]["env"] == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}  # whatever the worker type
    assert {"fan_out", "batch_size", "run_dir"} <= set(crawl["parameter_openapi_schema"]["properties"])
    [automation] = [a for a in httpx.post(f"{pool_api}/automations/filter", json={}).json() if POOL in a["name"]]
    trigger = automation["trigger"]
    assert trigger["posture"] == "Proactive" and trigger["within"] == CRASH_AFTER
    related = trigger["match_related"]
    related = related[0] if isinstance(related, list) else related
    assert set(related["prefect.resource.id"]) == {f"prefect.deployment.{i}" for i in deployed.values()}
    assert automation["actions"][0]["state"] == "CRASHED"
