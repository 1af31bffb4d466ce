"""What authors asked for, honoured by real crawls of the sample network over HTTP on
127.0.0.1: comments and posts deleted upstream are found by the next crawl, noindex pages are
never kept and nofollow pages' links never followed; and politeness toward real sites (a
non-loopback address of this machine) cannot be turned off."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from crawlers.deletions import deletions_path, is_removed
from crawlers.politeness import refuse_impolite
from crawlers.robots_meta import header_directives
from crawlers.runner import CrawlSummary, run_crawl
from shrinksearch.exceptions import UsageError
from shrinksearch.records import RawComment, RawPost, parse_raw_record
from shrinksearch.samples.network import REMOVED_NOTICE, Network, load_network
from shrinksearch.samples.server import bind, create_app, running_server
from shrinksearch.settings import PROJECT_ROOT, Settings


def crawl(base: str, slug: str, data_dir: Path, **kwargs) -> CrawlSummary:
    summary = run_crawl(url=f"{base}/{slug}/", fast=True, settings=Settings(data_dir=data_dir), **kwargs)
    assert summary.finish_reason == "finished", summary.log
    return summary


def records(summary: CrawlSummary) -> list[RawPost | RawComment]:
    assert summary.output is not None
    return [parse_raw_record(line) for line in summary.output.read_bytes().splitlines()]


def deletions(summary: CrawlSummary) -> list[dict]:
    assert summary.output is not None
    path = deletions_path(summary.output)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def slug_of(network: Network, platform: str) -> str:
    return next(s for s, b in network.blogs.items() if b.platform == platform and b.comment_markup == "threaded")


# --- deletions upstream ---------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["blogger", "wordpress", "generic"])
def test_an_incremental_crawl_finds_a_deleted_comment_and_a_post_turned_410(platform, tmp_path):
    network = load_network()
    slug = slug_of(network, platform)
    blog = network.blog(slug)
    newest_first = sorted(blog.posts, key=lambda p: p.published, reverse=True)
    post = next(p for p in newest_first if p.comment_count() >= 2)
    leaf = next(c for c, _ in post.walk() if not c.replies)
    gone = newest_first[-1]
    with running_server(network=network) as base:
        first = crawl(base, slug, tmp_path, incremental=True)
        network.remove_comment(slug, leaf.id)
        network.remove_post(slug, gone.id, status=410)
        second = crawl(base, slug, tmp_path, incremental=True)
        third = crawl(base, slug, tmp_path, incremental=True)
    assert deletions(first) == []
    found = deletions(second)
    assert [(d["deleted"], d.get("id"), d["reason"]) for d in found] == [
        ("post", None, "http_410"), ("comment", leaf.id, "unlisted")]
    assert found[0]["url"].endswith(blog.post_path(gone)) and found[1]["post_url"].endswith(blog.post_path(post))
    assert second.stats["shrinksearch/deleted/post_http_410"] == 1
    assert second.stats["shrinksearch/deleted/comment_unlisted"] == 1
    state = json.loads(Path(tmp_path / "state").glob("*.json").__next__().read_text())["posts"]
    assert not [u for u in state if u.endswith(blog.post_path(gone))]
    assert leaf.id not in next(p for u, p in state.items() if u.endswith(blog.post_path(post)))["comments"]
    assert deletions(third) == [] and third.stats.get("shrinksearch/deletion_checks/posts") is None  # nothing checked twice


def test_a_comment_removed_by_its_author_is_a_deletion_not_a_comment(tmp_path):
    network = load_network()
    slug = slug_of(network, "blogger")
    post = next(p for p in network.blog(slug).posts if p.comment_count() >= 3)
    removed = next(c for c, _ in post.walk() if not c.replies)
    with running_server(network=network) as base:
        crawl(base, slug, tmp_path)
        network.remove_comment(slug, removed.id, placeholder=True)  # Blogger keeps a placeholder, same count
        again = crawl(base, slug, tmp_path)  # a full crawl reads every thread
    assert is_removed({"html": f"<span class='deleted-comment'>{REMOVED_NOTICE}</span>"})
    assert removed.id not in {r.id for r in records(again) if isinstance(r, RawComment)}
    assert [(d["deleted"], d["id"], d["reason"]) for d in deletions(again)] == [("comment", removed.id, "removed")]


# --- noindex, nofollow ------------------------------------------------------------------------


def _post(post_id: str, slug: str, author: str, body: str, **robots: str) -> dict:
    return {"id": post_id, "slug": slug, "title": slug.replace("-", " ").title(), "author": author,
            "published": "2031-01-0%sT10:00:00Z" % post_id[-1], "body": body, **robots}


def test_noindex_pages_are_never_kept(tmp_path):
    network = load_network()
    slug = slug_of(network, "generic")
    author = network.blog(slug).authors[0].key
    network.add_post(slug, _post("99101", "meta-noindex", author, "<p>Please do not index this page.</p>", robots="noindex"))
    network.add_post(slug, _post("99102", "header-noindex", author, "<p>Nor this one.</p>", robots_header="noindex"))
    network.add_post(slug, _post("99103", "indexed", author, "<p>This one is fine.</p>", robots="nofollow"))
    network.add_comment(slug, "99101", {"id": "99901", "author": "Reader", "published": "2031-01-02T10:00:00Z", "body": "<p>A reply.</p>"})
    with running_server(network=network) as base:
        summary = crawl(base, slug, tmp_path)
    found = records(summary)
    slugs = {r.url.rsplit("/", 1)[-1] for r in found if isinstance(r, RawPost)}
    assert "indexed.html" in slugs and not {"meta-noindex.html", "header-noindex.html"} & slugs
    assert "99901" not in {r.id for r in found if isinstance(r, RawComment)}  # the noindex page's comments too
    assert len(slugs) == len(network.blog(slug).posts) - 2
    assert summary.dropped["noindex"] == 3 and summary.stats["shrinksearch/robots_meta/noindex"] == 2


def test_a_nofollow_pages_links_are_not_followed(tmp_path):
    network = load_network()
    slug = slug_of(network, "generic")
    walk = {"spider_args": {"follow_links": True}, "scrapy_settings": {"DEPTH_LIMIT": 6}}
    with running_server(network=network) as base:
        followed = crawl(base, slug, tmp_path / "a", **walk)
        network.set_robots(f"/{slug}/calendar/", meta="nofollow")  # the endless events calendar, say
        not_followed = crawl(base, slug, tmp_path / "b", **walk)

    def calendar_pages(summary: CrawlSummary) -> set[str]:
        lines = summary.request_log.read_text().splitlines()
        return {line.split(" ", 2)[2] for line in lines if " sent " in line and "/calendar/" in line}

    assert len(calendar_pages(followed)) > 1  # its links lead on to other months...
    assert len(calendar_pages(not_followed)) == 1  # ...unless it says nofollow
    assert not_followed.stats["shrinksearch/robots_meta/nofollow"] == 1
    assert not_followed.stats["shrinksearch/skipped/nofollow"] >= 2
    assert not_followed.posts == followed.posts  # the rest of the blog is crawled as before


def test_a_known_post_that_turns_noindex_is_deleted(tmp_path):
    network = load_network()
    slug = next(s for s, b in network.blogs.items() if b.platform == "blogger" and b.comment_markup == "threaded")
    post = network.blog(slug).posts[0]
    with running_server(network=network) as base:
        crawl(base, slug, tmp_path, spider_args={"html_only": True})  # read from its pages
        network.set_robots(network.blog(slug).post_path(post), meta="noindex, noarchive")
        again = crawl(base, slug, tmp_path, spider_args={"html_only": True})
    assert [(d["deleted"], d["reason"]) for d in deletions(again)] == [("post", "noindex")]
    assert deletions(again)[0]["url"].endswith(network.blog(slug).post_path(post))


def test_robots_header_forms_for_other_crawlers_are_not_ours():
    assert header_directives(["noindex, nofollow"], "shrinksearch") == {"noindex", "nofollow"}
    assert header_directives(["googlebot: noindex"], "shrinksearch") == set()
    assert header_directives(["shrinksearch: noarchive"], "shrinksearch") == {"noarchive"}
    assert header_directives(["unavailable_after: 25 Jun 2010 15:00:00 PST"], "shrinksearch") == {"unavailable_after"}


# --- politeness toward real sites ----------------------------------------------------------


@pytest.mark.parametrize("overrides, complaint", [
    ({"DOWNLOAD_DELAY": 0}, "DOWNLOAD_DELAY=0"),
    ({"DOWNLOAD_DELAY": 1.0, "DOWNLOAD_DELAY_JITTER": 0.5}, "with jitter 0.5"),
    ({"ROBOTSTXT_OBEY": False}, "ROBOTSTXT_OBEY=False"),
    ({"SHRINKSEARCH_CRAWL_DELAY_MAX": 0}, "Crawl-delay"),
])
def test_the_runner_refuses_impolite_settings_for_real_sites(overrides, complaint, tmp_path):
    with pytest.raises(UsageError, match=complaint):
        run_crawl(url="https://example.blogspot.com/", platform="blogger", scrapy_settings=overrides,
                  settings=Settings(data_dir=tmp_path))
    refuse_impolite("http://127.0.0.1:8765/shrink-notes/", {"DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False})  # loopback: fine


def own_address() -> str:
    """This machine's address on its default route: a host the crawler treats as a real site."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route
        return str(probe.getsockname()[0])
    finally:
        probe.close()


@pytest.fixture
def timed_server() -> Iterator[tuple[str, list[tuple[float, str]]]]:
    """The sample network on a non-loopback address, logging when each request arrived."""
    host = own_address()
    assert not host.startswith("127."), f"this test needs a non-loopback IPv4 address; found {host}"
    arrivals: list[tuple[float, str]] = []
    app = create_app(load_network(), crawl_delay=0.0)

    async def logged(scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] == "http":
            arrivals.append((time.monotonic(), scope["path"]))
        await app(scope, receive, send)

    sock = bind(host, 0)
    server = uvicorn.Server(uvicorn.Config(logged, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}", arrivals
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_real_site_gets_a_second_between_requests_and_robots_txt_whatever_the_settings(timed_server, tmp_path):
    base, arrivals = timed_server
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawlers.settings", PYTHONPATH=str(PROJECT_ROOT))
    impolite = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 8,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "SHRINKSEARCH_MAX_PAGES": 5, "LOG_LEVEL": "ERROR",
                "SHRINKSEARCH_OUTPUT": tmp_path / "out.jsonl", "SHRINKSEARCH_REPORT_FILE": tmp_path / "report.json"}
    command = [sys.executable, "-m", "crawlers.crawl", "generic", "-a", f"url={base}/therapy-room/", "-a", "follow_links=true"]
    for name, value in impolite.items():
        command += ["-s", f"{name}={value}"]
    subprocess.run(command, env=env, timeout=120, check=True, capture_output=True)
    times = [t for t, _ in arrivals]
    assert len(times) >= 5
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.95  # >= 1 s as the slot schedules it (timer slack)
    assert not [p for _, p in arrivals if "/private/" in p]

    obey_not = command + ["-s", "ROBOTSTXT_OBEY=False"]
    arrivals.clear()
    subprocess.run(obey_not, env=env, timeout=60, check=True, capture_output=True)
    stats = json.loads((tmp_path / "report.json").read_text())["stats"]
    assert arrivals == [] and stats["shrinksearch/politeness/refused"] >= 1
