"""The pieces of forgetting on their own: identities read from every kind of line the
pipeline writes (cut-off rejects included), matchers across pseudonyms, and a paused crawl's
queue and cache cleaned so that resuming it cannot bring a forgotten person back."""

from __future__ import annotations

import gzip
import json
import os
import signal
from pathlib import Path

from crawlers.runner import CrawlProgress, run_crawl
from privacy_support import files_showing, files_showing_their_own, most_discussed_commenter
from shrinksearch.clean import author_key
from shrinksearch.privacy.datadir import Needles, _cached_body_shows, _decode
from shrinksearch.privacy.forget import forget
from shrinksearch.privacy.identity import identify, identify_text
from shrinksearch.privacy.keys import PrivacyKeys
from shrinksearch.privacy.selectors import select_url
from shrinksearch.privacy.tombstones import Matcher
from shrinksearch.records import comment_doc_id, post_doc_id
from shrinksearch.samples import load_network, running_server
from shrinksearch.settings import Settings

POST = "http://blogs.test/b/2008/03/a-post.html"
RAW = {"type": "comment", "blog_name": "B", "blog_url": "http://blogs.test/b/", "platform": "blogger",
       "crawled": "2024-01-01T00:00:00Z", "id": "901", "post_url": POST, "author": "Dr. Kat",
       "html": "<p>" + "A long comment. " * 300 + "</p>"}


def test_every_kind_of_line_is_identified_even_cut_off():
    whole = identify(RAW)
    assert whole is not None and (whole.author_key, whole.doc_id, whole.post_doc_id) == (
        "drkat", comment_doc_id(POST, "901"), post_doc_id(POST))
    line = json.dumps(RAW)
    stage_reject = json.dumps({"stage": "clean", "source": "x", "line": 3, "reason": "r", "record": line[:2000]})
    crawler_reject = json.dumps({"reason": "r", "record": RAW})
    for text in (stage_reject, crawler_reject, line[:900]):
        assert identify_text(text) == whole, text[:80]
    document = {"id": comment_doc_id(POST, "901"), "kind": "comment", "url": POST + "#c901", "author": "Dr. Kat",
                "author_key": "drkat", "blog_url": "http://blogs.test/b/", "post_id": post_doc_id(POST)}
    assert identify(document) == whole
    deletion = identify({"deleted": "comment", "blog_url": "http://blogs.test/b/", "post_url": POST, "id": "901"})
    assert deletion is not None and deletion.doc_id == whole.doc_id


def test_a_tombstone_of_a_real_name_matches_the_pseudonym_and_the_other_way_round():
    keys = PrivacyKeys(b"k" * 32)
    pseudonym = keys.pseudonym(author_key("Dr. Kat"))
    by_name = Matcher(keys.hash, authors={keys.hash("author", "drkat"), keys.hash("author", author_key(pseudonym))},
                      pseudonym_key=lambda key: author_key(keys.pseudonym(key)))
    by_pseudonym = Matcher(keys.hash, authors={keys.hash("author", author_key(pseudonym))},
                           pseudonym_key=lambda key: author_key(keys.pseudonym(key)))
    pseudonymised = {"id": "c-1", "kind": "comment", "url": POST + "#c901", "author": pseudonym,
                     "author_key": author_key(pseudonym), "blog_url": "http://blogs.test/b/", "post_id": "p-1"}
    for matcher in (by_name, by_pseudonym):
        assert matcher.matches_object(RAW) and matcher.matches_object(pseudonymised)
        assert not matcher.matches_object({**RAW, "author": "Jane"})
        assert not matcher.matches_object({**RAW, "author": "Anonymous"})


def test_comment_urls_as_readers_see_them():
    for url in (f"{POST}#c901", f"{POST}?showComment=1204557000000#c901", f"{POST}?m=1#c901"):
        assert select_url(url).doc_id == comment_doc_id(POST, "901")
    wordpress = "http://blogs.test/w/2019/10/09/a-post/"
    assert select_url(f"{wordpress}?replytocom=77#respond").doc_id == comment_doc_id(wordpress, "77")
    assert select_url(f"{wordpress}#comment-77").doc_id == comment_doc_id(wordpress, "77")
    assert select_url(f"{POST}#more").doc_id == post_doc_id(POST)


def test_compressed_cache_bodies_are_read_and_unreadable_ones_count_as_showing(tmp_path):
    pattern = Needles(names={"Dr. Kat"}).pattern()
    assert pattern is not None
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "response_headers").write_bytes(b"Content-Type: text/html\r\nContent-Encoding: gzip\r\n")
    (entry / "response_body").write_bytes(gzip.compress(b"<p>Dr. Kat said so</p>"))
    assert _cached_body_shows(entry, pattern)
    (entry / "response_body").write_bytes(gzip.compress(b"<p>nobody</p>"))
    assert not _cached_body_shows(entry, pattern)
    (entry / "response_headers").write_bytes(b"Content-Encoding: zstd\r\n")
    assert _cached_body_shows(entry, pattern)  # cannot read it: it goes (a download gets it back)
    assert _decode(b"x", b"identity") == b"x"


def test_a_paused_crawl_resumed_after_a_forget_does_not_bring_them_back(tmp_path, es_node, test_alias):
    network = load_network()
    slug = next(s for s, b in network.blogs.items() if b.platform == "blogger" and b.comment_markup == "threaded")
    person = most_discussed_commenter(network.blog(slug))
    paused: list[int] = []

    def pause_midway(progress: CrawlProgress) -> None:
        if not paused and progress.posts + progress.comments >= 10:
            os.kill(progress.pid, signal.SIGINT)
            paused.append(progress.pid)

    settings = Settings(data_dir=tmp_path, index_alias=test_alias)
    slow = {"CONCURRENT_REQUESTS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.25}
    with running_server(network=network) as base:
        first = run_crawl(url=f"{base}/{slug}/", fast=True, http_cache=True, settings=settings, scrapy_settings=slow,
                          on_progress=pause_midway)
        assert first.finish_reason == "shutdown" and files_showing(tmp_path, person.name, skip=tmp_path / "privacy")
        done = forget(author=person.name, settings=settings)  # the paused crawl's queue and cache hold their comments
        # a reply naming them is someone else's and stays; nothing of their own does
        assert done.data.files > 0 and files_showing_their_own(tmp_path, person, skip=tmp_path / "privacy") == []
        resumed = run_crawl(url=f"{base}/{slug}/", fast=True, http_cache=True, settings=settings)
    assert resumed.finish_reason == "finished" and resumed.output is not None
    records = [json.loads(line) for line in Path(resumed.output).read_text().splitlines()]
    assert person.key not in {author_key(r.get("author")) for r in records}
    blog = network.blog(slug)
    assert sum(r["type"] == "post" for r in records) == len(blog.posts)  # the rest, whole, once
    theirs = sum(1 for p in blog.posts for c, _ in p.walk() if author_key(c.author) == person.key)
    assert sum(r["type"] == "comment" for r in records) == sum(p.comment_count() for p in blog.posts) - theirs
