"""Hybrid search: reciprocal rank fusion (pure), and kNN + BM25 on the real node with real
MiniLM embeddings of the small network."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from search_fixtures import TINY_THEMES, index_into, small_network
from shrinksearch.enrich import embed_documents
from shrinksearch.exceptions import QueryError
from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.hybrid import rrf, window_for
from shrinksearch.search.service import SearchService


def test_rrf_rewards_documents_high_in_both_rankings():
    fused = rrf([["a", "b", "c"], ["c", "a", "d"]])
    assert [doc for doc, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_window_covers_the_requested_page():
    assert window_for(0, 10) == 50 and window_for(90, 20) == 110 and window_for(5000, 100) == 200


@pytest.fixture(scope="module")
def embedded():
    return small_network()


@pytest.fixture
def service(es_client: Elasticsearch, test_alias: str, embedded) -> SearchService:
    index_into(es_client, test_alias, embed_documents(list(embedded.values())))
    return SearchService(es_client, test_alias, TINY_THEMES)


def test_hybrid_finds_by_meaning_what_words_miss(service, embedded):
    lexical = service.search("time away from the office", page=Page(size=10))
    hybrid = service.search("time away from the office", page=Page(size=10), mode="hybrid")
    assert hybrid.mode == "hybrid"
    # no document says "office"; the ones about vacations are near in meaning
    vacation_docs = {embedded[k].id for k in ("seed", "anon_leave", "clink_vac", "rose_vac")}
    assert len(vacation_docs & {h.id for h in hybrid.hits[:5]}) >= 2
    assert {h.id for h in hybrid.hits} >= {h.id for h in lexical.hits}
    assert all(h.score and h.score < 1 for h in hybrid.hits)  # fused scores, not BM25


def test_hybrid_keeps_filters_and_paging(service):
    first = service.search("vacation", page=Page(size=2), mode="hybrid")
    second = service.search("vacation", page=Page(size=2, offset=2), mode="hybrid")
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    comments = service.search("vacation", Filters(kind="comment"), mode="hybrid").hits
    assert comments and {h.kind for h in comments} == {"comment"}
    with pytest.raises(QueryError, match="relevance only"):
        service.search("vacation", page=Page(sort="date"), mode="hybrid")


def test_without_embeddings_hybrid_says_it_fell_back(es_client: Elasticsearch, test_alias: str, embedded):
    index_into(es_client, test_alias, list(embedded.values()))
    result = SearchService(es_client, test_alias, TINY_THEMES).search("vacation", mode="hybrid")
    assert result.mode.startswith("lexical") and result.hits
