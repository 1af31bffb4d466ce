"""`shrinksearch forget` on the real node and real crawls of the sample network: an author,
a post and a comment forgotten out of every index version and the data directory, kept out
by a tombstone through the pipeline, a full re-index and `index migrate`, and the tombstone
store and audit log free of names and text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from crawlers.runner import run_crawl
from flows.maintenance import full_reindex, re_enrich
from flows.pipeline import crawl_and_index
from privacy_support import count_everywhere, files_showing, files_under, index_versions, most_discussed_commenter, records_by
from shrinksearch.cli import app
from shrinksearch.es import index_documents
from shrinksearch.records import Document, comment_doc_id, post_doc_id
from shrinksearch.samples import load_network
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings, privacy_path

SLUG = "shrink-notes"
BLOG = load_network().blog(SLUG)
PERSON = most_discussed_commenter(BLOG)


def forget(*args: str) -> dict:
    result = CliRunner().invoke(app, ["forget", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def pipeline(sample_site: str, **options) -> dict:
    return crawl_and_index(url=f"{sample_site}/{SLUG}/", platform="blogger", fast=True, incremental=False, **options)


def person_query() -> dict:
    return {"term": {"author_key": PERSON.key}}


def privacy_dir() -> Path:
    return privacy_path(get_settings())


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files_under(folder)):
        digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def indexed_blog(prefect_api, sample_site, test_alias, data_dir, es_client):  # noqa: ANN001, ANN201
    """shrink-notes crawled and indexed by the pipeline flow."""
    return pipeline(sample_site)


def assert_no_trace(client: Elasticsearch, alias: str, data_dir: Path) -> None:
    """Nothing by PERSON in any index version, facet or file; nothing of theirs in the
    tombstones or the audit log."""
    assert set(count_everywhere(client, alias, person_query()).values()) == {0}
    authors = SearchService(client, alias).facets()["author"]
    assert not [a for a in authors if PERSON.key in (a["value"], a["label"].lower())], authors
    assert records_by(data_dir, PERSON.key, skip=privacy_dir()) == []
    for snippet in PERSON.snippets:
        assert files_showing(data_dir, snippet, skip=privacy_dir()) == [], snippet
    caches = [p for p in files_under(data_dir) if p.name == "response_body"]
    assert not [p for p in caches if PERSON.name.lower().encode() in p.read_bytes().lower()]
    for state in (data_dir / "state").glob("*.json"):
        known = {c for post in json.loads(state.read_text())["posts"].values() for c in post["comments"]}
        assert not known & PERSON.comment_ids
    for name in ("tombstones.json", "audit.jsonl"):
        text = (privacy_dir() / name).read_text().lower()
        assert PERSON.name.lower() not in text and PERSON.key not in text
        assert not [s for s in PERSON.snippets if s.lower() in text]


@pytest.mark.usefixtures("prefect_api")
def test_a_forgotten_author_stays_gone_through_the_pipeline_a_full_reindex_and_a_migration(sample_site, test_alias, data_dir, es_client):
    first = pipeline(sample_site, embeddings=True)
    run_crawl(url=f"{sample_site}/{SLUG}/", platform="blogger", fast=True, http_cache=True)  # and an HTTP cache
    theirs = es_client.count(index=test_alias, query=person_query())["count"]
    assert theirs == len(PERSON.comment_ids) >= 5 and first["indexed"] > theirs
    with_vectors = es_client.count(index=test_alias, query={"bool": {"filter": [person_query(), {"exists": {"field": "embedding"}}]}})
    assert with_vectors["count"] == theirs  # their comments have embeddings, to be forgotten too

    done = forget("--author", PERSON.name)

    assert done["documents"] == theirs and done["records"] > theirs and done["files"] > 0
    assert_no_trace(es_client, test_alias, data_dir)
    again = pipeline(sample_site)  # the blog crawled, cleaned and indexed again
    assert again["forgotten"] == theirs and again["indexed"] == first["indexed"] - theirs
    full_reindex(delete_old=False)  # a new index version, the old one kept
    assert len(index_versions(es_client, test_alias)) == 2
    assert_no_trace(es_client, test_alias, data_dir)
    # what others wrote about them stays: replies addressing them by name are still there
    mentions = es_client.count(index=test_alias, query={"match_phrase": {"text.exact": PERSON.name}})["count"]
    assert mentions >= 1
    audit = [json.loads(line) for line in (privacy_dir() / "audit.jsonl").read_text().splitlines()]
    assert [(a["action"], a["kind"], a["documents"]) for a in audit] == [("forget", "author", theirs)]
    assert_migrate_leaves_out_a_forgotten_document_written_back(es_client, test_alias)


def assert_migrate_leaves_out_a_forgotten_document_written_back(client: Elasticsearch, alias: str) -> None:
    """A document of theirs written back by something racing the forget (an old run's
    files) is left out when `shrinksearch index migrate` copies the index, and deleted by
    the re-enrich flow."""
    other = client.search(index=alias, query={"bool": {"must_not": [person_query()]}}, size=1)["hits"]["hits"][0]
    theirs = Document.model_validate({"id": "c-written-back", **other["_source"], "author": PERSON.name,
                                      "author_key": PERSON.key, "author_role": "commenter", "kind": "comment"})
    assert index_documents(client, alias, [theirs], refresh=True).indexed == 1
    before = client.count(index=alias)["count"]

    result = CliRunner().invoke(app, ["index", "migrate"])

    assert result.exit_code == 0, result.output
    assert client.count(index=alias, query=person_query())["count"] == 0
    assert client.count(index=alias)["count"] == before - 1
    # and the nightly re-enrich, which re-tags in place, deletes one it finds
    assert index_documents(client, alias, [theirs], refresh=True).indexed == 1
    re_enrich()
    assert client.count(index=alias, query=person_query())["count"] == 0


def test_one_comment_forgotten_by_url_leaves_its_post_siblings_and_replies(indexed_blog, es_client, test_alias, sample_site):
    post, comment = next((p, c) for p in BLOG.posts for c, _ in p.walk() if c.replies and p.comment_count() >= 4)
    post_url = sample_site + BLOG.post_path(post)
    post_id, comment_id = post_doc_id(post_url), comment_doc_id(post_url, comment.id)
    service = SearchService(es_client, test_alias)
    before = service.thread(post_id)

    done = forget("--url", f"{post_url}?showComment=1#c{comment.id}")

    assert done["documents"] == 1 and done["kind"] == "url"
    assert not es_client.exists(index=test_alias, id=comment_id)
    after = service.thread(post_id)  # the thread view still works, one comment short
    assert after.post.id == post_id and after.total_comments == before.total_comments - 1

    def ids(nodes: list) -> set[str]:
        return {n.comment.id for n in nodes} | {i for n in nodes for i in ids(n.replies)}

    assert ids(after.comments) == ids(before.comments) - {comment_id}
    replies = {comment_doc_id(post_url, r.id) for r in comment.replies}
    assert replies <= ids(after.comments)  # replies to it are others' words: they stay


def test_dry_run_list_and_undo(indexed_blog, es_client, test_alias, sample_site, data_dir):
    post = BLOG.posts[0]
    post_url = sample_site + BLOG.post_path(post)
    thread = {"bool": {"should": [{"ids": {"values": [post_doc_id(post_url)]}}, {"term": {"post_id": post_doc_id(post_url)}}]}}
    size = es_client.count(index=test_alias, query=thread)["count"]
    untouched = tree_digest(data_dir)

    preview = forget("--url", post_url, "--dry-run")

    assert (preview["dry_run"], preview["documents"]) == (True, size) and preview["records"] > size
    assert es_client.count(index=test_alias, query=thread)["count"] == size
    assert tree_digest(data_dir) == untouched  # nothing changed (the secret aside: it lives elsewhere)
    assert forget("--list") == []

    done = forget("--url", post_url)
    listed = forget("--list")
    assert es_client.count(index=test_alias, query=thread)["count"] == 0
    assert [(t["id"], t["kind"], t["documents"]) for t in listed] == [(done["tombstone"], "url", size)]
    assert str(post.slug) not in (privacy_dir() / "tombstones.json").read_text()
    assert pipeline(sample_site)["forgotten"] == size  # kept out of a new crawl

    assert forget("--undo", done["tombstone"])["lifted"] == done["tombstone"]
    assert forget("--list") == []
    pipeline(sample_site)  # the next crawl brings it back
    assert es_client.count(index=test_alias, query=thread)["count"] == size
    audit = [json.loads(line)["action"] for line in (privacy_dir() / "audit.jsonl").read_text().splitlines()]
    assert audit == ["forget", "undo"]


def test_a_forgotten_blog_is_gone_and_not_crawled_again(indexed_blog, es_client, test_alias, sample_site, data_dir):
    blog_url = f"{sample_site}/{SLUG}/"
    run_crawl(url=blog_url, platform="blogger", fast=True, http_cache=True)

    done = forget("--blog", BLOG.name)  # by its name as indexed

    assert done["documents"] == indexed_blog["indexed"] and es_client.count(index=test_alias)["count"] == 0
    leftovers = [p for p in files_under(data_dir, skip=privacy_dir()) if p.stat().st_size]
    # a run's result.json holds counts only (no name, URL or text): it may stay
    counts = [p for p in leftovers if p.name == "result.json"]
    assert all(SLUG not in p.read_text() and BLOG.name not in p.read_text() for p in counts)
    leftovers = [p for p in leftovers if p not in counts]
    assert leftovers == [], leftovers  # raw, runs, state, the job with its cache and logs: all gone
    crawl = CliRunner().invoke(app, ["crawl", "--url", blog_url, "--platform", "blogger", "--fast"])
    assert crawl.exit_code == 1 and "was forgotten" in crawl.output and done["tombstone"] in crawl.output
    assert pipeline(sample_site)["indexed"] == 0  # the flow leaves it out, without retrying


@pytest.mark.parametrize("args, message", [
    ([], "give what to forget"),
    (["--author", "Anonymous"], "not one person"),
    (["--author", "x", "--url", "http://127.0.0.1/a.html"], "--url forgets one post or comment"),
    (["--url", "not a url"], "not an http(s) URL"),
    (["--blog", "no such blog"], "no blog 'no such blog'"),
    (["--undo", "t-00000000"], "no tombstone"),
    (["--list", "--undo", "t-1"], "give what to forget"),
])
def test_usage_errors_say_what_to_do(args, message, test_alias, data_dir, es_node):
    result = CliRunner().invoke(app, ["forget", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
