"""A real three-node cluster (`shrinksearch node start --nodes 3`) losing a node mid-indexing.

The cluster runs from the project's own distribution on spare loopback ports with a home of
its own (512 MB of heap per node). An index with 3 shards and 1 replica takes 20,000
documents through the pipeline's index task (a Prefect task, with its retries) while a
thread searches every 0.2 s; once 4,000 documents are in, one node is stopped with
``ClusterManager.stop`` and started again only after the indexing is over. Nothing between
the client and the nodes is faked.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, NotFoundError
from prefect import flow

from faults_support import write_documents
from flows.tasks import index_documents
from shrinksearch.node.cluster import ClusterManager, free_base_port
from shrinksearch.settings import get_settings

pytestmark = [pytest.mark.faults, pytest.mark.timeout(1200), pytest.mark.usefixtures("prefect_api")]

NODES = 3
DOCUMENTS = 20_000
STOP_AFTER = 4_000
STOPPED = 2  # the node stopped mid-indexing
ALIAS = "cluster-test"


@pytest.fixture(scope="module")
def cluster() -> Iterator[ClusterManager]:
    home = Path(tempfile.mkdtemp(prefix="shrinksearch-test-cluster-"))  # under /tmp: the node user enters it
    base = free_base_port(9350, 9399, NODES)  # apart from test_node.py (9250-9299) and the fault tests (9300-9349)
    urls = ",".join(f"http://127.0.0.1:{base + i}" for i in range(NODES))
    settings = get_settings().model_copy(update={
        "node_home": home, "node_port": base, "node_heap": f"{512 * NODES}m", "es_url": urls,
        "node_security": False, "es_password": None,
    })
    manager = ClusterManager(settings)
    try:
        manager.start(NODES)
        yield manager
    finally:
        manager.stop()
        shutil.rmtree(manager.home.root, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


class Searcher(threading.Thread):
    """Searches the alias every 0.2 s and records each answer (or error) until told to stop."""

    def __init__(self, client: Elasticsearch) -> None:
        super().__init__(daemon=True)
        self.client, self.done = client, threading.Event()
        self.answers: list[float] = []  # when each search answered
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.client.search(index=ALIAS, query={"match": {"text": "vacation"}}, size=3)
                self.answers.append(time.monotonic())
            except NotFoundError:
                pass  # before the index exists
            except Exception as err:  # noqa: BLE001 - recorded, asserted on by the test
                self.errors.append(f"{type(err).__name__}: {err}"[:200])
            time.sleep(0.2)


class NodeLoss(threading.Thread):
    """Stops one node once ``STOP_AFTER`` documents are in; records the health while it is down."""

    def __init__(self, manager: ClusterManager, client: Elasticsearch) -> None:
        super().__init__(daemon=True)
        self.manager, self.client = manager, client
        self.indexed_at_stop = 0
        self.stopped_at = 0.0
        self.health_while_down: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while (done := self._indexed()) < STOP_AFTER:
                time.sleep(0.1)
            self.indexed_at_stop = done
            self.manager.stop([STOPPED])
            self.stopped_at = time.monotonic()
            self.health_while_down = self.client.cluster.health(wait_for_nodes=str(NODES - 1), timeout="60s")["status"]
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err

    def _indexed(self) -> int:
        try:
            return self.client.count(index=ALIAS)["count"]
        except NotFoundError:
            return 0


def test_indexing_survives_losing_a_node_and_the_cluster_heals(cluster, tmp_path, monkeypatch):
    urls = ",".join(m.url for m in cluster.recorded())
    for key, value in {"ES_URL": urls, "INDEX_ALIAS": ALIAS, "INDEX_SHARDS": "3", "INDEX_REPLICAS": "1",
                       "ES_REQUEST_TIMEOUT": "120"}.items():
        monkeypatch.setenv(f"SHRINKSEARCH_{key}", value)
    get_settings.cache_clear()
    source = tmp_path / "documents.jsonl"
    ids = write_documents(source, DOCUMENTS)
    client = Elasticsearch(urls.split(","), request_timeout=60, retry_on_timeout=True, max_retries=3)
    searcher, loss = Searcher(client), NodeLoss(cluster, client)

    @flow
    def index_into_the_cluster() -> object:
        return index_documents(source)

    searcher.start()
    loss.start()
    try:
        report = index_into_the_cluster()
        loss.join(300)
    finally:
        searcher.done.set()
        searcher.join(30)
    client.indices.refresh(index=ALIAS)
    assert loss.error is None, loss.error
    assert loss.indexed_at_stop < DOCUMENTS, "the node was stopped after indexing had finished"
    assert loss.health_while_down == "yellow"  # replicas of the lost node's shards are missing
    assert report.failed == 0 and report.indexed == DOCUMENTS
    assert client.count(index=ALIAS)["count"] == len(set(ids)) == DOCUMENTS
    assert not searcher.errors, searcher.errors[:3]
    assert sum(t > loss.stopped_at for t in searcher.answers) > 10, "search answered while the node was down"

    cluster.start(NODES)  # the stopped node returns with its data
    health = client.cluster.health(wait_for_status="green", timeout="300s")
    assert health["status"] == "green" and health["number_of_nodes"] == NODES
    assert client.count(index=ALIAS)["count"] == DOCUMENTS
