"""Whole crawls against the local sample network (real Scrapy, real HTTP on 127.0.0.1).

Each crawl runs through ``crawlers.runner.run_crawl`` in its own process with the fast
profile (no politeness delays; the server's robots.txt asks for ``Crawl-delay: 0`` unless a
test says otherwise). What a complete crawl must find comes from the network's own YAML
(``expected_counts``).
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawlers.pipelines.jsonlines import read_records
from crawlers.runner import CrawlProgress, CrawlSummary, run_crawl
from shrinksearch.records import RawComment, RawPost, parse_raw_record
from shrinksearch.samples.network import Blog, Network, expected_counts, load_network
from shrinksearch.samples.server import running_server
from shrinksearch.settings import Settings

BLOGS = sorted(load_network().blogs)


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def base(network: Network) -> Iterator[str]:
    with running_server(network=network) as url:
        yield url


def crawl(base: str, slug: str, data_dir: Path, **kwargs) -> CrawlSummary:
    kwargs.setdefault("fast", True)
    return run_crawl(url=f"{base}/{slug}/", settings=Settings(data_dir=data_dir), **kwargs)


def records(summary: CrawlSummary) -> list[RawPost | RawComment]:
    assert summary.output is not None, f"crawl did not finish: {summary.finish_reason}; log {summary.log}"
    return [parse_raw_record(line) for line in summary.output.read_bytes().splitlines()]


def request_log(summary: CrawlSummary, event: str) -> list[tuple[float, str]]:
    assert summary.request_log is not None
    lines = (line.split(" ", 2) for line in summary.request_log.read_text().splitlines())
    return [(float(when), url) for when, what, url in lines if what.startswith(event)]


def requested(summary: CrawlSummary) -> list[str]:
    return [url for _, url in request_log(summary, "sent")]


def path_of(url: str) -> str:
    return urlsplit(url).path


def plain_quotes(text: str) -> str:
    """WordPress renders titles through wptexturize (curly quotes, dashes); compare without."""
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                                         "\u2013": "-", "\u2014": "-", "\u2026": "..."}))


def assert_matches_blog(found: list[RawPost | RawComment], blog: Blog) -> None:
    """Every post and comment of ``blog`` exactly once, with threading and authors as served."""
    counts = expected_counts(Network([blog])).blogs[blog.slug]
    posts = {path_of(r.url): r for r in found if isinstance(r, RawPost)}
    comments = [r for r in found if isinstance(r, RawComment)]
    by_path = {blog.post_path(p): p for p in blog.posts}
    assert sorted(posts) == sorted(by_path)
    assert len(posts) == sum(isinstance(r, RawPost) for r in found)
    for path, record in posts.items():
        post = by_path[path]
        assert (plain_quotes(record.title), record.author) == (plain_quotes(post.title), blog.author(post.author).name)
        assert record.blog_name == blog.name
        assert record.published == post.published
        assert record.comment_count == post.comment_count()
    assert Counter((c.post_url, c.id) for c in comments).most_common(1)[0][1] == 1
    threads: dict[str, dict[str, str | None]] = {}
    for c in comments:
        threads.setdefault(by_path[path_of(c.post_url)].id, {})[c.id] = c.parent_id
    assert threads == {pid: t for pid, t in counts.threads.items() if t}
    assert {c.id: c.author or "" for c in comments} == {k: a.strip() for k, a in counts.comment_authors.items()}
    published = {c.id: c.published for p in blog.posts for c, _ in p.walk()}
    assert {c.id: c.published for c in comments} == published
    for post in blog.posts:  # thread order: the served parent always comes first
        mine = sorted((c for c in comments if path_of(c.post_url) == blog.post_path(post)), key=lambda c: c.position)
        assert [c.position for c in mine] == list(range(len(mine)))
        seen: set[str] = set()
        for c in mine:
            assert c.parent_id is None or c.parent_id in seen
            seen.add(c.id)


@pytest.mark.parametrize("slug", BLOGS)
def test_full_crawl_collects_every_post_and_comment_and_nothing_else(base, network, slug, tmp_path):
    summary = crawl(base, slug, tmp_path)
    blog = network.blog(slug)
    assert summary.platform == blog.platform  # detected from the home page
    assert (summary.finish_reason, summary.errors) == ("finished", {})
    assert (summary.posts, summary.comments) == (len(blog.posts), sum(p.comment_count() for p in blog.posts))
    assert_matches_blog(records(summary), blog)
    # the records of a response reach the pipelines together, as one item
    assert 0 < summary.stats["item_scraped_count"] <= summary.pages < summary.posts + summary.comments
    urls = requested(summary)  # the private pages and the calendar are linked, never fetched
    assert urls and not [u for u in urls if "/private/" in u or "calendar" in u]


def generic_slug(network: Network) -> str:
    return next(slug for slug, blog in network.blogs.items() if blog.platform == "generic")


def test_link_walking_obeys_robots_and_bounds_the_trap(base, network, tmp_path):
    slug = generic_slug(network)
    summary = crawl(base, slug, tmp_path, spider_args={"follow_links": True},
                    scrapy_settings={"DEPTH_LIMIT": 4, "SHRINKSEARCH_MAX_PAGES": 300})
    urls = requested(summary)
    assert summary.finish_reason == "finished"
    assert summary.skipped_by_robots >= 1  # the private pages are linked, and refused
    assert not [u for u in urls if "/private/" in u]
    calendar = [u for u in urls if "calendar" in u]
    assert 1 <= len(calendar) <= 60  # the infinite calendar was entered, and left
    assert_matches_blog(records(summary), network.blog(slug))  # and still every record once


def test_page_budget_stops_an_endless_site(base, network, tmp_path):
    slug = generic_slug(network)
    summary = run_crawl(url=f"{base}/{slug}/calendar/?month=2008-01", platform="generic", fast=True,
                        settings=Settings(data_dir=tmp_path), scrapy_settings={"SHRINKSEARCH_MAX_PAGES": 25})
    assert summary.finish_reason == "finished"
    assert summary.requests <= 25 + 2  # + robots.txt and the robots.txt read for sitemaps
    assert summary.stats.get("shrinksearch/skipped/page_budget", 0) > 0


def test_malformed_pages_are_counted_not_fatal(base, tmp_path):
    summary = run_crawl(url=f"{base}/", platform="generic", fast=True, settings=Settings(data_dir=tmp_path),
                        spider_args={"follow_links": True},
                        scrapy_settings={"DEPTH_LIMIT": 2, "SHRINKSEARCH_MAX_PAGES": 400, "DOWNLOAD_TIMEOUT": 1})
    assert summary.finish_reason == "finished"
    for kind in ("empty", "binary", "truncated_html", "encoding", "http_404", "http_500", "http_503",
                 "redirect_loop", "too_large", "timeout"):
        assert summary.errors.get(kind, 0) >= 1, (kind, summary.errors)
    assert summary.stats.get("shrinksearch/errors/parse", 0) == 0


def test_crawl_delay_from_robots_is_honoured(network, tmp_path):
    with running_server(network=network, crawl_delay=0.3) as url:
        slug = next(s for s, b in network.blogs.items() if b.platform == "blogger")
        summary = run_crawl(url=f"{url}/{slug}/", fast=True, settings=Settings(data_dir=tmp_path),
                            scrapy_settings={"SHRINKSEARCH_CRAWL_DELAY_MAX": 5})
    times = [when for when, url in request_log(summary, "got-") if not url.endswith("/robots.txt")]
    assert summary.finish_reason == "finished" and len(times) >= 6
    # responses (local, ~ms latency) arrive one Crawl-delay apart: 0.3 s each, not 0
    assert times[-1] - times[0] >= 0.3 * (len(times) - 1) * 0.9


def test_http_cache_revalidates_instead_of_downloading_again(base, network, tmp_path):
    slug = next(s for s, b in network.blogs.items() if b.platform == "wordpress")
    first = crawl(base, slug, tmp_path, http_cache=True)
    second = crawl(base, slug, tmp_path, http_cache=True)
    assert first.stats.get("httpcache/store", 0) >= first.pages
    assert second.stats.get("httpcache/revalidate", 0) + second.stats.get("httpcache/hit", 0) >= second.pages
    assert_matches_blog(records(second), network.blog(slug))


# --- incremental ------------------------------------------------------------------------


NEW_POST = {
    "id": "99001", "slug": "a-new-post-on-sick-notes", "title": "A New Post on Sick Notes",
    "published": "2030-01-02T10:00:00Z", "labels": ["work"],
    "body": "<p>Employers keep asking for more detail than a sick note should give.</p>",
}
NEW_COMMENT = {"id": "99901", "author": "Late Reader", "published": "2030-01-03T09:00:00Z",
               "body": "<p>Coming back to this years later: it still rings true.</p>"}


@pytest.mark.parametrize("platform", ["blogger", "wordpress", "generic"])
def test_incremental_crawl_fetches_only_the_new_post_and_comment(platform, tmp_path):
    network = load_network()
    slug = next(s for s, b in network.blogs.items() if b.platform == platform)
    with running_server(network=network) as url:
        full = crawl(url, slug, tmp_path, incremental=True)
        assert full.finish_reason == "finished"
        unchanged = crawl(url, slug, tmp_path, incremental=True)
        blog = network.blog(slug)
        oldest = min(blog.posts, key=lambda p: p.published)  # not in a "latest posts" feed
        network.add_post(slug, {**NEW_POST, "author": blog.authors[0].key})
        network.add_comment(slug, oldest.id, NEW_COMMENT)
        again = crawl(url, slug, tmp_path, incremental=True)
    assert (unchanged.posts, unchanged.comments) == (0, 0)
    found = records(again)
    assert [(r.type, path_of(r.url if isinstance(r, RawPost) else r.post_url)) for r in found] in (
        [("post", blog.post_path(network.blog(slug).post("99001"))), ("comment", blog.post_path(oldest))],
        [("comment", blog.post_path(oldest)), ("post", blog.post_path(network.blog(slug).post("99001")))],
    )
    comment = next(r for r in found if isinstance(r, RawComment))
    assert (comment.id, comment.author, comment.parent_id) == ("99901", "Late Reader", None)
    assert again.requests <= 7 and again.requests * 2 < full.requests
    assert unchanged.requests <= again.requests


# --- kill and resume --------------------------------------------------------------------


def test_sigkilled_crawl_resumes_with_every_record_exactly_once(network, tmp_path):
    slug = next(s for s, b in network.blogs.items() if b.platform == "wordpress")
    blog = network.blog(slug)
    killed: list[int] = []

    def kill_midway(progress: CrawlProgress) -> None:
        if not killed and progress.posts + progress.comments >= 15:
            os.kill(progress.pid, signal.SIGKILL)
            killed.append(progress.pid)

    slow = {"CONCURRENT_REQUESTS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.25}
    with running_server(network=network) as url:
        first = crawl(url, slug, tmp_path, scrapy_settings=slow, on_progress=kill_midway)
        assert killed and first.finish_reason == "killed" and first.output is None
        second = crawl(url, slug, tmp_path)
    assert second.finish_reason == "finished" and second.resumed_records >= 15
    found = records(second)
    assert_matches_blog(found, blog)
    assert len(list(read_records(second.output))) == len(blog.posts) + sum(p.comment_count() for p in blog.posts)


def test_paused_crawl_resumes_from_its_jobdir(network, tmp_path):
    slug = next(s for s, b in network.blogs.items() if b.platform == "blogger")
    blog = network.blog(slug)
    paused: list[int] = []

    def pause_midway(progress: CrawlProgress) -> None:
        if not paused and progress.posts + progress.comments >= 15:
            os.kill(progress.pid, signal.SIGINT)  # Ctrl-C: Scrapy stops cleanly, saving its queue
            paused.append(progress.pid)

    slow = {"CONCURRENT_REQUESTS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.25}
    with running_server(network=network) as url:
        first = crawl(url, slug, tmp_path, scrapy_settings=slow, on_progress=pause_midway)
        assert paused and first.finish_reason == "shutdown" and first.output is None
        assert first.stats.get("scheduler/unserializable", 0) == 0  # every request could be saved
        before = {u for u in requested(first) if not u.endswith("/robots.txt")}
        second = crawl(url, slug, tmp_path)
    assert second.finish_reason == "finished" and second.resumed_records >= 15
    again = {u for u in requested(second) if not u.endswith("/robots.txt")}
    assert before and again and not before & again  # the saved queue went on where it stopped
    assert_matches_blog(records(second), blog)


# --- the HTML fallback, as if feeds and APIs were off -----------------------------------


@pytest.mark.parametrize("slug", [s for s in BLOGS if load_network().blog(s).platform != "generic"])
def test_html_only_crawl_reads_posts_and_comments_from_pages(base, network, slug, tmp_path):
    blog = network.blog(slug)
    summary = crawl(base, slug, tmp_path, spider_args={"html_only": True})
    assert (summary.finish_reason, summary.errors) == ("finished", {})
    found = records(summary)
    if blog.platform == "blogger" and blog.comment_markup == "classic":
        # classic Blogger markup shows no threads: every comment, each at top level
        counts = expected_counts(Network([blog])).blogs[slug]
        comments = [r for r in found if isinstance(r, RawComment)]
        assert sorted(c.id for c in comments) == sorted(counts.comment_authors)
        assert {c.id: c.author or "" for c in comments} == {k: a.strip() for k, a in counts.comment_authors.items()}
        assert summary.posts == counts.posts
    else:
        assert_matches_blog(found, blog)


def test_feed_pages_do_not_count_as_depth(tmp_path):
    """A big blog is read whole: its 4th feed page (and that page's comment feeds) is not
    "deeper" than the first, so a small DEPTH_LIMIT still lets the crawl finish."""
    from bench.corpus import scaled_network

    network = scaled_network(posts_per_blog=80, blogs=1)  # Blogger, 25 posts a feed page
    (slug, blog), = network.blogs.items()
    expected = expected_counts(network).blogs[slug]
    with running_server(network=network) as url:
        summary = run_crawl(url=f"{url}/{slug}/", platform=blog.platform, fast=True, settings=Settings(data_dir=tmp_path),
                            scrapy_settings={"DEPTH_LIMIT": 2})
    assert summary.finish_reason == "finished"
    assert summary.stats.get("depth/request_ignored_count", 0) == 0
    assert (summary.posts, summary.comments) == (expected.posts, expected.comments) and expected.posts == 80
