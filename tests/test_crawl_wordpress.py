"""WordPress spider parsing, field by field, on recorded REST answers and theme pages
(tests/fixtures/wordpress), and the markup of real themes (tests/fixtures/real_markup/wordpress-*)."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector
from scrapy import Request
from scrapy.http import Headers, HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.markup.wordpress import comment_page_links, declared_comments, read_date, strip_comment_page, wordpress_comments
from crawlers.markup.wordpress_feeds import reply_parent
from crawlers.markup.wordpress_pages import discovery_links, languages_of, page_kind, post_fields
from crawlers.markup.wordpress_rest import api_url, header_links, home_of_api
from crawlers.markup.wordpress_urls import OriginMap, unwrap_wayback
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


# --- real themes (tests/fixtures/real_markup/wordpress-*: real structure, our text) ----------

REAL = Path(__file__).parent / "fixtures" / "real_markup"


def real_page(variant: str, path: str) -> Selector:
    return Selector(text=(REAL / variant / "site" / path).read_text(encoding="utf-8"))


def real_comments(variant: str, path: str, after: str | None = None) -> dict[str, dict]:
    sel = real_page(variant, path)
    lang, languages = languages_of(sel)
    return {c["id"]: c for c in wordpress_comments(sel, languages, after=after, lang=lang)}


MALFORMED = ("wordpress-wpcom-malformed-en", "2019/12/30/a-quieter-new-year/index.html")


def test_replies_listed_after_their_parents_li_thread_by_depth_classes():
    comments = real_comments(*MALFORMED, after="2019-12-30T18:40:12Z")
    assert {k: c["parent_id"] for k, c in comments.items()} == {
        "701": None, "702": "701", "703": "702", "704": None, "705": "704"}


def test_dates_without_a_year_fall_on_or_after_the_post():
    comments = real_comments(*MALFORMED, after="2019-12-30T18:40:12Z")
    assert (comments["701"]["published"], comments["703"]["published"]) == ("2019-12-30T21:05:00Z", "2020-01-02T10:30:00Z")
    assert comments["703"]["published_basis"] == "local"


def test_jetpack_likes_are_not_comment_text():
    assert "Liked by" not in real_comments(*MALFORMED)["702"]["html"]


def test_pingbacks_are_neither_comments_nor_counted():
    sel = real_page("wordpress-avada-de", "blog/influencer-und-ihre-therapeutinnen/index.html")
    assert sorted(real_comments("wordpress-avada-de", "blog/influencer-und-ihre-therapeutinnen/index.html")) == ["601", "602", "603", "604"]
    assert declared_comments(sel, shown=4) == 4  # "6 Comments" less the 2 pingbacks
    divi = real_page("wordpress-divi-de", "2017/06/07/schweigepflicht-in-sozialen-netzwerken/index.html")
    assert declared_comments(divi, shown=2) == 2  # "2 Kommentare" beside 1 trackback: comments only


def test_avada_date_as_bare_text_beside_the_name():
    comment = real_comments("wordpress-avada-de", "blog/influencer-und-ihre-therapeutinnen/index.html")["601"]
    assert (comment["author"], comment["published"], comment["published_basis"]) == ("Ben", "2018-06-19T15:28:00Z", "local")


def test_genesis_en_gb_dates_are_day_first():
    comments = real_comments("wordpress-genesis-static-front-en-gb", "blog/comfort-food-and-low-mood/index.html")
    assert (comments["1167"]["published"], comments["1168"]["published"]) == ("2020-04-14T15:00:00Z", "2020-05-03T09:10:00Z")
    assert comments["1168"]["author_url"] == "https://veena-cooks.example/"


def test_wpdiscuz_parent_from_the_item_id():
    comments = real_comments("wordpress-wpdiscuz-paginated-de", "2017/02/zitronen-und-trost/index.html")
    assert {k: c["parent_id"] for k, c in comments.items()} == {"510": None, "511": "510"}
    assert comments["511"]["html"] == "<p>Genau dafür schreibe ich diese Rezepte: Hände beschäftigt, Kopf etwas freier.</p>"


def test_older_style_name_without_says_and_date_from_link_text():
    comment = real_comments("wordpress-twentyten-paginated-de", "2019/03/13/ferien-vom-therapeuten/comment-page-1/index.html")["402"]
    assert (comment["author"], comment["author_url"], comment["published"]) == (
        "M. Vogt", "https://zwischendenstunden.example", "2019-03-13T12:40:00Z")
    assert "schreibt" not in comment["html"] and "Antworten" not in comment["html"]


def test_div_style_comments_with_div_children():
    comments = real_comments("wordpress-rest-plain-permalinks", "@p=21")
    assert {k: c["parent_id"] for k, c in comments.items()} == {"51": None, "52": "51", "53": "52"}
    assert comments["52"]["published"] == "2020-03-04T17:20:00Z" and comments["52"]["published_basis"] == "instant"


def test_a_display_date_in_time_datetime_is_read_as_shown():
    sel = real_page("wordpress-twentysixteen-de", "2016/06/23/wenn-die-therapeutin-urlaub-macht/index.html")
    lang, languages = languages_of(sel)
    post = post_fields(sel, "https://x/", languages, lang)
    assert (post["published"], post["published_basis"], post["platform_id"]) == ("2016-06-23T16:14:00Z", "local", "123")


def test_comment_count_headers():
    assert declared_comments(Selector(text='<div id="comments"><h2 class="comments-title">7 Gedanken zu „Ferien 2016“</h2></div>')) == 7
    assert declared_comments(Selector(text='<h3 id="comments-title">Ein Kommentar zu „Start ins Jahr 2016“</h3>')) == 1
    assert declared_comments(Selector(text='<div id="comments"><h3>Kommentare (34)</h3></div>')) == 34
    assert declared_comments(Selector(text='<div id="comments"><h3>Schreibe einen Kommentar</h3></div>')) is None


def test_dates_as_themes_print_them():
    assert read_date("am 9. Juni 2017 um 13:22", ["de", "en"], lang="de-DE") == ("2017-06-09T13:22:00Z", "local")
    assert read_date("Juni 19th, 2018", ["de", "en"], lang="de-DE") == ("2018-06-19T00:00:00Z", "day")
    assert read_date("04/05/2020 at 3:00 pm", ["en"], lang="en-GB")[0] == "2020-05-04T15:00:00Z"
    assert read_date("04/05/2020 at 3:00 pm", ["en"], lang="en-US")[0] == "2020-04-05T15:00:00Z"
    assert read_date("stephangoeldi said, on August 3, 2019 at 3:12 pm", ["en"])[0] == "2019-08-03T15:12:00Z"


def test_comment_pages_of_the_same_post():
    page = "https://b.example/2019/03/13/ferien/"
    sel = Selector(text=f'<a href="{page}comment-page-2/#comments">2</a><a href="https://b.example/other/comment-page-2/">x</a>')
    assert comment_page_links(sel, page) == [page + "comment-page-2/"]
    assert strip_comment_page("https://b.example/x.html/comment-page-3#comments") == "https://b.example/x.html"
    assert strip_comment_page("https://b.example/?p=3&cpage=2") == "https://b.example/?p=3"


def test_feed_reply_prefix_names_the_parent_and_is_not_the_text():
    html, parent = reply_parent('<p>Als Antwort auf <a href="https://g.example/p/#comment-11736">SV</a>.</p>\n<p>Danke!</p>\n')
    assert (html, parent) == ("<p>Danke!</p>\n", "11736")
    assert reply_parent("<p>Kein Antwortsatz.</p>") == ("<p>Kein Antwortsatz.</p>", None)


def test_rest_urls_for_pretty_and_plain_permalinks():
    assert api_url("https://b.example/wp-json/", "wp/v2/posts", page=2) == "https://b.example/wp-json/wp/v2/posts?page=2"
    assert api_url("https://b.example/index.php?rest_route=/", "wp/v2/posts", page=2) == \
        "https://b.example/index.php?rest_route=/wp/v2/posts&page=2"
    assert [home_of_api(u) for u in ("https://b.example/blog/wp-json/", "https://b.example/index.php/wp-json/",
                                     "https://b.example/index.php?rest_route=/")] == \
        ["https://b.example/blog/", "https://b.example/", "https://b.example/"]


def test_link_header_rels():
    value = '<https://b.example/wp-json/>; rel="https://api.w.org/", <https://b.example/wp-json/wp/v2/posts?page=2>; rel="next"'
    assert header_links(value) == {"https://api.w.org/": "https://b.example/wp-json/", "next": "https://b.example/wp-json/wp/v2/posts?page=2"}


def test_copies_map_the_original_host_onto_where_they_are_served():
    assert unwrap_wayback("https://web.archive.org/web/20130307194448/http://x.example/a.html") == "http://x.example/a.html"
    origins = OriginMap()
    origins.learn("http://127.0.0.1:8000/2019/05/post/", "https://x.example/2019/05/post/")
    assert origins.local("https://www.x.example/feed/") == "http://127.0.0.1:8000/feed/"
    assert origins.local("https://elsewhere.example/a") == "https://elsewhere.example/a"
    home_link_on_a_post = OriginMap()
    home_link_on_a_post.learn("http://127.0.0.1:8000/2019/05/post/", "https://x.example/")
    assert not home_link_on_a_post.is_copy()


def test_a_copy_published_higher_up_than_the_blog_lived_maps_its_links_down():
    # a static export of a blog that lived at /blog/, published at the root (seen in a real
    # export on GitHub Pages): its home says, through its API root, that home is /blog/
    moved = OriginMap()
    moved.learn_moved("http://127.0.0.1:8000/", "/blog/")
    assert moved.local("http://127.0.0.1:8000/blog/5-2/") == "http://127.0.0.1:8000/5-2/" and moved.is_copy()
    assert moved.local("http://127.0.0.1:8000/other/") == "http://127.0.0.1:8000/other/"
    multilingual = OriginMap()  # a live home at /de/ with its API at /wp-json/ is no copy
    multilingual.learn_moved("https://x.example/de/", "https://x.example/")
    assert not multilingual.is_copy()


def test_page_kinds_and_a_static_front_pages_posts_page():
    home = real_page("wordpress-genesis-static-front-en-gb", "index.html")
    assert page_kind(home) == "page"
    assert page_kind(real_page("wordpress-genesis-static-front-en-gb", "blog/index.html")) == "listing"
    assert page_kind(real_page("wordpress-wayback-de", "2008/05/die-erste-stunde.html")) == "post"
    assert discovery_links(home, "https://mindfulkitchen.example/", "page")["index"] == ["https://mindfulkitchen.example/blog/"]


def test_a_start_page_below_the_home_crawls_the_whole_blog():
    spider = WordpressSpider.from_crawler(get_crawler(WordpressSpider), url=BLOG + "2019/06/03/a-post/")
    page = response("post.html", BLOG + "2019/06/03/a-post/", HtmlResponse)
    requests = [r for r in spider.parse_start(page) if isinstance(r, Request)]
    assert spider.blog_url == BLOG
    assert [r.url for r in requests] == [BLOG + "wp-json/wp/v2/posts?page=1&per_page=100&_embed=1"]


def test_closed_rest_comments_are_read_from_the_post_page():
    spider = make_spider()
    post = {"url": POST_URL, "title": "t", "platform_id": "412", "author": "A", "author_url": None, "author_id": None,
            "published": None, "published_basis": None, "updated": None, "labels": [], "html": ""}
    url = BLOG + "wp-json/wp/v2/comments?post=412&page=1&per_page=100"
    resp = TextResponse(url=url, body=b'{"code": "rest_forbidden", "data": {"status": 200}}', encoding="utf-8", request=Request(url))
    _, _, requests = split(spider.parse_comments(resp, post=post, page=1, so_far=[], declared=None, emit_post=True))
    assert [r.url for r in requests] == [POST_URL] and "author_id" not in requests[0].cb_kwargs["known"]
