"""The pipeline flow and what authors did upstream: a comment deleted and a post turned 410
between two incremental runs leave the index and the data directory, and the run's artifact
counts them (real Prefect server, real node, real crawls of the sample network)."""

from __future__ import annotations

import httpx

from flows.pipeline import crawl_and_index
from privacy_support import files_under
from shrinksearch.privacy.identity import identify_text
from shrinksearch.records import comment_doc_id, post_doc_id
from shrinksearch.samples import load_network, running_server

SLUG = "shrink-notes"


def test_what_was_deleted_upstream_leaves_the_index_and_the_data_directory(prefect_api, test_alias, data_dir, es_client):
    network = load_network()
    blog = network.blog(SLUG)
    post = next(p for p in blog.posts if p.comment_count() >= 3)
    leaf = next(c for c, _ in post.walk() if not c.replies)
    gone = next(p for p in blog.posts if p.comment_count() >= 2 and p.id != post.id)
    with running_server(network=network) as base:
        run = lambda: crawl_and_index(url=f"{base}/{SLUG}/", platform="blogger", fast=True, incremental=True)  # noqa: E731
        first = run()
        network.remove_comment(SLUG, leaf.id)
        network.remove_post(SLUG, gone.id, status=410)
        second = run()
        post_url, gone_url = base + blog.post_path(post), base + blog.post_path(gone)
    removed = 1 + 1 + gone.comment_count()
    assert second["deleted_upstream"]["posts"] == 1 and second["deleted_upstream"]["comments"] == 1
    assert second["deleted_upstream"]["documents"] == removed
    assert es_client.count(index=test_alias)["count"] == first["indexed"] - removed
    assert not es_client.exists(index=test_alias, id=comment_doc_id(post_url, leaf.id))
    assert es_client.count(index=test_alias, query={"term": {"post_id": post_doc_id(gone_url)}})["count"] == 0
    assert es_client.exists(index=test_alias, id=post_doc_id(post_url))  # its post and the rest stay
    gone_ids = {comment_doc_id(post_url, leaf.id), post_doc_id(gone_url)}
    for path in files_under(data_dir):
        if ".jsonl" in path.name and ".deletions." not in path.name:
            for line in path.read_text().splitlines():
                who = identify_text(line)
                assert who is None or not ({who.doc_id, who.post_doc_id} & gone_ids), path
    query = {"artifacts": {"key": {"any_": ["crawl-and-index-summary"]}}, "sort": "CREATED_DESC", "limit": 1}
    [artifact] = httpx.post(f"{prefect_api}/artifacts/filter", json=query).json()
    assert "| comments deleted upstream | 1 |" in artifact["data"]
    assert "| posts deleted upstream (404/410, noindex) | 1 |" in artifact["data"]
