"""WordPress spider parsing, field by field, on recorded REST answers and theme pages
(tests/fixtures/wordpress)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Headers, HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.wordpress import WordpressSpider

from spider_support import split

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
BLOG = "https://medcheck.example.org/"
POST_URL = BLOG + "2019/06/03/ssri-sexual-side-effects/"


def make_spider() -> WordpressSpider:
    spider = WordpressSpider.from_crawler(get_crawler(WordpressSpider), url=BLOG)
    spider.api_root = BLOG + "wp-json/"  # as the start page advertises it
    return spider


def response(name: str, url: str, cls: type[TextResponse] = TextResponse, headers: dict | None = None,
             **cb_kwargs) -> TextResponse:
    return cls(url=url, body=(FIXTURES / name).read_bytes(), encoding="utf-8",
               headers=Headers(headers or {}), request=Request(url, cb_kwargs=cb_kwargs))



@pytest.fixture(scope="module")
def listing():
    spider = make_spider()
    url = BLOG + "wp-json/wp/v2/posts?page=1&per_page=100&_embed=1"
    _, _, requests = split(spider.parse_posts(response("posts.json", url, headers={"X-WP-Total": "120", "X-WP-TotalPages": "2"}), page=1))
    return requests


@pytest.fixture(scope="module")
def thread():
    spider = make_spider()
    post = {"url": POST_URL, "title": "SSRIs and the side effect nobody asks about", "platform_id": "412",
            "author": "Dr. Alvarez", "author_url": None, "published": None, "updated": None, "labels": [], "html": ""}
    url = BLOG + "wp-json/wp/v2/comments?post=412&page=1&per_page=100"
    resp = response("comments.json", url, headers={"X-WP-Total": "3", "X-WP-TotalPages": "1"})
    posts, comments, _ = split(spider.parse_comments(resp, post=post, page=1, so_far=[], declared=None, emit_post=True))
    return posts, {c["id"]: c for c in comments}, [c["id"] for c in comments]


def rest_post(index: int = 0) -> dict:
    from crawlers.spiders.wordpress import post_from_rest
    import json
    return post_from_rest(json.loads((FIXTURES / "posts.json").read_text())[index])


def test_rest_post_url_and_id():
    assert (rest_post()["url"], rest_post()["platform_id"]) == (POST_URL, "412")


def test_rest_post_title_entities_decoded():
    assert rest_post(1)["title"] == "Lithium levels & the summer heat"


def test_rest_post_author_from_embedded_user():
    assert rest_post()["author"] == "Dr. Alvarez"


def test_rest_post_dates_from_gmt_fields():
    assert (rest_post()["published"], rest_post()["updated"]) == ("2019-06-03T13:30:00Z", "2019-06-04T12:00:00Z")


def test_rest_post_labels_from_embedded_terms():
    assert rest_post()["labels"] == ["Medications", "SSRIs", "side effects"]


def test_rest_post_html():
    assert "won&#8217;t bring it up" in rest_post()["html"]


def test_listing_requests_each_posts_comments(listing):
    comments = [r.url for r in listing if "/comments" in r.url]
    assert comments == [BLOG + "wp-json/wp/v2/comments?post=412&page=1&per_page=100",
                        BLOG + "wp-json/wp/v2/comments?post=405&page=1&per_page=100"]


def test_listing_pages_by_x_wp_totalpages(listing):
    assert [r.url for r in listing if "/posts" in r.url] == [BLOG + "wp-json/wp/v2/posts?page=2&per_page=100&_embed=1"]


def test_post_emitted_with_its_comment_count(thread):
    assert thread[0][0]["comment_count"] == 3


def test_comment_parent_from_parent_field(thread):
    assert {k: c["parent_id"] for k, c in thread[1].items()} == {"7001": None, "7002": None, "7003": "7001"}


def test_comment_authors_and_urls(thread):
    assert thread[1]["7002"]["author"] == "Sam"
    assert thread[1]["7002"]["author_url"] == "https://sam.example.net"
    assert thread[1]["7001"]["author_url"] is None


def test_nameless_comment_is_anonymous_as_wordpress_prints_it():
    from crawlers.spiders.wordpress import comment_from_rest
    assert comment_from_rest({"id": 1, "parent": 0, "author_name": "", "content": {"rendered": ""}})["author"] == "Anonymous"


def test_comment_published_from_date_gmt(thread):
    assert thread[1]["7001"]["published"] == "2019-06-03T14:05:00Z"


def test_comment_html(thread):
    assert thread[1]["7003"]["html"] == "<p>Please do &#8212; there are options.</p>\n"


def test_comment_thread_order(thread):
    assert thread[2] == ["7001", "7003", "7002"]


def test_rest_404_falls_back_to_the_feed():
    spider = make_spider()
    url = BLOG + "wp-json/wp/v2/posts?page=1&per_page=100&_embed=1"
    resp = HtmlResponse(url=url, body=b"<html><body>Not found</body></html>", encoding="utf-8", request=Request(url))
    _, _, requests = split(spider.parse_posts(resp, page=1))
    assert [r.url for r in requests] == [BLOG + "feed/"]


# --- theme markup ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page():
    spider = make_spider()
    posts, comments, _ = split(spider.parse_page(response("post.html", POST_URL, HtmlResponse)))
    return posts[0], {c["id"]: c for c in comments}, [c["id"] for c in comments]


def test_page_post_title_and_id(page):
    assert (page[0]["title"], page[0]["platform_id"]) == ("SSRIs and the side effect nobody asks about", "412")


def test_page_post_author(page):
    assert (page[0]["author"], page[0]["author_url"]) == ("Dr. Alvarez", BLOG + "author/alvarez/")


def test_page_post_dates(page):
    assert (page[0]["published"], page[0]["updated"]) == ("2019-06-03T13:30:00Z", "2019-06-04T12:00:00Z")


def test_page_post_labels(page):
    assert page[0]["labels"] == ["Medications", "SSRIs", "side effects"]


def test_page_post_body(page):
    assert "bring it up" in page[0]["html"] and "comment" not in page[0]["html"]


def test_page_nested_comment_parents(page):
    assert {k: c["parent_id"] for k, c in page[1].items()} == {"7001": None, "7003": "7001", "7002": None}


def test_page_comment_order(page):
    assert page[2] == ["7001", "7003", "7002"]


def test_page_comment_authors(page):
    assert {k: c["author"] for k, c in page[1].items()} == {"7001": "worried in ohio", "7003": "Dr. Alvarez", "7002": "Sam"}


def test_page_comment_published(page):
    assert page[1]["7003"]["published"] == "2019-06-03T18:00:00Z"


def test_page_comment_html(page):
    assert page[1]["7002"]["html"] == "<p>Mine stopped after a dose change.</p>"
