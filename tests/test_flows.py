"""The Prefect flows against real services: a Prefect server, the Elasticsearch node, and a
real crawl of the sample blog network over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading

import httpx
import pytest
import yaml
from elasticsearch import Elasticsearch
from prefect import flow

from flows.maintenance import re_enrich
from flows.pipeline import crawl_and_index
from flows.tasks import index_documents
from shrinksearch.records import post_doc_id
from shrinksearch.samples import expected_counts, load_network
from shrinksearch.settings import get_settings
from tcp_proxy import FlakyProxy

pytestmark = pytest.mark.usefixtures("prefect_api")


def _count(client: Elasticsearch, alias: str, **term: str) -> int:
    query = {"term": term} if term else {"match_all": {}}
    return client.count(index=alias, query=query)["count"]


def _blog_url(base: str, slug: str) -> str:
    return f"{base}/{slug}/"


def _seed_post_url(base: str) -> str:
    blog = load_network().blog("shrink-notes")
    seed = next(p for p in blog.posts if p.title == "Transference and the Vacation Question")
    return base + blog.post_path(seed)


@pytest.fixture
def indexed_shrink_notes(sample_site, test_alias, data_dir, es_client):  # noqa: ANN001, ANN201
    """The shrink-notes sample blog crawled and indexed by the real pipeline flow."""
    result = crawl_and_index(url=_blog_url(sample_site, "shrink-notes"), platform="blogger", fast=True, incremental=False)
    return result


def test_pipeline_indexes_every_post_and_comment_of_a_blog(indexed_shrink_notes, es_client, test_alias):
    expected = expected_counts().blogs["shrink-notes"]
    assert indexed_shrink_notes["posts"] == expected.posts
    assert indexed_shrink_notes["comments"] == expected.comments
    assert indexed_shrink_notes["failed"] == 0
    assert _count(es_client, test_alias, kind="post") == expected.posts
    assert _count(es_client, test_alias, kind="comment") == expected.comments


def test_running_the_pipeline_twice_leaves_the_same_documents(indexed_shrink_notes, sample_site, es_client, test_alias):
    before = _count(es_client, test_alias)
    again = crawl_and_index(url=_blog_url(sample_site, "shrink-notes"), platform="blogger", fast=True, incremental=False)
    assert again["indexed"] == before  # every document written again, by the same id
    assert _count(es_client, test_alias) == before


def test_seed_post_is_tagged_with_transference_and_therapist_absence(indexed_shrink_notes, sample_site, es_client, test_alias):
    source = es_client.get(index=test_alias, id=post_doc_id(_seed_post_url(sample_site)))["_source"]
    assert {"transference", "therapist-absence"} <= set(source["themes"])
    evidence = {tag["theme"]: tag["evidence"] for tag in source["theme_tags"]}
    for theme in ("transference", "therapist-absence"):
        assert evidence[theme], f"no evidence for {theme}"
        own_words = source["title"] + "\n" + source["text"]
        assert all(span in own_words for span in evidence[theme]), "evidence must quote the post's own words"
        assert any(span in source["text"] for span in evidence[theme]), "evidence from the body, not only the title"


def test_pipeline_publishes_a_summary_artifact(indexed_shrink_notes, prefect_api):
    query = {"artifacts": {"key": {"any_": ["crawl-and-index-summary"]}}, "sort": "CREATED_DESC", "limit": 1}
    [artifact] = httpx.post(f"{prefect_api}/artifacts/filter", json=query).json()
    markdown = artifact["data"]
    assert f"| documents indexed | {indexed_shrink_notes['indexed']} |" in markdown
    assert "### Top themes" in markdown and "| transference |" in markdown


def _raw_post(url: str, text: str) -> dict:
    return {
        "type": "post", "url": url, "blog_name": "Test", "blog_url": "http://127.0.0.1/test/",
        "platform": "generic", "crawled": "2024-01-01T00:00:00Z", "title": "T", "author": "Ann",
        "html": f"<p>{text}</p>",
    }


def test_malformed_records_are_set_aside_with_their_reason(data_dir, test_alias, es_client):
    from shrinksearch.pipeline import stages

    data_dir.mkdir(parents=True)
    raw = data_dir / "raw.jsonl"
    good = [_raw_post(f"http://127.0.0.1/test/{i}", f"My therapist is away on vacation again, post {i}.") for i in range(3)]
    bad_lines = [
        "{not json",
        json.dumps({"type": "post", "blog_name": "Test"}),  # no url, no html
        json.dumps(_raw_post("http://127.0.0.1/test/empty", "   ")),  # nothing left after cleaning
        json.dumps({**_raw_post("http://127.0.0.1/test/bin", "x"), "html": "\x00\x01\x02" * 200}),
    ]
    raw.write_text("\n".join([*(json.dumps(g) for g in good), *bad_lines]) + "\n", encoding="utf-8")
    rejects = data_dir / "rejects.jsonl"
    cleaned = stages.clean_file([raw], data_dir / "cleaned.jsonl", rejects)
    stages.enrich_file(data_dir / "cleaned.jsonl", data_dir / "enriched.jsonl", rejects, _taxonomy())
    report = index_documents.fn(data_dir / "enriched.jsonl")
    assert (cleaned.written, cleaned.rejected) == (3, 4)
    assert report.indexed == 3 and _count(es_client, test_alias) == 3
    reasons = [json.loads(line)["reason"] for line in rejects.read_text().splitlines()]
    assert len(reasons) == 4 and all(reasons)
    assert any(r.startswith("invalid record") for r in reasons)
    assert any(r.startswith("rejected: empty") for r in reasons)


def _taxonomy():  # noqa: ANN202
    from shrinksearch.enrich import load_taxonomy

    return load_taxonomy()


def test_re_enrich_applies_a_changed_taxonomy_without_recrawling(indexed_shrink_notes, es_client, test_alias, tmp_path, monkeypatch):
    config = tmp_path / "index_config"
    shutil.copytree(get_settings().index_config_dir, config)
    themes = yaml.safe_load((config / "themes.yaml").read_text())
    themes["version"] = "test-2"
    themes["themes"].append({
        "id": "medical-awkwardness", "label": "Medical awkwardness", "description": "Odd moments of medicine.",
        "group": "test", "terms": ["palpated", "disclaimer"], "phrases": ["body parts being palpated"],
        "patterns": [], "related": [],
    })
    (config / "themes.yaml").write_text(yaml.safe_dump(themes, sort_keys=False))
    monkeypatch.setenv("SHRINKSEARCH_INDEX_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    total = _count(es_client, test_alias)

    result = re_enrich()

    assert result == {"updated": total, "failed": 0}
    assert _count(es_client, test_alias, taxonomy_version="test-2") == total
    assert _count(es_client, test_alias, themes="medical-awkwardness") == 1  # the seed post, re-tagged
    assert _count(es_client, test_alias) == total


def test_index_task_is_retried_while_elasticsearch_is_unreachable(data_dir, test_alias, es_client, monkeypatch, prefect_api):
    from shrinksearch.pipeline import stages

    data_dir.mkdir(parents=True)
    raw = data_dir / "raw.jsonl"
    raw.write_text("\n".join(json.dumps(_raw_post(f"http://127.0.0.1/r/{i}", f"Retry test number {i} about insurance.")) for i in range(5)) + "\n")
    stages.clean_file([raw], data_dir / "cleaned.jsonl", data_dir / "rejects.jsonl")
    proxy = FlakyProxy(int(get_settings().es_url.rsplit(":", 1)[1]))  # down until the timer
    monkeypatch.setenv("SHRINKSEARCH_ES_URL", proxy.url)
    get_settings.cache_clear()
    threading.Timer(3.0, proxy.up).start()

    @flow
    def index_with_fast_retries() -> object:
        quick = index_documents.with_options(retries=10, retry_delay_seconds=1)
        return quick(data_dir / "cleaned.jsonl", return_state=True)

    state = index_with_fast_retries()
    try:
        report = state.result()
        task_run = httpx.get(f"{prefect_api}/task_runs/{state.state_details.task_run_id}").json()
    finally:
        proxy.down()
    assert report.indexed == 5 and _count(es_client, test_alias) == 5
    assert task_run["run_count"] > 1, "the task succeeded at once: Elasticsearch was never unreachable"
