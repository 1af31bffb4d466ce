"""The sample blog network, indexed once per test session into its own alias.

``indexed_samples`` builds the Documents from the sample YAML through the real cleaning and
enrichment (shrinksearch.eval.corpus) and bulk-indexes them with the project's index
layer. (The flows' crawl → clean → enrich → index pipeline produces the same documents by
crawling the served network; this skips the crawl to keep search tests fast.)

Test modules import the fixture; a module-level cache makes it one index per session even
so (pytest registers an imported fixture once per importing module).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from elasticsearch import Elasticsearch

from search_fixtures import drop_alias
from shrinksearch.enrich import Taxonomy, load_taxonomy
from shrinksearch.es import IndexManager, index_documents
from shrinksearch.eval.corpus import index_url_keys, reference_key, sample_documents
from shrinksearch.samples.network import Network, load_network
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings

BASE_URL = "http://127.0.0.1:8765"


@dataclass
class SampleIndex:
    client: Elasticsearch
    alias: str
    network: Network
    taxonomy: Taxonomy
    service: SearchService
    documents: int
    _ids: dict[tuple[str, str], str]

    def doc_id(self, ref: str) -> str:
        """The document id of "blog/post" or "blog/post#comment" in this index."""
        return self._ids[reference_key(self.network, ref)]


_SESSION: dict[str, SampleIndex] = {}


@pytest.fixture(scope="session")
def indexed_samples(es_client: Elasticsearch) -> Iterator[SampleIndex]:
    if "samples" not in _SESSION:
        _SESSION["samples"] = _build(es_client)
    yield _SESSION["samples"]
    built = _SESSION.pop("samples", None)
    if built is not None:
        drop_alias(es_client, built.alias)


@pytest.fixture
def on_samples(indexed_samples: SampleIndex, monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleIndex]:
    """The sample index as the alias the CLI and the settings name (for CLI tests)."""
    monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", indexed_samples.alias)
    get_settings.cache_clear()
    yield indexed_samples
    get_settings.cache_clear()


def _build(client: Elasticsearch) -> SampleIndex:
    alias = f"sstest-samples-{uuid.uuid4().hex[:10]}"
    network, taxonomy = load_network(), load_taxonomy()
    docs = sample_documents(network, BASE_URL, taxonomy)
    IndexManager(client, alias, get_settings().index_config_dir).init()
    report = index_documents(client, alias, docs, refresh=True)
    assert not report.failures, report.failures[:3]
    service = SearchService(client, alias, taxonomy)
    return SampleIndex(client, alias, network, taxonomy, service, len(docs), index_url_keys(client, alias))
