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


# --- any template: the comment fallback, and media never downloaded -----------------------------

NOT_COMMENTS = """<html lang="en"><body>
<article><h1>Post</h1><p>Body of the post, long enough to be a post of its own on this page.</p></article>
<div class="jp-relatedposts related-posts"><h3>Related</h3><div class="related-post"><a href="/a">A</a> <span class="date">March 3, 2012</span> by <span class="author">Ann</span><p>Teaser one.</p></div>
<div class="related-post"><a href="/b">B</a> <span class="date">March 9, 2012</span> by <span class="author">Ann</span><p>Teaser two.</p></div></div>
<ul id="recentcomments" class="widget_recent_comments"><li class="recentcomments"><span class="comment-author-link">Bob</span> on <a href="/a">A</a> March 3, 2012</li>
<li class="recentcomments"><span class="comment-author-link">Cy</span> on <a href="/b">B</a> March 4, 2012</li></ul>
<div class="tagcloud"><a href="/tag/x">anxiety</a> <a href="/tag/y">sleep</a></div>
<div id="comments" class="comments-area"><h2 class="comments-title">No comments yet</h2>
<div id="respond" class="comment-respond"><form id="commentform"><p class="comment-form-author"><label>Name</label><input name="author"></p>
<p class="comment-form-comment"><label>Comment</label><textarea name="comment"></textarea></p></form></div></div>
</body></html>"""


def test_the_comment_fallback_leaves_widgets_archives_and_the_form_alone():
    from parsel import Selector

    from crawlers.markup.fallback import fallback_comments

    assert fallback_comments(Selector(text=NOT_COMMENTS)) == []


def test_the_comment_fallback_reads_repeated_blocks_with_replies():
    from parsel import Selector

    from crawlers.markup import extract_comments

    page = (Path(__file__).parent / "fixtures/real_markup/generic-fallback-spip/site/societe/article/le-divan-et-la-ville.html")
    found = extract_comments(Selector(text=page.read_text(encoding="utf-8")))
    assert [(c["author"], c["published"], c["published_basis"]) for c in found] == [
        ("Hélène R.", "2019-03-18T19:22:10Z", "instant"), ("Claire Moreau", "2019-03-19T07:05:00Z", "instant"),
        ("un lecteur", "2019-03-21T12:45:37Z", "instant")]
    assert [c["parent_id"] for c in found] == [None, found[0]["id"], None]
    assert "Répondre" not in found[0]["html"] and "exactement ma situation" in found[0]["html"]


def test_media_is_never_downloaded(tmp_path, data_dir):
    from crawlers.runner import run_crawl
    from shrinksearch.samples.mirror import running_mirror

    site = Path(__file__).parent / "fixtures/real_markup/generic-media/site"
    with running_mirror(site) as base:
        summary = run_crawl(url=base + "/", platform="generic", fast=True, resume=False, out=tmp_path / "out.jsonl")
    log = summary.request_log.read_text(encoding="utf-8").splitlines()
    sent = [line.split(" ", 2)[2] for line in log if " sent " in line]
    answered = [line.split(" ", 2)[2] for line in log if " got-" in line]
    assert summary.posts == 2
    assert not [u for u in sent if u.endswith((".mp3", ".pdf", ".jpg"))]  # refused before the request
    assert [u for u in sent if "/listen/" in u] and not [u for u in answered if "/listen/" in u]  # stopped at the headers
    assert summary.stats["shrinksearch/skipped/media"] >= 8  # 2 × (mp3, pdf, jpg) + 2 streams
    assert not summary.errors.get("ignored") and not [k for k in summary.errors if k.startswith("download_")]


@pytest.mark.parametrize(("shown", "languages", "expected"), [
    ("07.08.09", ["de", "en"], ("2009-08-07T00:00:00Z", "day")),  # not 07:08:09, not July 8
    ("07.08.2009 um 10:25 Uhr", ["de", "en"], ("2009-08-07T10:25:00Z", "local")),
    ("8/7/2009 10:25 pm", ["en"], ("2009-08-07T22:25:00Z", "local")),  # US order on an English page
    ("18. 05. 2014", ["de", "en"], ("2014-05-18T00:00:00Z", "day")),
    ("21:00", None, (None, None)),
])
def test_all_number_dates_are_read_in_their_pages_order(shown, languages, expected):
    from crawlers.markup.dates import shown_date

    assert shown_date(shown, languages) == expected
