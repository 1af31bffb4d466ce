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
from elasticsearch import Elasticsearch

from shrinksearch.settings import Settings, get_settings


@pytest.fixture(scope="session")
def es_node() -> Iterator[Settings]:
    """Settings pointing at a live node (started here if none answers)."""
    settings = get_settings()
    client = Elasticsearch(settings.es_url, request_timeout=5)
    try:
        # The integration-test distribution answers 405 on `GET /`, so ping() is False: ask health.
        try:
            client.cluster.health()
        except Exception as err:  # noqa: BLE001 - any failure means "no usable node"
            raise RuntimeError(
                f"no Elasticsearch at {settings.es_url}; the node launcher will start one here"
            ) from err
        yield settings
    finally:
        client.close()


@pytest.fixture(scope="session")
def es_client(es_node: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_node.es_url, request_timeout=60)
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
