"""Deployments: registered with their schedules and parameter schemas, served by
`shrinksearch deploy`, and run exactly as the Prefect UI's "Run" button does (a flow run
created through the API), picked up by the serving process and completed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shrinksearch.samples import expected_counts, load_network

DEPLOYMENTS = {"crawl-and-index", "re-enrich", "full-reindex", "forget"}


@pytest.fixture
def served_deployments(prefect_api, es_node, test_alias, data_dir) -> Iterator[dict[str, dict]]:  # noqa: ANN001
    """`shrinksearch deploy` running as a user would run it, until the test ends."""
    env = dict(os.environ, PREFECT_API_URL=prefect_api, PREFECT_RUNNER_POLL_FREQUENCY="2")
    cli = Path(sys.executable).with_name("shrinksearch")
    log = open(data_dir.parent / "deploy.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([str(cli), "deploy"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield _wait_for_deployments(prefect_api, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_for_deployments(api: str, process: subprocess.Popen) -> dict[str, dict]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "`shrinksearch deploy` exited"
        found = {d["name"]: d for d in httpx.post(f"{api}/deployments/filter", json={}).json()}
        if DEPLOYMENTS <= set(found):
            return found
        time.sleep(1)
    raise AssertionError("deployments were not registered within 120 s")


def test_deployments_have_their_schedules(served_deployments):
    crawl, nightly, on_demand = (served_deployments[n] for n in ("crawl-and-index", "re-enrich", "full-reindex"))
    assert [s["schedule"]["interval"] for s in crawl["schedules"]] == [6 * 3600]
    assert [s["schedule"]["cron"] for s in nightly["schedules"]] == ["30 3 * * *"]
    assert on_demand["schedules"] == []


def test_deployments_have_typed_documented_parameters(served_deployments):
    schema = served_deployments["crawl-and-index"]["parameter_openapi_schema"]["properties"]
    assert {"sources", "group", "url", "platform", "incremental", "fast", "embeddings"} <= set(schema)
    assert schema["incremental"]["type"] == "boolean"
    assert all(schema[name].get("description") for name in schema), "every parameter is documented"
    assert "since" in served_deployments["re-enrich"]["parameter_openapi_schema"]["properties"]


def test_a_run_started_like_the_ui_does_completes_and_is_searchable(served_deployments, prefect_api, sample_site, es_client, test_alias):
    deployment = served_deployments["crawl-and-index"]
    parameters = {"url": f"{sample_site}/therapy-room/", "fast": True, "incremental": False}
    run = httpx.post(f"{prefect_api}/deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters}).json()

    state = _wait_for_final_state(prefect_api, run["id"])

    assert state == "COMPLETED"
    blog = expected_counts().blogs["therapy-room"]
    es_client.indices.refresh(index=test_alias)
    assert es_client.count(index=test_alias)["count"] == blog.posts + blog.comments
    hits = es_client.search(index=test_alias, query={"match": {"text": "vacation"}})["hits"]["hits"]
    assert hits, "indexed documents are searchable"

    # issue 12: `forget` from the UI runs the same code, and does not keep the name it was given
    name = next(c.author for p in load_network().blog("therapy-room").posts for c, _ in p.walk() if c.author == "moviedoc")
    forget = httpx.post(f"{prefect_api}/deployments/{served_deployments['forget']['id']}/create_flow_run",
                        json={"parameters": {"author": name}}).json()
    assert _wait_for_final_state(prefect_api, forget["id"]) == "COMPLETED"
    es_client.indices.refresh(index=test_alias)
    assert es_client.count(index=test_alias, query={"term": {"author_key": "moviedoc"}})["count"] == 0
    stored = httpx.get(f"{prefect_api}/flow_runs/{forget['id']}").json()
    assert name not in str(stored) and stored["parameters"]["selector"] == "author"


def _wait_for_final_state(api: str, run_id: str, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(f"{api}/flow_runs/{run_id}").json()["state"]["type"]
        if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish within {timeout} s (last state {state})")


@pytest.mark.browser
def test_prefect_ui_lists_the_deployments(served_deployments, prefect_api, chromium, tmp_path):
    ui = prefect_api.removesuffix("/api")
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{ui}/deployments", wait_until="networkidle")
        for name in DEPLOYMENTS:
            page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
        shot = tmp_path / "prefect-deployments.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    assert shot.stat().st_size > 10_000
