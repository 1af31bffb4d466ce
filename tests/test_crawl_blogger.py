"""Blogger spider parsing, field by field: recorded feeds and pages (tests/fixtures/blogger), and small
inline pieces of the real feed shapes and comment markups (our text, their structure)."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.markup.blogger import blogger_classic_comments, blogger_languages, blogger_threaded_comments
from crawlers.markup.blogger_feeds import comment_fields, next_start, post_fields, read_feed
from crawlers.markup.blogger_pages import advertised_root, classify, declared_comments, page_post
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


# --- feeds in every shape Blogger serves ------------------------------------------------------

RSS = """<?xml version='1.0' encoding='UTF-8'?><rss xmlns:atom="http://www.w3.org/2005/Atom"
xmlns:openSearch="http://a9.com/-/spec/opensearchrss/1.0/" xmlns:thr="http://purl.org/syndication/thread/1.0" version="2.0">
<channel><title>Couch Notes</title><link>https://couchnotes.blogspot.com/</link>
<openSearch:totalResults>40</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex>
<openSearch:itemsPerPage>25</openSearch:itemsPerPage>
<item><guid isPermaLink="false">tag:blogger.com,1999:blog-7.post-42</guid><pubDate>Fri, 12 Jan 2007 17:19:00 +0000</pubDate>
<atom:updated>2007-01-17T19:19:17.750+01:00</atom:updated><category domain="http://www.blogger.com/atom/ns#">Sessions</category>
<title>On breaks</title><description>&lt;p&gt;Breaks matter.&lt;/p&gt;</description>
<link>https://couchnotes.blogspot.com/2007/01/on-breaks.html</link><author>noreply@blogger.com (Dr. Vale)</author>
<thr:total>3</thr:total></item></channel></rss>"""


def test_rss_items_give_id_author_date_labels_and_count():
    page = read_feed(RSS)
    post = post_fields(page.entries[0])
    assert (page.total, page.home) == (40, "https://couchnotes.blogspot.com/")
    assert (post["platform_id"], post["author"], post["published"], post["labels"], post["comment_count"]) == (
        "42", "Dr. Vale", "2007-01-12T17:19:00Z", ["Sessions"], 3)
    assert post["url"] == "https://couchnotes.blogspot.com/2007/01/on-breaks.html"


def test_json_in_script_and_an_empty_json_feed_without_entry_key():
    wrapped = read_feed('// API callback\ngdata.io.handleScriptLoaded({"feed": {"openSearch$totalResults": {"$t": "3"},'
                        '"entry": [{"id": {"$t": "tag:blogger.com,1999:blog-1.post-9"}, "title": {"$t": "x"}}]}});')
    empty = read_feed('{"version":"1.0","feed":{"openSearch$totalResults":{"$t":"0"},"openSearch$startIndex":{"$t":"1"}}}')
    assert (wrapped.problem, wrapped.total, len(wrapped.entries)) == (None, 3, 1)
    assert (empty.problem, empty.total, empty.entries) == (None, 0, [])


def test_feedburner_entries_keep_the_posts_own_url():
    atom = ("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'>"
            "<link rel='self' href='http://feeds.feedburner.com/couchnotes'/><entry><id>tag:blogger.com,1999:blog-1.post-5</id>"
            "<link rel='alternate' type='text/html' href='http://feedproxy.google.com/~r/couchnotes/~3/abc/on-breaks.html'/>"
            "<feedburner:origLink>https://couchnotes.blogspot.com/2007/01/on-breaks.html</feedburner:origLink></entry></feed>")
    assert post_fields(read_feed(atom).entries[0])["url"] == "https://couchnotes.blogspot.com/2007/01/on-breaks.html"


def test_pages_continue_from_what_a_page_held_not_what_was_asked():
    # asked for 500, Blogger answered 150: the next page starts at 151, and stops at the total
    entries = "".join(f"<entry><id>tag:blogger.com,1999:blog-1.post-{i}</id></entry>" for i in range(150))
    head = "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>"
    first = read_feed(f"{head}<openSearch:totalResults>160</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex>{entries}</feed>")
    last = read_feed(f"{head}<openSearch:totalResults>160</openSearch:totalResults><openSearch:startIndex>151</openSearch:startIndex>"
                     f"{entries[:10 * len(entries) // 150]}</feed>")
    assert (next_start(first), next_start(last)) == (151, None)


COMMENT = """<feed xmlns='http://www.w3.org/2005/Atom' xmlns:gd='http://schemas.google.com/g/2005'
xmlns:thr='http://purl.org/syndication/thread/1.0'><entry><id>tag:blogger.com,1999:blog-1.post-77</id>
<published>2010-11-29T12:35:44.027-08:00</published><content type='html'>Thank you.</content>
<link rel='alternate' type='text/html' href='https://couchnotes.blogspot.com/2010/11/a.html?showComment=1291062944027#c77'/>
<link rel='related' type='application/atom+xml' href='https://www.blogger.com/feeds/1/5/comments/default/70?v=2'/>
<author><name>Anonymous</name></author>
<thr:in-reply-to href='https://couchnotes.blogspot.com/2010/11/a.html' ref='tag:blogger.com,1999:blog-1.post-5'/>
<gd:extendedProperty name='blogger.displayTime' value='29 november 2010 om 12:35'/>
<gd:extendedProperty name='blogger.contentRemoved' value='true'/></entry></feed>"""


def test_comment_parent_is_the_related_link_not_the_post_it_replies_in():
    fields = comment_fields(read_feed(COMMENT).entries[0])
    assert (fields["id"], fields["parent_id"], fields["post_id"]) == ("77", "70", "5")
    assert (fields["published"], fields["display_time"]) == ("2010-11-29T20:35:44.027000Z", "29 november 2010 om 12:35")


def test_a_removed_comment_is_marked_and_left_out_of_the_thread():
    spider = make_spider()
    url = BLOG + "feeds/5/comments/default"
    post = {"url": BLOG + "2010/11/a.html", "title": "A", "platform_id": "5", "comment_count": 1}
    _, comments, _ = split(spider.parse_comments_feed(TextResponse(url=url, body=COMMENT.encode(), request=Request(url)),
                                                      post=post, candidates=[url], so_far=[]))
    assert comments == [] and spider.crawler.stats.get_value("shrinksearch/skipped/removed_comment") == 1


# --- comment markups -----------------------------------------------------------------------


def _li(cid: str, who: str, href: str, shown: str, text: str, replies: str = "") -> str:
    return (f'<li class="comment" id="c{cid}"><div class="comment-block"><div class="comment-header"><cite class="user">{who}</cite>'
            f'<span class="datetime secondary-text"><a href="{href}">{shown}</a></span></div><p class="comment-content">{text}</p></div>'
            f'<div class="comment-replies"><div class="comment-thread inline-thread"><ol id="c{cid}-ra"><div>{replies}</div></ol></div></div></li>')


def test_threaded_replies_times_only_and_wget_renamed_permalinks():
    reply = _li("2", "Unknown", "a.html%3FshowComment=1381298160000.html#c2", "07:56", "Thanks.")
    html = ('<html><body><div class="comments"><div class="comment-thread toplevel-thread"><ol id="top-ra">'
            + _li("1", "<a href='https://ruhepol.example.org/'>Ruhepol</a>", "a.html?showComment=1381172400000#c1", "21:00", "Hello", reply)
            + _li("3", "Anonym", "a.html#c3", "10. September 2017 um 18:12", '<span class="deleted-comment">removed</span>')
            + _li("4", "Anonym", "a.html#c4", "10. September 2017 um 18:12", "Guten Tag")
            + "</ol></div></div><script>var x = {'locale': 'de'};</script></body></html>")
    found = {c["id"]: c for c in blogger_threaded_comments(Selector(text=html))}
    assert sorted(found) == ["1", "2", "4"]  # the removed one is not its author's text
    assert (found["1"]["author"], found["1"]["author_url"], found["2"]["parent_id"]) == ("Ruhepol", "https://ruhepol.example.org/", "1")
    assert (found["1"]["published"], found["1"]["published_basis"]) == ("2013-10-07T19:00:00Z", "instant")
    assert found["2"]["published"] == "2013-10-09T05:56:00Z"
    assert (found["4"]["published"], found["4"]["published_basis"]) == ("2017-09-10T18:12:00Z", "local")


def test_wordpress_comment_items_are_not_read_as_blogger_threads():
    html = '<div id="comments"><ol class="comment-list"><li class="comment" id="comment-12"><p>Hi</p></li></ol></div>'
    assert blogger_threaded_comments(Selector(text=html)) == []


def test_layouts_names_without_the_localized_said():
    html = ("<dl id='comments-block'><dt class='comment-author anon-comment-icon' id='c1'><a name='c1'></a>"
            "<div class='avatar-image-container'><img title='x'/></div>Anonimo ha detto...</dt><dd class='comment-body'><p>Uno</p></dd>"
            "<dd class='comment-footer'><span class='comment-timestamp'><a href='p.html?showComment=1168625940000#c1'>12 gennaio 2007 19:19</a></span></dd>"
            "<dt class='comment-author blogger-comment-icon' id='c2'><a name='c2'></a><a href='https://www.blogger.com/profile/9'>Giulia</a> ha detto...</dt>"
            "<dd class='comment-body'><p>Due</p></dd></dl>")
    found = blogger_classic_comments(Selector(text=html))
    assert [(c["id"], c["author"], c["author_url"]) for c in found] == [
        ("1", "Anonimo", None), ("2", "Giulia", "https://www.blogger.com/profile/9")]
    assert found[0]["published"] == "2007-01-12T18:19:00Z" and found[1]["published"] is None


def test_classic_poster_with_anonymous_span_and_a_shown_date():
    html = ("<html lang='de'><body><div id='comments'><dl id='comments-block'><dt class='comment-poster' id='c9'><a name='c9'></a>"
            "<span class='comment-icon anon-comment-icon'><img alt='Anonymous'/></span>&nbsp;<span class='anon-comment-author'>Anonym</span>"
            " hat gesagt…</dt><dd class='comment-body'><p>Danke.</p></dd><dd class='comment-timestamp'><a href='#9' title='comment permalink'>"
            "10. September 2006 um 19:40</a></dd></dl></div></body></html>")
    (found,) = blogger_classic_comments(Selector(text=html))
    assert (found["id"], found["author"], found["published"], found["published_basis"]) == (
        "9", "Anonym", "2006-09-10T19:40:00Z", "local")


def test_a_classic_template_of_the_owners_making_is_read_by_its_anchors():
    html = ("<div id='blogComments'><a name='c5'></a><div class='blogComment'><div class='blogCommentByline'>Comment by "
            "<span class='comment-icon'><img/></span>&nbsp;<a href='https://www.blogger.com/profile/3' rel='nofollow'>June</a> on "
            "<a href='#5' title='Comment permalink'>August 21, 2007 9:15 AM</a></div><div class='blogCommentBody'>Named ahead.</div></div></div>")
    (found,) = blogger_classic_comments(Selector(text=html))
    assert (found["id"], found["author"], found["published"], found["html"]) == ("5", "June", "2007-08-21T09:15:00Z", "Named ahead.")


# --- what a page declares, where the blog is -------------------------------------------------


@pytest.mark.parametrize(("html", "count"), [
    ("<div class='comments' id='comments'><h4>3 comentarios:</h4></div>", 3),
    ("<div class='comments' id='comments'><h4>Nessun commento:</h4></div>", 0),
    ("<section class='comments embed' data-num-comments='6' id='comments'><h3 class='title'>Comments</h3></section>", 6),
    ("<div class='comments' id='comments'><h4> Kommentare:</h4></div><a class='comment-link' href='#c'>13</a>", 13),
    ("<div class='comments' id='comments'><a name='comments'></a></div>", None),
])
def test_declared_comment_counts(html, count):
    assert declared_comments(Selector(text=html)) == count


def test_the_page_language_comes_from_blogger_script_when_html_has_no_lang():
    assert blogger_languages(Selector(text="<html><script>_W({'locale': 'pt_BR', 'x': 1})</script></html>")) == ["pt", "en"]


def test_a_copy_finds_its_root_from_the_canonical_of_the_original():
    page = "<html><head><link href='https://x.blogspot.com/2010/07/a.html' rel='canonical'/></head></html>"
    root, origins = advertised_root(Selector(text=page), "http://127.0.0.1:8000/copy/2010/07/a.html")
    assert (root, origins) == ("http://127.0.0.1:8000/copy/", {"https://x.blogspot.com/"})


@pytest.mark.parametrize(("path", "kind"), [
    ("2010/07/a-post.html", "post"), ("2010/07/a-post.html?showComment=1#c2", "post"), ("2010/07/index.html", "listing"),
    ("2010/07/", "listing"), ("2005_03_01_archive.html", "listing"), ("archives/2005_03_01_archive.html", "listing"),
    ("search?updated-max=2010-01-01T00:00:00-05:00&max-results=7", "listing"), ("search/label/x", None), ("p/about.html", None),
    ("2010/07/a-post.html%3FshowComment=1280143440000.html", None),
])
def test_links_are_told_apart_by_their_path(path, kind):
    assert classify(path) == kind


def test_links_naming_the_original_host_are_read_from_the_copy():
    spider = make_spider("http://127.0.0.1:8000/copy/")
    spider.learn_origin("https://x.blogspot.de/")
    assert spider.local("https://x.blogspot.com/2010/07/a.html") == "http://127.0.0.1:8000/copy/2010/07/a.html"
    assert spider.local("https://www.blogger.com/feeds/77/posts/default?start-index=26") == \
        "http://127.0.0.1:8000/copy/feeds/posts/default?start-index=26"
    assert spider.local("https://elsewhere.example.com/x.html") == "https://elsewhere.example.com/x.html"


def test_the_feeds_a_page_links_come_first_and_off_site_ones_are_skipped():
    spider = make_spider()
    page = Selector(text="<link rel='alternate' href='https://feeds.feedburner.com/x'/>"
                         f"<link rel='alternate' href='{BLOG}feeds/posts/default'/>")
    assert spider.feed_candidates(page) == [BLOG + p for p in (
        "feeds/posts/default", "feeds/posts/default?alt=rss", "feeds/posts/default?alt=json", "atom.xml", "rss.xml")]


def test_an_untitled_post_is_not_titled_with_the_blogs_name():
    page = ("<html><head><title>Un passo dopo l'altro</title></head><body><div class='header'><h1 class='title'>Un passo dopo "
            "l'altro</h1></div><div class='post hentry'><h3 class='post-title entry-title'></h3><div class='post-body'>Testo.</div></div></body></html>")
    assert page_post(Selector(text=page), None)["title"] == ""
