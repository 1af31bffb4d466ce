"""Crawler components without a crawl: item contract, URL canonicalisation, platform
detection, thread order, the pipelines and the sources file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.detect import detect_platform
from crawlers.items import Comment, Post
from crawlers.markup import thread_order
from crawlers.pipelines.dedupe import DedupePipeline
from crawlers.pipelines.jsonlines import AtomicJsonLinesPipeline, part_path, read_records
from crawlers.pipelines.quality import FieldStatsPipeline
from crawlers.pipelines.validate import ValidateRecordPipeline
from crawlers.sources import find_source, load_sources
from crawlers.urls import blog_root, canonical_url
from shrinksearch.exceptions import UsageError
from shrinksearch.records import RawComment, RawPost, parse_raw_record
from shrinksearch.settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"


def post(**extra) -> Post:
    fields = dict(type="post", blog_name="Shrink Rap", blog_url="https://x.blogspot.com/", platform="blogger",
                  source=None, crawled="2024-01-01T00:00:00Z", url="https://x.blogspot.com/2008/03/a.html",
                  platform_id="1", title="A", author="Dinah", author_url=None, published="2008-03-01T09:05:00-05:00",
                  updated=None, labels=[], html="<p>a</p>", comment_count=0)
    return Post(**{**fields, **extra})


def test_items_declare_exactly_the_record_fields():
    assert set(Post.fields) == set(RawPost.model_fields)
    assert set(Comment.fields) == set(RawComment.model_fields)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://x.blogspot.co.uk/2008/03/a.html?m=1", "https://x.blogspot.com/2008/03/a.html"),
    ("https://x.blogspot.com.au/2008/03/a.html#comments", "https://x.blogspot.com/2008/03/a.html"),
    ("HTTPS://Example.ORG:443/p/?utm_source=rss&b=2&a=1&fbclid=z", "https://example.org/p/?a=1&b=2"),
    ("http://127.0.0.1:8765/blog/posts/a.html?utm_medium=x", "http://127.0.0.1:8765/blog/posts/a.html"),
    ("https://x.blogspot.com/2008/03/a.html?showComment=123#c9", "https://x.blogspot.com/2008/03/a.html"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_blog_root_adds_the_trailing_slash():
    assert blog_root("http://127.0.0.1:8765/shrink-notes") == "http://127.0.0.1:8765/shrink-notes/"
    assert blog_root("https://x.blogspot.com/index.html") == "https://x.blogspot.com/"


@pytest.mark.parametrize(("fixture", "platform"), [
    ("blogger/home.html", "blogger"), ("wordpress/post.html", "wordpress"), ("generic/post.html", "generic"),
])
def test_detect_platform(fixture, platform):
    assert detect_platform((FIXTURES / fixture).read_text()) == platform


def test_thread_order_by_date_is_depth_first():
    comments = [{"id": "3", "parent_id": "1", "published": "2"}, {"id": "2", "parent_id": None, "published": "3"},
                {"id": "1", "parent_id": None, "published": "1"}]
    assert [c["id"] for c in thread_order(comments, by_date=True)] == ["1", "3", "2"]


def test_thread_order_keeps_orphans_and_cycles():
    comments = [{"id": "a", "parent_id": "b"}, {"id": "b", "parent_id": "a"}, {"id": "c", "parent_id": "gone"}]
    assert sorted(c["id"] for c in thread_order(comments, by_date=False)) == ["a", "b", "c"]


def _crawler(**settings):
    crawler = get_crawler(settings_dict=settings)
    return crawler


def test_validate_normalises_dates_to_utc():
    item = ValidateRecordPipeline(_crawler().stats).process_item(post())
    assert item["published"] == "2008-03-01T14:05:00Z"


def test_validate_drops_an_invalid_record_with_the_reason():
    crawler = _crawler()
    with pytest.raises(DropItem, match="url"):
        ValidateRecordPipeline(crawler.stats).process_item(post(url=""))
    assert crawler.stats.get_value("shrinksearch/dropped/invalid_post") == 1


def test_invalid_records_are_set_aside_with_the_reason(tmp_path):
    from crawlers.pipelines.validate import rejects_path
    crawler = _crawler(SHRINKSEARCH_OUTPUT=str(tmp_path / "blog.jsonl"))
    with pytest.raises(DropItem):
        ValidateRecordPipeline.from_crawler(crawler).process_item(post(platform="myspace"))
    (reject,) = [json.loads(line) for line in rejects_path(tmp_path / "blog.jsonl").read_text().splitlines()]
    assert "platform" in reject["reason"] and reject["record"]["url"] == "https://x.blogspot.com/2008/03/a.html"


def test_field_stats_count_missing_fields():
    crawler = _crawler()
    FieldStatsPipeline(crawler.stats).process_item(post(author=None, labels=[]))
    stats = crawler.stats.get_stats()
    assert stats["shrinksearch/field/author/missing"] == 1
    assert stats["shrinksearch/field/labels/missing"] == 1
    assert "shrinksearch/field/title/missing" not in stats


def test_writer_appends_to_part_and_renames_when_finished(tmp_path):
    out = tmp_path / "raw" / "blog.jsonl"
    crawler = _crawler(SHRINKSEARCH_OUTPUT=str(out))
    writer = AtomicJsonLinesPipeline.from_crawler(crawler)
    writer.open_spider()
    writer.process_item(ValidateRecordPipeline(crawler.stats).process_item(post()))
    assert not out.exists() and part_path(out).exists()
    writer.close_spider()
    writer.spider_closed(None, "finished")
    lines = out.read_bytes().splitlines()
    assert len(lines) == 1 and parse_raw_record(lines[0]).title == "A"


def test_writer_keeps_the_part_file_when_paused(tmp_path):
    out = tmp_path / "blog.jsonl"
    writer = AtomicJsonLinesPipeline.from_crawler(_crawler(SHRINKSEARCH_OUTPUT=str(out)))
    writer.open_spider()
    writer.close_spider()
    writer.spider_closed(None, "shutdown")
    assert not out.exists() and part_path(out).exists()


def test_writer_cuts_a_torn_last_line_left_by_a_kill(tmp_path):
    out = tmp_path / "blog.jsonl"
    part_path(out).write_text('{"type": "post", "url": "u1"}\n{"type": "po')
    writer = AtomicJsonLinesPipeline.from_crawler(_crawler(SHRINKSEARCH_OUTPUT=str(out)))
    writer.open_spider()
    writer.close_spider()
    assert part_path(out).read_text() == '{"type": "post", "url": "u1"}\n'


def test_dedupe_drops_repeats_and_records_already_written(tmp_path):
    out = tmp_path / "blog.jsonl"
    written = post()
    part_path(out).write_text(json.dumps({**dict(written), "crawled": "2001-01-01T00:00:00Z"}) + "\n")
    crawler = _crawler()
    dedupe = DedupePipeline(crawler.stats, out)
    dedupe.open_spider()
    with pytest.raises(DropItem):  # already in the part file (crawled at another time)
        dedupe.process_item(post())
    other = post(url="https://x.blogspot.com/2008/03/b.html")
    assert dedupe.process_item(other) is other
    with pytest.raises(DropItem):
        dedupe.process_item(post(url="https://x.blogspot.com/2008/03/b.html"))
    more = post(url="https://x.blogspot.com/2008/03/b.html", author="Dr. Kat")  # says more: merged at the end
    assert dedupe.process_item(more) is more
    assert crawler.stats.get_value("shrinksearch/dropped/duplicate") == 2


def test_read_records_skips_a_torn_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": ')
    assert list(read_records(path)) == [{"a": 1}]


def test_shipped_sources_file_is_valid():
    sources = load_sources(PROJECT_ROOT / "crawlers" / "sources.yaml")
    assert {s.group for s in sources} == {"default", "samples"}
    assert any(s.platform == "blogger" and "shrinkrap" in s.url for s in sources)


def test_unknown_source_names_the_known_ones():
    with pytest.raises(UsageError, match="known: .*shrink-rap"):
        find_source("nope", PROJECT_ROOT / "crawlers" / "sources.yaml")


def test_polite_defaults():
    from crawlers import settings as s
    assert s.ROBOTSTXT_OBEY and s.AUTOTHROTTLE_ENABLED
    assert s.DOWNLOAD_DELAY * (1 - s.DOWNLOAD_DELAY_JITTER) >= 1.0  # at least 1 s between requests
    assert s.CONCURRENT_REQUESTS_PER_DOMAIN <= 2 and s.DEPTH_LIMIT and s.SHRINKSEARCH_MAX_PAGES
    assert s.DOWNLOAD_TIMEOUT and s.DOWNLOAD_MAXSIZE > s.DOWNLOAD_WARNSIZE
    assert "shrinksearch" in s.USER_AGENT


def test_remote_control_and_telnet_are_off_and_never_loaded():
    """A crawler of untrusted sites opens no port that runs code (Scrapy 2.19's remote control,
    telnet); their modules are not even imported."""
    from crawlers import settings as s
    assert s.REMOTE_CONTROL_ENABLED is False and s.TELNETCONSOLE_ENABLED is False
    assert not [k for k in s.EXTENSIONS_BASE if "remote_control" in k or "telnet" in k]
    assert "scrapy.extensions.corestats.CoreStats" in s.EXTENSIONS_BASE  # the rest of Scrapy's base is kept


def test_crawl_entry_point_refuses_arguments_without_a_value(capsys):
    from crawlers.crawl import main
    with pytest.raises(SystemExit) as exit_info:
        main(["blogger", "-a", "url"])
    assert exit_info.value.code == 2 and "NAME=VALUE" in capsys.readouterr().err
