"""Elasticsearch stopped for 30 s in the middle of indexing: the index task is retried by
Prefect and ends with exactly the expected documents, each once.

A node of the test's own (``faults_support.own_node``) is stopped with ``NodeManager.stop``
once the first bulk chunks are in, kept down for 30 s and started again on the same home;
nothing between the task and the node is faked.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan
from prefect import flow

from faults_support import own_node, write_documents
from flows.tasks import index_documents
from shrinksearch.settings import get_settings

DOCUMENTS = 6000
STOP_AFTER = 1000  # documents the node has indexed when it is stopped
OUTAGE_SECONDS = 30
NODE_START_SECONDS = 20  # about what a start takes here (15-20 s)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_api")]


class Outage(threading.Thread):
    """Stops the node once it has indexed ``STOP_AFTER`` documents, starts it 30 s later."""

    def __init__(self, manager, alias: str) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.manager, self.alias = manager, alias
        self.indexed_at_stop: int | None = None
        self.down_for = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with Elasticsearch(self.manager.url, request_timeout=5) as client:
                while (done := self._indexed(client)) < STOP_AFTER:
                    time.sleep(0.05)
            self.indexed_at_stop = done
            stopped = time.monotonic()
            self.manager.stop()
            time.sleep(OUTAGE_SECONDS)
            self.manager.start()
            self.down_for = time.monotonic() - stopped
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err

    def _indexed(self, client: Elasticsearch) -> int:
        try:
            stats = client.indices.stats(index=self.alias, metric="indexing")
        except NotFoundError:
            return 0
        return stats["_all"]["primaries"]["indexing"]["index_total"]


def test_index_task_survives_a_30s_elasticsearch_outage(data_dir, monkeypatch, prefect_api):
    data_dir.mkdir(parents=True)
    expected = write_documents(data_dir / "enriched.jsonl", DOCUMENTS)
    with own_node() as node:
        monkeypatch.setenv("SHRINKSEARCH_ES_URL", node.url)
        monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", "outage")
        get_settings.cache_clear()
        outage = Outage(node, "outage")
        outage.start()

        @flow
        def index_through_an_outage() -> object:
            # The task's own retry condition; shorter delays than production's (5-60 s).
            patient = index_documents.with_options(retries=40, retry_delay_seconds=2)
            return patient(data_dir / "enriched.jsonl", return_state=True)

        began = time.monotonic()
        state = index_through_an_outage()
        took = time.monotonic() - began
        outage.join(timeout=120)
        assert outage.error is None, outage.error
        report = state.result()
        task_run = httpx.get(f"{prefect_api}/task_runs/{state.state_details.task_run_id}").json()
        with Elasticsearch(node.url, request_timeout=30) as client:
            indices = list(client.indices.get_alias(name="outage"))
            count = client.count(index="outage")["count"]
            ids = [hit["_id"] for hit in scan(client, index="outage", query={"query": {"match_all": {}}}, _source=False)]

    assert outage.indexed_at_stop is not None and outage.indexed_at_stop < DOCUMENTS, "the node went down after indexing"
    assert outage.down_for >= OUTAGE_SECONDS and took >= OUTAGE_SECONDS
    assert task_run["run_count"] > 1 and task_run["state"]["type"] == "COMPLETED"
    assert (report.indexed, report.failed) == (DOCUMENTS, 0)
    assert len(indices) == 1 and count == DOCUMENTS
    assert len(ids) == len(set(ids)) == DOCUMENTS and set(ids) == set(expected)


def test_production_retry_schedule_outlasts_such_an_outage():
    delays = index_documents.retry_delay_seconds
    assert index_documents.retries == len(delays)
    assert sum(delays) >= OUTAGE_SECONDS + NODE_START_SECONDS
