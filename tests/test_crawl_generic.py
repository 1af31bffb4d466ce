"""Generic spider parsing, field by field: RSS, sitemaps, trafilatura main text and the
schema.org-ish comment markup (tests/fixtures/generic)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.generic import GenericSpider

from spider_support import split

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
BLOG = "https://therapyroom.example.net/"
POST_URL = BLOG + "posts/when-the-therapist-cancels.html"


def make_spider() -> GenericSpider:
    return GenericSpider.from_crawler(get_crawler(GenericSpider), url=BLOG)


def response(name: str, url: str, cls: type[TextResponse]) -> TextResponse:
    return cls(url=url, body=(FIXTURES / name).read_bytes(), encoding="utf-8", request=Request(url))



@pytest.fixture(scope="module")
def feed_requests():
    return split(make_spider().parse_feed(response("feed.xml", BLOG + "feed.xml", XmlResponse), rest=[]))[2]


@pytest.fixture(scope="module")
def page():
    spider = make_spider()
    entry = {"url": POST_URL, "title": "When the therapist cancels", "author": "Miriam K.", "author_url": None,
             "published": "2013-03-11T14:00:00Z", "updated": None, "labels": ["transference"], "html": "", "comment_count": 3}
    posts, comments, _ = split(spider.parse_post(response("post.html", POST_URL, HtmlResponse), entry=entry, emit_post=True))
    return posts[0], {c["id"]: c for c in comments}, [c["id"] for c in comments]


@pytest.fixture(scope="module")
def bare_page():
    spider = make_spider()
    posts, _, _ = split(spider.parse_post(response("post.html", POST_URL, HtmlResponse), entry=None, emit_post=True))
    return posts[0]


def test_feed_entry_requests_the_post_page_with_its_fields(feed_requests):
    posts = [r for r in feed_requests if r.callback.__name__ == "parse_post"]
    assert [r.url for r in posts] == [POST_URL + "?utm_source=rss"]
    assert posts[0].cb_kwargs["entry"]["comment_count"] == 3


def test_feed_then_sitemap(feed_requests):
    assert feed_requests[-1].url == BLOG + "sitemap.xml"


def test_sitemap_lists_posts_not_the_home_page():
    urls = [r.url for r in make_spider().parse_sitemap(response("sitemap.xml", BLOG + "sitemap.xml", XmlResponse))]
    assert urls == [POST_URL, BLOG + "posts/older-post.html"]


def test_post_title_author_date_from_feed_entry(page):
    assert (page[0]["title"], page[0]["author"], page[0]["published"]) == (
        "When the therapist cancels", "Miriam K.", "2013-03-11T14:00:00Z")


def test_post_main_text_by_trafilatura(page):
    assert "small abandonment" in page[0]["html"]
    assert "Did you tell your therapist" not in page[0]["html"]
    assert "About" not in page[0]["html"]


def test_post_comment_count(page):
    assert page[0]["comment_count"] == 3


def test_comment_ids_and_parents(page):
    assert {k: c["parent_id"] for k, c in page[1].items()} == {"8101": None, "8102": "8101", "8103": None}


def test_comment_authors(page):
    assert {k: c["author"] for k, c in page[1].items()} == {"8101": "Lena", "8102": "Miriam K.", "8103": "Anonymous"}


def test_comment_author_url(page):
    assert page[1]["8102"]["author_url"] == BLOG + "about.html"


def test_comment_published(page):
    assert page[1]["8101"]["published"] == "2013-03-11T16:20:00Z"


def test_comment_html(page):
    assert page[1]["8103"]["html"] == "<p>Useful, thank you.</p>"


def test_comment_positions(page):
    assert [page[1][i]["position"] for i in page[2]] == [0, 1, 2]


def test_page_without_feed_entry_uses_page_metadata(bare_page):
    assert (bare_page["title"], bare_page["author"], bare_page["published"]) == (
        "When the therapist cancels", "Miriam K.", "2013-03-11T14:00:00Z")
