"""Streaming bulk I/O against the real node: stable ids, per-document failures, reading back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from elasticsearch import Elasticsearch

from shrinksearch.es import IndexManager, document_action, index_documents, iter_documents, run_actions, update_tags
from shrinksearch.exceptions import IndexNotReady
from shrinksearch.records import Document, ThemeTag, comment_doc_id, post_doc_id
from shrinksearch.settings import get_settings

POST_URL = "http://127.0.0.1/shrink-notes/2008/03/you-may-leave-now.html"


def make_document(n: int, kind: str = "comment", **extra) -> Document:
    """A small valid document; comment n of the seed post, or post n."""
    doc_id = post_doc_id(f"{POST_URL}?p={n}") if kind == "post" else comment_doc_id(POST_URL, str(n))
    fields = dict(
        id=doc_id, kind=kind, blog="Shrink Notes", blog_url="http://127.0.0.1/shrink-notes/",
        platform="blogger", url=POST_URL, title="You May Leave Now", author=f"Reader {n}",
        author_key=f"reader-{n}", author_role="blogger" if kind == "post" else "commenter",
        post_id=post_doc_id(POST_URL), published=datetime(2008, 3, 1, 18, n % 60, tzinfo=timezone.utc),
        crawled=datetime(2026, 1, 1, tzinfo=timezone.utc),
        text=f"my therapist asks whether I feel abandoned during her vacations ({n})",
    )
    return Document(**{**fields, **extra})


def make_documents(count: int) -> Iterator[Document]:
    return (make_document(n, "post" if n % 4 == 0 else "comment") for n in range(count))


@pytest.fixture
def alias(es_client: Elasticsearch, test_alias: str) -> str:
    IndexManager.from_settings(es_client, get_settings()).init()
    return test_alias


def count(client: Elasticsearch, alias: str) -> int:
    client.indices.refresh(index=alias)
    return client.count(index=alias)["count"]


def test_bulk_indexes_every_document(es_client: Elasticsearch, alias: str) -> None:
    report = index_documents(es_client, alias, make_documents(120), chunk_size=50)
    assert (report.indexed, report.created, report.failed, report.failures) == (120, 120, 0, [])
    assert count(es_client, alias) == 120


def test_reindexing_the_same_documents_never_duplicates(es_client: Elasticsearch, alias: str) -> None:
    index_documents(es_client, alias, make_documents(30))
    again = index_documents(es_client, alias, make_documents(30))
    assert (again.indexed, again.created, again.failed) == (30, 0, 0)
    assert count(es_client, alias) == 30


def test_documents_breaking_the_mapping_are_reported_one_by_one(es_client: Elasticsearch, alias: str) -> None:
    good = [document_action(make_document(n)) for n in range(5)]
    unknown_field = document_action(make_document(100))
    unknown_field["_source"]["mood"] = "abandoned"
    bad_date = document_action(make_document(101))
    bad_date["_source"]["published"] = "last summer"
    report = run_actions(es_client, alias, [*good[:2], unknown_field, *good[2:], bad_date])
    assert (report.indexed, report.failed) == (5, 2)
    reasons = {f.id: f.reason for f in report.failures}
    assert "strict_dynamic_mapping_exception" in reasons[make_document(100).id]
    assert "published" in reasons[make_document(101).id]
    assert {f.status for f in report.failures} == {400}
    assert count(es_client, alias) == 5


def test_a_wrong_embedding_size_is_refused_and_the_right_one_kept(es_client: Elasticsearch, alias: str) -> None:
    docs = [make_document(1, embedding=[0.1] * 384), make_document(2, embedding=[0.1, 0.2, 0.3])]
    report = index_documents(es_client, alias, docs)
    assert report.indexed == 1
    assert [f.id for f in report.failures] == [docs[1].id]
    assert "384" in report.failures[0].reason


def test_writing_to_a_missing_alias_refuses_instead_of_creating_an_index(es_client: Elasticsearch, test_alias: str) -> None:
    with pytest.raises(IndexNotReady, match="index init"):
        index_documents(es_client, test_alias, make_documents(3))
    assert not es_client.indices.exists(index=test_alias)


def test_progress_reports_every_document(es_client: Elasticsearch, alias: str) -> None:
    seen: list[int] = []
    index_documents(es_client, alias, make_documents(25), chunk_size=10, progress=seen.append)
    assert sum(seen) == 25


def test_iter_documents_gives_back_what_was_indexed(es_client: Elasticsearch, alias: str) -> None:
    tags = [ThemeTag(theme="transference", score=1.5, evidence=["feel abandoned"])]
    docs = [make_document(n, theme_tags=tags, themes=["transference"], labels=["psychotherapy"]) for n in range(7)]
    index_documents(es_client, alias, docs, chunk_size=3, refresh=True)
    back = sorted(iter_documents(es_client, alias, size=2), key=lambda d: d.id)
    assert back == sorted(docs, key=lambda d: d.id)


def test_iter_documents_filters_with_a_query(es_client: Elasticsearch, alias: str) -> None:
    index_documents(es_client, alias, make_documents(12), refresh=True)
    posts = list(iter_documents(es_client, alias, query={"term": {"kind": "post"}}))
    assert sorted(d.id for d in posts) == sorted(d.id for d in make_documents(12) if d.kind == "post")


def test_update_tags_replaces_only_the_tags(es_client: Elasticsearch, alias: str) -> None:
    doc = make_document(1, themes=["stigma"], theme_tags=[ThemeTag(theme="stigma", score=1.0)])
    index_documents(es_client, alias, [doc])
    new_tags = [ThemeTag(theme="therapist-absence", score=2.0, evidence=["her vacations"])]
    report = update_tags(es_client, alias, [(doc.id, new_tags, "2"), ("c-missing", new_tags, "2")], refresh=True)
    assert (report.indexed, [f.id for f in report.failures]) == (1, ["c-missing"])
    (back,) = iter_documents(es_client, alias)
    assert (back.themes, back.theme_tags, back.taxonomy_version) == (["therapist-absence"], new_tags, "2")
    assert back.text == doc.text


def test_theme_tags_are_nested(es_client: Elasticsearch, alias: str) -> None:
    # theme and score of one tag must match together, not across two tags of a document
    tags = [ThemeTag(theme="transference", score=0.2), ThemeTag(theme="stigma", score=3.0)]
    index_documents(es_client, alias, [make_document(1, theme_tags=tags)], refresh=True)
    nested = {"nested": {"path": "theme_tags", "query": {"bool": {"filter": [
        {"term": {"theme_tags.theme": "transference"}}, {"range": {"theme_tags.score": {"gte": 1}}}]}}}}
    assert es_client.count(index=alias, query=nested)["count"] == 0
