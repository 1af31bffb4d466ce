"""Blogger spider parsing, field by field, on recorded feeds and pages (tests/fixtures/blogger)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.blogger import BloggerSpider

from spider_support import split

FIXTURES = Path(__file__).parent / "fixtures" / "blogger"
BLOG = "https://shrinkrapblog.blogspot.com/"


def make_spider(url: str = BLOG) -> BloggerSpider:
    return BloggerSpider.from_crawler(get_crawler(BloggerSpider), url=url)


def response(name: str, url: str, cls: type[TextResponse] = HtmlResponse, **cb_kwargs) -> TextResponse:
    request = Request(url, cb_kwargs=cb_kwargs)
    return cls(url=url, body=(FIXTURES / name).read_bytes(), encoding="utf-8", request=request)



@pytest.fixture(scope="module")
def json_feed():
    spider = make_spider()
    url = BLOG + "feeds/posts/default?alt=json"
    posts, _, requests = split(spider.parse_posts_feed(response("posts.json", url, TextResponse), candidates=[url]))
    return spider, posts, requests


@pytest.fixture(scope="module")
def comment_items():
    spider = make_spider()
    post = {"url": BLOG + "2008/03/you-may-leave-now.html", "title": "You May Leave Now", "platform_id": "3001",
            "comment_count": 3}
    url = BLOG + "feeds/3001/comments/default?alt=json"
    _, comments, _ = split(spider.parse_comments_feed(response("comments.json", url, TextResponse), post=post,
                                                      candidates=[url], so_far=[]))
    return {c["id"]: c for c in comments}, [c["id"] for c in comments]


def test_json_feed_gives_one_post_per_entry(json_feed):
    assert len(json_feed[1]) == 2


def test_json_post_url_is_the_alternate_link(json_feed):
    assert json_feed[1][0]["url"] == BLOG + "2008/03/you-may-leave-now.html"


def test_json_post_id_comes_from_the_atom_tag(json_feed):
    assert json_feed[1][0]["platform_id"] == "3001"


def test_json_post_title_is_unescaped(json_feed):
    assert json_feed[1][0]["title"] == "You May Leave Now & Come Back"


def test_json_post_author(json_feed):
    assert [p["author"] for p in json_feed[1]] == ["Dinah", "ClinkShrink"]


def test_json_post_dates_are_utc(json_feed):
    assert json_feed[1][0]["published"] == "2008-03-01T14:05:00Z"
    assert json_feed[1][0]["updated"] == "2008-03-01T15:15:30.120000Z"


def test_json_post_labels(json_feed):
    assert json_feed[1][0]["labels"] == ["psychotherapy", "transference"]
    assert json_feed[1][1]["labels"] == []


def test_json_post_html(json_feed):
    assert json_feed[1][0]["html"] == "<p>A patient asked whether I would miss her over the vacation.</p>"


def test_json_post_comment_count_from_thr_total(json_feed):
    assert [p["comment_count"] for p in json_feed[1]] == [3, 0]


def test_json_post_blog_fields(json_feed):
    post = json_feed[1][0]
    assert (post["blog_name"], post["blog_url"], post["platform"]) == ("Shrink Rap", BLOG, "blogger")


def test_json_feed_requests_comments_only_where_there_are_some(json_feed):
    comment_feeds = [r.url for r in json_feed[2] if "/feeds/3" in r.url]
    assert comment_feeds == [BLOG + "feeds/3001/comments/default?alt=json"]


def test_json_feed_asks_the_blog_wide_comment_feed_for_its_total(json_feed):
    assert BLOG + "feeds/comments/default?alt=json" in [r.url for r in json_feed[2]]


def test_json_feed_declares_the_blogs_post_count(json_feed):
    assert json_feed[0].crawler.stats.get_value("shrinksearch/declared/posts") == 3


def test_json_feed_pages_as_its_next_link_says_on_the_host_crawled(json_feed):
    # rel=next names www.blogger.com/feeds/<blogId>/posts/default: the query is kept, the path is ours
    pages = [r.url for r in json_feed[2] if "feeds/posts/default" in r.url]
    assert pages == [BLOG + "feeds/posts/default?alt=json&start-index=3&max-results=2"]


def test_comment_ids_from_the_atom_tag(comment_items):
    assert set(comment_items[0]) == {"900101", "900102", "900103"}


def test_comment_reply_parent_from_related_link(comment_items):
    by_id = comment_items[0]
    assert (by_id["900103"]["parent_id"], by_id["900101"]["parent_id"], by_id["900102"]["parent_id"]) == ("900101", None, None)


def test_comment_authors(comment_items):
    assert {k: c["author"] for k, c in comment_items[0].items()} == {"900101": "Anonymous", "900102": "Roy", "900103": "Anonymous"}


def test_comment_author_url(comment_items):
    assert comment_items[0]["900102"]["author_url"] == "http://www.blogger.com/profile/555"
    assert comment_items[0]["900101"]["author_url"] is None


def test_comment_published_is_utc(comment_items):
    assert comment_items[0]["900101"]["published"] == "2008-03-01T18:22:00Z"


def test_comment_html(comment_items):
    assert comment_items[0]["900103"]["html"] == "Thank you.<br /><br />It helped."


def test_comment_positions_follow_the_thread(comment_items):
    assert comment_items[1] == ["900101", "900103", "900102"]
    assert [comment_items[0][i]["position"] for i in comment_items[1]] == [0, 1, 2]


def test_comment_carries_post_url_and_title(comment_items):
    c = comment_items[0]["900102"]
    assert (c["post_url"], c["post_title"]) == (BLOG + "2008/03/you-may-leave-now.html", "You May Leave Now")


# --- Atom fallback ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def atom_posts():
    spider = make_spider()
    url = BLOG + "feeds/posts/default"
    return split(spider.parse_posts_feed(response("posts.atom.xml", url, TextResponse), candidates=[url]))


def test_atom_post_fields(atom_posts):
    post = atom_posts[0][0]
    assert (post["url"], post["platform_id"], post["title"], post["author"]) == (
        BLOG + "2008/03/you-may-leave-now.html", "3001", "You May Leave Now", "Dinah")


def test_atom_post_dates_labels_and_count(atom_posts):
    post = atom_posts[0][0]
    assert (post["published"], post["labels"], post["comment_count"]) == (
        "2008-03-01T14:05:00Z", ["psychotherapy", "transference"], 3)


def test_atom_post_html(atom_posts):
    assert atom_posts[0][0]["html"] == "<p>A patient asked whether I would miss her over the vacation.</p>"


def test_a_body_that_is_no_feed_falls_back_to_the_next_feed():
    spider = make_spider()
    url, atom = BLOG + "feeds/posts/default?alt=json", BLOG + "feeds/posts/default"
    resp = TextResponse(url=url, body=b"<html>not json", encoding="utf-8", request=Request(url))
    _, _, requests = split(spider.parse_posts_feed(resp, candidates=[url, atom]))
    assert [r.url for r in requests] == [atom]
    assert spider.crawler.stats.get_value("shrinksearch/errors/bad_feed") == 1


# --- HTML fallback: threaded and classic comment markup ---------------------------------


@pytest.fixture(scope="module")
def threaded_page():
    spider = make_spider()
    resp = response("post-threaded.html", BLOG + "2008/03/you-may-leave-now.html")
    posts, comments, _ = split(spider.parse_post_page(resp))
    return posts[0], {c["id"]: c for c in comments}, [c["id"] for c in comments]


def test_page_post_title_and_id(threaded_page):
    assert (threaded_page[0]["title"], threaded_page[0]["platform_id"]) == ("You May Leave Now", "3001")


def test_page_post_author(threaded_page):
    assert threaded_page[0]["author"] == "Dinah"


def test_page_post_published_from_abbr_title(threaded_page):
    assert threaded_page[0]["published"] == "2008-03-01T14:05:00Z"


def test_page_post_labels(threaded_page):
    assert threaded_page[0]["labels"] == ["psychotherapy", "transference"]


def test_page_post_body(threaded_page):
    assert "miss her over the vacation" in threaded_page[0]["html"]
    assert "post-footer" not in threaded_page[0]["html"]


def test_page_post_comment_count_is_what_the_header_declares(threaded_page):
    assert threaded_page[0]["comment_count"] == 3


def test_threaded_comment_ids_in_thread_order(threaded_page):
    assert threaded_page[2] == ["900101", "900103", "900102"]


def test_threaded_reply_parent(threaded_page):
    assert {k: c["parent_id"] for k, c in threaded_page[1].items()} == {"900101": None, "900103": "900101", "900102": None}


def test_threaded_comment_authors(threaded_page):
    assert {k: c["author"] for k, c in threaded_page[1].items()} == {"900101": "Anonymous", "900103": "Dinah", "900102": "Roy"}


def test_threaded_comment_author_url(threaded_page):
    assert threaded_page[1]["900102"]["author_url"] == "https://www.blogger.com/profile/555"


def test_threaded_comment_published_from_display_time(threaded_page):
    # "March 1, 2008 at 1:22 PM" is the blog's local time; showComment gives the true instant
    assert threaded_page[1]["900101"]["published"] == "2008-03-01T18:22:00Z"


def test_threaded_comment_html(threaded_page):
    assert threaded_page[1]["900103"]["html"] == "Thank you.<br><br>It helped."


@pytest.fixture(scope="module")
def classic_page():
    spider = make_spider("http://couchside.blogspot.com/")
    resp = response("post-classic.html", "http://couchside.blogspot.com/2009/11/insurance-hours.html")
    posts, comments, _ = split(spider.parse_post_page(resp))
    return posts[0], comments


def test_classic_comment_ids(classic_page):
    assert [c["id"] for c in classic_page[1]] == ["5001", "5002"]


def test_classic_comment_authors_anonymous_and_linked(classic_page):
    assert [c["author"] for c in classic_page[1]] == ["Anonymous", "ClinkShrink"]
    assert [c["author_url"] for c in classic_page[1]] == [None, "https://www.blogger.com/profile/1234"]


def test_classic_comment_published(classic_page):
    assert classic_page[1][0]["published"] == "2009-11-03T00:30:00Z"


def test_classic_comment_html(classic_page):
    assert classic_page[1][1]["html"] == "<p>\nOurs too.\n</p>"


def test_classic_comments_have_no_parent(classic_page):
    assert [c["parent_id"] for c in classic_page[1]] == [None, None]


def test_classic_post_author_without_link(classic_page):
    assert classic_page[0]["author"] == "ClinkShrink"


# --- listing pages ------------------------------------------------------------------------


def test_listing_follows_posts_older_posts_and_archives_but_not_the_trap():
    spider = make_spider()
    urls = [r.url for r in spider.parse_listing(response("home.html", BLOG))]
    assert BLOG + "2008/03/you-may-leave-now.html" in urls
    assert BLOG + "2008/02/involuntary.html" in urls  # ?m=1 is the same page
    assert any("search?updated-max=" in u for u in urls)
    assert BLOG + "2008/03/" in urls
    assert not any("trap" in u or "elsewhere" in u for u in urls)
