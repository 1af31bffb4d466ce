"""Shared fixtures: a real Elasticsearch node for the whole session, and per-test isolation.

The node fixture reuses a node already answering at SHRINKSEARCH_ES_URL, or starts the
project's own embedded node (`shrinksearch node start`) and stops it at the end of the
session. Tests never mock Elasticsearch. Each test that writes gets its own alias (and so its
own indices), deleted afterwards, so parallel developers and reruns never collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import repo_bounds
from elasticsearch import ConnectionError, Elasticsearch

from shrinksearch.node import NodeManager
from shrinksearch.settings import Settings, get_settings

# Installed first, so reads during collection are seen too (see repo_bounds.py).
READ_GUARD = repo_bounds.install()


@pytest.fixture(autouse=True)
def stays_inside_the_checkout() -> Iterator[repo_bounds.ReadGuard]:
    """Fails the test if it (or collection, or a fixture set up for it) read a file beside
    the checkout: a fresh clone has nothing there."""
    earlier = READ_GUARD.take()
    yield READ_GUARD
    read = earlier + READ_GUARD.take()
    if read:
        pytest.fail(f"read outside the repository (a fresh clone has nothing beside it): {', '.join(read)}", pytrace=False)


@pytest.fixture(scope="session")
def es_node() -> Iterator[Settings]:
    """Settings pointing at a live node: the one at SHRINKSEARCH_ES_URL, else the project's own.

    A node that already answers is reused and left running. Otherwise the embedded node starts
    on settings.node_port with a 1 GB heap, SHRINKSEARCH_ES_URL points at it for the session,
    and it stops when the session ends.
    """
    settings = get_settings()
    if _answers(settings):
        yield settings
        return
    manager = NodeManager(settings.model_copy(update={"node_heap": "1g"}))
    url = manager.start().url
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHRINKSEARCH_ES_URL", url)
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            manager.stop()
            get_settings.cache_clear()


def _answers(settings: Settings) -> bool:
    """Whether an Elasticsearch answers at settings.es_url.

    Asks `_cluster/health`, not `ping()`: the integration-test distribution has no rest-root
    module, so `HEAD /` answers 405 and ping() is always False there.
    """
    password = settings.es_password.get_secret_value() if settings.es_password else None
    auth = (settings.es_username, password) if password else None
    client = Elasticsearch(settings.es_url, basic_auth=auth, request_timeout=5)
    try:
        client.cluster.health()
    except ConnectionError:
        return False
    finally:
        client.close()
    return True


@pytest.fixture(scope="session")
def es_client(es_node: Settings) -> Iterator[Elasticsearch]:
    from shrinksearch.es.client import make_client

    client = make_client(es_node)
    yield client
    client.close()


@pytest.fixture
def test_alias(es_client: Elasticsearch, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh alias name for this test; its indices are deleted afterwards."""
    alias = f"sstest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", alias)
    get_settings.cache_clear()
    yield alias
    get_settings.cache_clear()
    # Elasticsearch 9 refuses wildcard deletes (action.destructive_requires_name): list, then delete by name.
    indices = list(es_client.indices.get(index=f"{alias}*", allow_no_indices=True, ignore_unavailable=True))
    if indices:
        es_client.indices.delete(index=",".join(indices))


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server (SQLite) for the session; flows in this process report to it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from shrinksearch.prefect_server import PrefectServer
    from tcp_proxy import _free_port

    server = PrefectServer(get_settings(), home=tmp_path_factory.mktemp("prefect"), port=_free_port(), scheduler=False)
    server.start()
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}), pytest.MonkeyPatch.context() as patch:
            patch.setenv("PREFECT_API_URL", server.api_url)  # for child processes (deploy, crawls)
            yield server.api_url
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)  # send queued run logs before the server goes away
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sample_site() -> Iterator[str]:
    """The bundled sample blog network, served over real HTTP on 127.0.0.1 for the session."""
    from shrinksearch.samples import running_server

    with running_server() as base_url:
        yield base_url


@pytest.fixture
def data_dir(tmp_path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """A fresh SHRINKSEARCH_DATA_DIR for crawl output, run files and rejects."""
    monkeypatch.setenv("SHRINKSEARCH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser build
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    """A real headless Chromium, driven by Playwright, for one test module.

    Module scope on purpose: Playwright's sync API keeps an asyncio loop in the main thread
    while it runs, which would turn Prefect's sync calls in later modules into coroutines."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
