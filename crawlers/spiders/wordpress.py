"""``WordpressSpider``: self-hosted WordPress and wordpress.com blogs, live or as a copy.

The crawl starts at the page it is given and reads what that page advertises:

1. **The REST API**, found through ``<link rel="https://api.w.org/">`` or the ``Link`` header
   (never guessed): ``wp/v2/posts?_embed`` paged by ``X-WP-TotalPages`` / ``Link: rel=next``
   (``X-WP-Total`` is the blog's declared post count), each post's ``wp/v2/comments?post=``
   (``parent`` threads them; ``X-WP-Total`` is the post's declared count). An author the
   embed leaves out comes from ``wp/v2/users/<id>``, else from the post page's byline. Plain
   permalinks put every route in ``?rest_route=``.
2. **Without an API** (off, blocked, or a copy that did not save it): the posts feed
   (``?paged=N``), the sitemaps (robots.txt ``Sitemap:`` lines, else core's
   ``wp-sitemap.xml``) and the theme's HTML — listings, pagination, archive widgets, the
   menu's posts page of a static front page, post-to-post links. Each post page gives the
   post and its comments in whatever markup the theme uses (``crawlers.markup.wordpress``),
   every page of a paginated thread, and, when the page shows fewer comments than declared
   or no exact times, the post's comment feed. When everything else is done, the blog's
   comment feed (``/comments/feed/``) adds what no page showed.
3. ``html_only``: the pages alone, as a reader sees them.

One post (and one comment) is emitted once, with everything its sources said, so the
writer's merge (``crawlers.merge``) only folds the few descriptions that reach it twice.
Copies (wget mirrors, static exports, Wayback Machine captures) are crawled where they are
served: links naming the original host are mapped onto the copy
(``crawlers.markup.wordpress_urls``).

An incremental crawl (REST) reads the site-wide comment listing (newest first) only as far
as the first comment it already has, and fetches the threads of the posts that gained some.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.deletions import WordpressDeletions
from crawlers.items import Comment, Post
from crawlers.markup import extract_comments, first
from crawlers.markup.comments import dedupe_by_id
from crawlers.markup.dates import BASIS_RANK
from crawlers.markup.wordpress import comment_page_links, declared_comments, strip_comment_page, wordpress_comments
from crawlers.markup.wordpress_feeds import feed_comments, post_entries
from crawlers.markup.wordpress_pages import (
    advertised,
    discovery_links,
    followable,
    languages_of,
    page_kind,
    post_author,
    post_fields,
)
from crawlers.markup.wordpress_rest import (
    API_REL,
    api_url,
    author_id,
    comment_from_rest,
    embedded_author,
    header_links,
    home_of_api,
    is_people_comment,
    post_from_rest,
    total_items,
    total_pages,
)
from crawlers.markup.wordpress_urls import OriginMap
from crawlers.spiders.base import BlogSpider, batch_outputs, batch_records, comment_item
from crawlers.spiders.generic import main_html, page_metadata
from crawlers.urls import blog_root, canonical_url, is_saved_query_name, is_under

__all__ = ["WordpressSpider", "comment_from_rest", "post_from_rest"]

_POST_SITEMAP = re.compile(r"wp-sitemap-posts-post-\d+\.xml|post-sitemap\d*\.xml|sitemap-posttype-post|"
                           r"sitemap-posts?[-.]|posts?-sitemap|[?&]sitemap=posts?", re.IGNORECASE)
_OTHER_SITEMAP = re.compile(r"page|taxonom|categor|tag|user|author|attachment|image|video|news|product|"
                            r"wp-sitemap-posts-(?!post-)", re.IGNORECASE)
MAX_FEED_PAGES = 500
"""Feed pages (``?paged=N``) read at most: feeds have no totals, so paging stops at a short page."""


def paged_url(url: str, page: int) -> str:
    """Page ``page`` of a WordPress feed: the feed's own URL for the first, ``?paged=N`` after."""
    return url + ("&" if "?" in url else "?") + f"paged={page}" if page > 1 else url


class WordpressSpider(WordpressDeletions, BlogSpider):  # WordpressDeletions: issue 12
    name = "wordpress"
    platform = "wordpress"
    per_page = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins = OriginMap()
        self.api_root: str | None = None
        self.rest_used = False  # the API answered the posts listing
        self.posts_feed: str | None = None
        self.comments_feed: str | None = None
        self.feed_posts: dict[str, dict[str, Any]] = {}  # canonical URL → posts-feed entry
        self.feed_page_size = 0
        self.discovering = False
        self.emitted: dict[str, dict[str, str | None]] = {}  # post URL → {comment id: date basis}
        self.emitted_posts: dict[str, tuple[str, str]] = {}  # canonical URL → (URL, title) as emitted
        self.orphans: dict[str, list[dict[str, Any]]] = {}  # comments of the blog feed whose post was not read
        self.blog_feed_read = False
        self.short: dict[str, int] = {}  # posts with fewer comments emitted than declared
        self.sitemap_posts: set[str] = set()
        self.user_names: dict[str, str | None] = {}
        self._posts_by_id: dict[str, dict[str, Any]] = {}
        self._threads_requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WordpressSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, WordpressSpider)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # --- urls ---------------------------------------------------------------------------
    def local(self, url: str | None) -> str | None:
        """A link as the crawled copy serves it (see ``OriginMap``); unchanged on a live blog."""
        return self.origins.local(url)

    def in_blog(self, url: str | None) -> str | None:
        """``url`` mapped onto the copy, when it then lies inside the blog (else None)."""
        local = self.local(url)
        return local if local and self.follow_allowed(local) else None

    def page_url(self, response: Response) -> str:
        assert isinstance(response, TextResponse)
        href = response.css("link[rel='canonical']::attr(href)").get()
        canonical = self.in_blog(response.urljoin(href.strip())) if href else None
        if canonical and is_saved_query_name(canonical):  # a copy's shortlink file: a poor name
            return self.permalink_in_copy(response) or strip_comment_page(
                canonical if is_saved_query_name(response.url) else response.url)
        if canonical and canonical_url(canonical) != canonical_url(self.blog_url):
            return strip_comment_page(canonical)
        if is_saved_query_name(response.url):
            return self.permalink_in_copy(response) or response.url
        return strip_comment_page(response.url)

    def permalink_in_copy(self, response: TextResponse) -> str | None:
        """A shortlink file's post under its permalink, which the copy holds too: the post's
        own comment feed (``<permalink>feed/``) is the one link wget leaves pointing there."""
        feed = self.in_blog(advertised(response.selector, response.url)["post_comments_feed"])
        if not feed:
            return None
        post = re.sub(r"feed/?(?:index\.html?)?$", "", feed.split("?")[0])
        return post if post != feed and not is_saved_query_name(post) and self.in_blog(post) else None

    # --- start: what the page advertises ------------------------------------------------
    def first_requests(self) -> Iterable[scrapy.Request]:
        yield self.request(self.start_url, self.parse_start, fallback=("start_failed",))

    def start_failed(self) -> Iterator[scrapy.Request]:
        """The start page did not answer: the blog's feed at its usual place, then the pages."""
        if self.html_only:
            if canonical_url(self.blog_url) != canonical_url(self.start_url):
                yield self.request(self.blog_url, self.parse_page)
            return
        yield self.feed_request(1)

    def parse_start(self, response: Response) -> Iterator[Any]:
        if not self.usable(response):
            yield from self.start_failed()
            return
        assert isinstance(response, TextResponse)
        ad = advertised(response.selector, response.url)
        api = ad["api"] or header_links(response.headers.get("Link")).get(API_REL)
        api = urljoin(response.url, api) if api else None
        self.learn_origin(response, ad["canonical"], api)
        self.adopt_root(response.url, self.local(api), self.local(ad["posts_feed"]))
        self.set_blog_name(ad["site_name"] if page_kind(response.selector) != "post" else
                           first(response, "meta[property='og:site_name']::attr(content)", ".site-title a::text"))
        self.posts_feed = self.in_blog(ad["posts_feed"])
        self.comments_feed = self.in_blog(ad["comments_feed"])
        if self.html_only:
            yield from self.parse_page(response)
            return
        self.api_root = self.in_blog(api)
        if api and not self.api_root:
            self.count_error("api_elsewhere", api, "the API lies outside the crawled copy; reading feeds and pages")
        yield self.posts_request(1) if self.api_root else self.feed_request(1)

    def learn_origin(self, response: TextResponse, canonical: str | None, api: str | None) -> None:
        """Whether the start page is a copy served away from its original host, and which
        host that is: its canonical URL at the same path, the home links of a home page, the
        Wayback Machine's wrapping of its links."""
        self.origins.learn(response.url, canonical)
        for home in response.css("a[rel~='home']::attr(href), .site-title a::attr(href), #header h1 a::attr(href), "
                                 "#logo a::attr(href), #site-title a::attr(href)").getall()[:4]:
            self.origins.learn(response.url, home)  # learns only when this page is the home
        if api and "home" in (response.css("body::attr(class)").get() or "").split():
            self.origins.learn(response.url, home_of_api(api))
            self.origins.learn_moved(response.url, home_of_api(api))
        self.origins.learn_wayback(response.url, response.css("a::attr(href), link::attr(href)").getall())

    def adopt_root(self, page: str, api: str | None, feed: str | None) -> None:
        """A start URL below the blog's home (a post, an archive) crawls the whole blog: its
        home is where the API or the posts feed lives, when that is above the start URL."""
        home = home_of_api(api) if api else (home_of_feed(feed) if feed else None)
        if not home:
            return
        if is_under(page, blog_root(home)):
            self.blog_url = blog_root(home)

    # --- REST: posts --------------------------------------------------------------------
    def api(self, route: str, **params: Any) -> str:
        assert self.api_root is not None
        return api_url(self.api_root, f"wp/v2/{route}", **params)

    def posts_request(self, page: int, url: str | None = None) -> scrapy.Request:
        url = url or self.api("posts", page=page, per_page=self.per_page, _embed=1)
        return self.request(url, self.parse_posts, conditional=page == 1, cb_kwargs={"page": page},
                            feed_page=True, fallback=("feed_request", 1) if page == 1 else None)

    @batch_records
    def parse_posts(self, response: Response, page: int) -> Iterator[Any]:
        if self.not_modified(response):
            yield self.recent_comments_request(1)
            return
        data = self.json_of(response)
        if not isinstance(data, list):
            if page == 1:
                self.count_error("api_unusable", response.url, "no list of posts; reading feeds and pages")
                yield self.feed_request(1)
            return
        self.rest_used = True
        self.remember_validators(response)
        self.declare("posts", total_items(response.headers))
        for obj in self.objects(data, response.url):
            yield from self.post_from_listing(obj, response)
        pages = total_pages(response.headers)
        following = header_links(response.headers.get("Link")).get("next")
        if not self.incremental and page == 1 and pages:
            yield from (self.posts_request(n) for n in range(2, pages + 1))
        elif not self.incremental and pages is None and following and data:  # no totals: follow rel=next
            yield self.posts_request(page + 1, self.in_blog(response.urljoin(following)))
        elif self.incremental:  # one page after the other, then the new comments
            more = page < (pages or 0) or (pages is None and following)
            yield self.posts_request(page + 1) if more else self.recent_comments_request(1)

    def post_from_listing(self, obj: dict[str, Any], response: Response) -> Iterator[Any]:
        post = post_from_rest(obj)
        post["url"] = self.in_blog(post["url"]) or self.local(post["url"])
        post["author_url"] = self.local(post["author_url"])
        if not post["url"]:
            self.count_error("entry_without_link", response.url)
            return
        post["author_id"] = None if embedded_author(obj) else author_id(obj)
        self._posts_by_id[post["platform_id"]] = post
        known = canonical_url(post["url"]) in self.crawl_state.posts
        if not self.incremental or not known:
            yield self.comments_request(post, 1, [], None, emit_post=True)
            self._threads_requested.add(post["platform_id"])
        elif self.post_wanted(post):
            yield from self.with_author(post, [], None, emit_post=True)

    # --- REST: comments -----------------------------------------------------------------
    def comments_request(self, post: dict[str, Any], page: int, so_far: list[dict[str, Any]], declared: int | None,
                         emit_post: bool) -> scrapy.Request:
        url = self.api("comments", post=post["platform_id"], page=page, per_page=self.per_page)
        on_fail = ("page_thread_request", post) if page == 1 else None
        return self.request(url, self.parse_comments, fallback=on_fail, feed_page=True,
                            cb_kwargs={"post": post, "page": page, "so_far": so_far, "declared": declared,
                                       "emit_post": emit_post})

    @batch_records
    def parse_comments(self, response: Response, post: dict[str, Any], page: int, so_far: list[dict[str, Any]],
                       declared: int | None, emit_post: bool) -> Iterator[Any]:
        data = self.json_of(response)
        if data is not None and not isinstance(data, list):  # e.g. {"code": "rest_forbidden", ...}
            self.count_error("bad_object", response.url, "a list of comments was expected")
            if page == 1:  # the comments endpoint is closed: the post's page shows them
                yield self.page_thread_request(post)
                return
        if not isinstance(data, list):
            data = []
        if page == 1:
            declared = total_items(response.headers)
        objects = [c for c in self.objects(data, response.url) if is_people_comment(c)]
        so_far = so_far + [self.localised(comment_from_rest(c)) for c in objects]
        pages = total_pages(response.headers)
        if page < (pages or 0) or (pages is None and objects and header_links(response.headers.get("Link")).get("next")):
            yield self.comments_request(post, page + 1, so_far, declared, emit_post)
            return
        yield from self.with_author(post, so_far, declared if declared is not None else len(so_far), emit_post)

    def localised(self, comment: dict[str, Any]) -> dict[str, Any]:
        comment["author_url"] = self.local(comment.get("author_url"))
        return comment

    def with_author(self, post: dict[str, Any], comments: list[dict[str, Any]], declared: int | None,
                    emit_post: bool) -> Iterator[Any]:
        """Emit a REST post and its thread, once its author is known: the embed's, else
        ``wp/v2/users/<id>``'s, else its page's byline."""
        uid = post.get("author_id")
        if emit_post and not post.get("author") and uid:
            if uid in self.user_names and self.user_names[uid]:
                post = {**post, "author": self.user_names[uid]}
            elif uid not in self.user_names:
                yield self.request(self.api(f"users/{uid}"), self.parse_user, dont_filter=True,
                                   cb_kwargs={"post": post, "comments": comments, "declared": declared},
                                   fallback=("byline_request", post, comments, declared))
                return
            else:
                yield self.byline_request(post, comments, declared)
                return
        yield from self.rest_records(post, comments, declared, emit_post)

    def rest_records(self, post: dict[str, Any], comments: list[dict[str, Any]], declared: int | None,
                     emit_post: bool) -> Iterator[Post | Comment]:
        fields = {k: v for k, v in post.items() if k != "author_id"}
        if emit_post:
            yield self.make_post(**fields, comment_count=declared)
        yield from self.thread_items(fields["url"], fields["title"], comments, by_date=True)

    @batch_records
    def parse_user(self, response: Response, post: dict[str, Any], comments: list[dict[str, Any]],
                   declared: int | None) -> Iterator[Any]:
        data = self.json_of(response)
        user = data if isinstance(data, dict) else {}
        name = user.get("name")
        self.user_names[post["author_id"]] = name or None
        if not name:
            yield self.byline_request(post, comments, declared)
            return
        yield from self.rest_records({**post, "author": name, "author_url": post.get("author_url") or user.get("link")},
                                     comments, declared, emit_post=True)

    def byline_request(self, post: dict[str, Any], comments: list[dict[str, Any]], declared: int | None) -> scrapy.Request:
        self.user_names.setdefault(post["author_id"], None)
        return self.request(post["url"], self.parse_byline, dont_filter=True,
                            cb_kwargs={"post": post, "comments": comments, "declared": declared},
                            fallback=("rest_batch", post, comments, declared))

    @batch_records
    def parse_byline(self, response: Response, post: dict[str, Any], comments: list[dict[str, Any]],
                     declared: int | None) -> Iterator[Any]:
        author = None
        if self.usable(response):
            assert isinstance(response, TextResponse)
            author = post_author(response.selector)
        yield from self.rest_records({**post, "author": author}, comments, declared, emit_post=True)

    def rest_batch(self, post: dict[str, Any], comments: list[dict[str, Any]], declared: int | None) -> Iterator[Any]:
        yield from batch_outputs(self.rest_records(post, comments, declared, emit_post=True), post["url"])

    def page_thread_request(self, post: dict[str, Any]) -> scrapy.Request:
        """The REST comments of a post failed: read them from its page (the REST fields kept);
        when the page fails too, the post as the API gave it, its comments unknown."""
        known = {k: v for k, v in post.items() if k != "author_id"}
        return self.request(post["url"], self.parse_page, dont_filter=True, cb_kwargs={"known": known},
                            fallback=("rest_batch", post, [], None))

    # --- REST: incremental --------------------------------------------------------------
    def recent_comments_request(self, page: int) -> scrapy.Request:
        url = self.api("comments", page=page, per_page=self.per_page)
        return self.request(url, self.parse_recent_comments, conditional=page == 1, feed_page=True,
                            cb_kwargs={"page": page})

    def parse_recent_comments(self, response: Response, page: int) -> Iterator[Any]:
        """Incremental: newest comments first; stop at the first one already collected."""
        if self.not_modified(response):
            return
        data = self.json_of(response)
        if not isinstance(data, list):
            return
        self.remember_validators(response)
        yield from self.comments_count_check(response, page)  # issue 12: comments deleted upstream
        changed: set[str] = set()
        reached_known = False
        for obj in self.objects(data, response.url):
            comment = comment_from_rest(obj)
            post_id = str(obj.get("post"))
            if self.is_known_comment(post_id, comment["id"]):
                reached_known = True
                continue
            changed.add(post_id)
        for post_id in sorted(changed - self._threads_requested):
            self._threads_requested.add(post_id)
            if post_id in self._posts_by_id:
                yield self.comments_request(self._posts_by_id[post_id], 1, [], None, emit_post=False)
            else:
                yield self.request(self.api("posts/" + post_id, _embed=1), self.parse_post_for_thread)
        if not reached_known and page < (total_pages(response.headers) or 0):
            yield self.recent_comments_request(page + 1)

    def is_known_comment(self, post_id: str, comment_id: str) -> bool:
        post = self._posts_by_id.get(post_id)
        if post is not None:
            return comment_id in self.crawl_state.known_comments(canonical_url(post["url"]))
        return any(comment_id in state.comments for state in self.crawl_state.posts.values())

    def parse_post_for_thread(self, response: Response) -> Iterator[Any]:
        data = self.json_of(response)
        if isinstance(data, dict):
            post = post_from_rest(data)
            post["url"] = self.in_blog(post["url"]) or self.local(post["url"])
            yield self.comments_request(post, 1, [], None, emit_post=False)

    # --- feeds and sitemaps -------------------------------------------------------------
    def feed_request(self, page: int) -> scrapy.Request:
        url = paged_url(self.posts_feed or urljoin(self.blog_url, "feed/"), page)
        return self.request(url, self.parse_feed, cb_kwargs={"page": page}, feed_page=True,
                            fallback=("discovery_requests",))

    def parse_feed(self, response: Response, page: int) -> Iterator[Any]:
        """The posts feed, page after page (``?paged=N``) while pages are full and new; then
        the sitemaps and the pages. Its entries are kept for the post pages: their dates are
        exact, their ``slash:comments`` declare the post's comments."""
        entries: list[dict[str, Any]] = []
        if self.usable(response, expect="xml"):
            meta, entries = post_entries(response.body, response.url)
            self.feed_problem(response, meta)
            # a saved copy's feed keeps the original host's links (wget converts only HTML):
            # its self link at the same path tells which host this copy stands for
            self.origins.learn(response.url, meta.get("self"))
            if page == 1:
                self.set_blog_name(meta["title"])
                self.feed_page_size = len(entries)
        new = 0
        for entry in entries:
            entry["url"] = self.in_blog(entry["url"])
            entry["comments_feed"] = self.in_blog(entry["comments_feed"])
            if entry["url"] and canonical_url(entry["url"]) not in self.feed_posts:
                self.feed_posts[canonical_url(entry["url"])] = entry
                new += 1
        if entries and new and len(entries) >= self.feed_page_size and page < MAX_FEED_PAGES:
            yield self.feed_request(page + 1)
        else:
            yield from self.discovery_requests()

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        """After the feed: every post it listed, the sitemaps, and the pages from the start."""
        if self.discovering:
            return
        self.discovering = True
        self.crawler.stats.inc_value("shrinksearch/html_fallback")
        for key in sorted(self.feed_posts):
            entry = self.feed_posts[key]
            if self.incremental and not self.post_wanted(entry) and not self.comments_wanted(entry["url"], entry["comment_count"]):
                continue
            yield self.request(entry["url"], self.parse_page, fallback=("entry_thread", entry))
        robots = urljoin(self.blog_url, "/robots.txt")
        yield self.request(robots, self.parse_robots, meta={"dont_obey_robotstxt": True},
                           fallback=("sitemap_request", urljoin(self.blog_url, "wp-sitemap.xml")))
        yield self.request(self.start_url, self.parse_page, dont_filter=True)
        if canonical_url(self.blog_url) != canonical_url(self.start_url):
            yield self.request(self.blog_url, self.parse_page)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        found = [self.in_blog(u) for u in sitemap_urls_from_robots(text, base_url=response.url)]
        sitemaps = [u for u in found if u] or [urljoin(self.blog_url, "wp-sitemap.xml")]
        for url in sitemaps:
            yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request:
        return self.request(url, self.parse_sitemap, feed_page=True)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (its post sitemaps followed) or a post sitemap (its posts read).
        ``loc`` values may be relative (static exports write them so)."""
        if not self.usable(response, expect="xml"):
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types for a broken sitemap  # noqa: BLE001
            self.count_error("bad_sitemap", response.url)
            return
        posts_only = bool(_POST_SITEMAP.search(response.url))
        for entry in sitemap:
            url = self.in_blog(response.urljoin(entry.get("loc", "").strip()))
            if not url:
                continue
            if sitemap.type == "sitemapindex":
                if _POST_SITEMAP.search(url) or not _OTHER_SITEMAP.search(url):
                    yield self.sitemap_request(url)
            elif followable(url) and canonical_url(url) != canonical_url(self.blog_url):
                if posts_only:
                    self.sitemap_posts.add(canonical_url(url))
                yield self.request(url, self.parse_page)
        if posts_only:
            self.declare("posts", len(self.sitemap_posts))

    # --- pages ----------------------------------------------------------------------------
    @batch_records
    def parse_page(self, response: Response, known: dict[str, Any] | None = None) -> Iterator[Any]:
        """Any HTML page of the blog: a post is read; every page's links lead on."""
        if not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        kind = page_kind(response.selector) if known is None else "post"
        if kind == "post":
            yield from self.read_post(response, known)
        if known is not None:
            return
        links = discovery_links(response.selector, response.url, kind)
        for group in ("posts", "pages", "archives", "index"):
            for url in links[group]:
                local = self.in_blog(url)
                if local and followable(local):
                    yield self.request(local, self.parse_page, feed_page=group == "pages")

    def read_post(self, response: TextResponse, known: dict[str, Any] | None) -> Iterator[Any]:
        """A post page: its fields (with what its feed entry or REST object said), its
        comments, then the other pages of its thread and its comment feed."""
        sel, url = response.selector, self.page_url(response)
        lang, languages = languages_of(sel)
        entry = known or self.feed_posts.get(canonical_url(url)) or {}
        post = self.completed(self.with_entry(post_fields(sel, url, languages, lang), entry), response)
        post["author_url"] = self.local(post["author_url"])
        comments = [self.localised(c) for c in
                    wordpress_comments(sel, languages, after=post["published"], lang=lang) or extract_comments(sel)]
        pages = [u for u in (self.in_blog(p) for p in comment_page_links(sel, response.url, self.local)) if u]
        thread = {"post": post, "comments": comments, "declared": self.declared(response, entry, comments),
                  "feed": self.comment_feed(response, entry, url), "todo": pages,
                  "done": [strip_comment_page(response.url), response.url]}
        yield from self.thread_step(thread)

    @staticmethod
    def declared(response: TextResponse, entry: dict[str, Any], comments: list[dict[str, Any]]) -> int | None:
        """The post's comment count as declared: its feed entry's ``slash:comments``, else the
        thread's header; a comment form under no comments declares none yet."""
        if entry.get("comment_count") is not None:
            return int(entry["comment_count"])
        count = declared_comments(response.selector, len(comments))
        if count is None and not comments and response.css("#respond, #commentform, form.comment-form"):
            return 0
        return count

    def comment_feed(self, response: TextResponse, entry: dict[str, Any], url: str) -> str | None:
        """The post's own comment feed (``wfw:commentRss``, or the page's feed link that is
        this post's, not a category's or the blog's)."""
        feed = entry.get("comments_feed") or self.in_blog(advertised(response.selector, response.url)["post_comments_feed"])
        if feed and canonical_url(strip_comment_page(feed).removesuffix("feed/").removesuffix("feed")) != canonical_url(url):
            return None
        return feed

    def completed(self, post: dict[str, Any], response: TextResponse) -> dict[str, Any]:
        """What a theme's markup left out, as trafilatura finds it on the page: the text,
        the title, the author (not the blog's name, which it takes for one on some themes),
        the day."""
        if not post["html"]:
            post["html"] = main_html(response.text, response.url)
        if not (post["title"] and post["author"] and post["published"]):
            meta = page_metadata(response.text, response.url)
            post["title"] = post["title"] or meta.get("title") or ""
            guessed = meta.get("author") or ""
            site = (self.blog_name or "").casefold()
            if guessed and not (site and (site in guessed.casefold() or guessed.casefold() in site)):
                post["author"] = post["author"] or guessed
            if not post["published"] and meta.get("published"):
                post["published"], post["published_basis"] = meta["published"], "day"
        return post

    def with_entry(self, post: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
        """A post's page fields completed by its feed entry or REST object: their dates are
        exact and their author is the blog's own name for the writer."""
        if not entry:
            return post
        merged = dict(post)
        for name in ("platform_id", "title", "author", "author_url", "updated"):
            merged[name] = entry.get(name) or post.get(name)
        if entry.get("published") and BASIS_RANK.get(entry.get("published_basis") or "instant", 0) >= BASIS_RANK[post.get("published_basis")]:
            merged["published"], merged["published_basis"] = entry["published"], entry.get("published_basis") or "instant"
        merged["labels"] = list(dict.fromkeys((entry.get("labels") or []) + (post.get("labels") or [])))
        merged["html"] = post.get("html") or entry.get("html") or ""
        return merged

    def thread_step(self, thread: dict[str, Any]) -> Iterator[Any]:
        """The next step of a post's thread: another comment page, (another page of) its
        comment feed, or the end: the post and its comments."""
        if thread["todo"]:
            url = thread["todo"].pop(0)
            thread["done"].append(url)
            yield self.request(url, self.parse_comment_page, dont_filter=True, cb_kwargs={"thread": thread},
                               fallback=("thread_resume", thread))
            return
        if thread.setdefault("feed_page", 0) == 0 and self.feed_wanted(thread):
            thread["feed_page"] = 1
        if thread["feed_page"] > 0:
            page, url = thread["feed_page"], thread["feed"]
            yield self.request(paged_url(url, page), self.parse_thread_feed, dont_filter=True, cb_kwargs={"thread": thread},
                               fallback=("thread_resume", {**thread, "feed_page": -1}))
            return
        yield from self.thread_records(thread)

    def feed_wanted(self, thread: dict[str, Any]) -> bool:
        """Whether a post's comment feed can add something: the page shows fewer comments
        than declared, or shows times that are not exact (the feed's are)."""
        if not thread["feed"] or self.html_only or self.rest_used:
            return False
        shown, declared = thread["comments"], thread["declared"]
        if declared is not None and len(shown) < declared:
            return True
        return bool(shown) and any(c.get("published_basis") != "instant" for c in shown)

    @batch_records
    def parse_comment_page(self, response: Response, thread: dict[str, Any]) -> Iterator[Any]:
        if self.usable(response):
            assert isinstance(response, TextResponse)
            lang, languages = languages_of(response.selector)
            thread["comments"] += [self.localised(c) for c in wordpress_comments(
                response.selector, languages, after=thread["post"]["published"], lang=lang)]
            for link in comment_page_links(response.selector, response.url, self.local):
                local = self.in_blog(link)
                if local and local not in thread["done"] and local not in thread["todo"]:
                    thread["todo"].append(local)
        yield from self.thread_step(thread)

    @batch_records
    def parse_thread_feed(self, response: Response, thread: dict[str, Any]) -> Iterator[Any]:
        """A post's comment feed: 10 comments a page, newest first (``?paged=N`` for more,
        read while the page is full and fewer comments than declared are known)."""
        found: list[dict[str, Any]] = []
        if self.usable(response, expect="xml"):
            meta, found = feed_comments(response.body, response.url)
            self.feed_problem(response, meta)
            thread["comments"] = merge_thread(thread["comments"], [self.localised(c) for c in found])
        declared = thread["declared"]
        more = len(found) >= 10 and declared is not None and len(dedupe_by_id(list(thread["comments"]))) < declared
        thread["feed_page"] = thread["feed_page"] + 1 if more and thread["feed_page"] < MAX_FEED_PAGES else -1
        yield from self.thread_step(thread)

    def thread_resume(self, thread: dict[str, Any]) -> Iterator[Any]:
        """A comment page or feed page of a thread failed: go on with the rest."""
        yield from batch_outputs(self.thread_step(thread), thread["post"]["url"])

    def entry_thread(self, entry: dict[str, Any]) -> Iterator[Any]:
        """A post the feed lists whose page cannot be read (a copy of the feeds alone): the
        post as its entry gives it, its comments from its comment feed."""
        post = {name: entry.get(name) for name in ("url", "platform_id", "title", "author", "author_url", "published",
                                                   "updated", "labels", "html")}
        post.update(published_basis=entry.get("published_basis") or ("instant" if entry.get("published") else None),
                    labels=entry.get("labels") or [], html=entry.get("html") or "", title=entry.get("title") or "")
        feed = entry.get("comments_feed") or urljoin(entry["url"], "feed/")
        thread = {"post": post, "comments": [], "declared": entry.get("comment_count"), "feed": feed,
                  "todo": [], "done": [], "feed_page": 1 if entry.get("comment_count") != 0 else -1}
        yield from self.thread_resume(thread)

    def thread_records(self, thread: dict[str, Any]) -> Iterator[Post | Comment]:
        post, url = thread["post"], thread["post"]["url"]
        comments = dedupe_by_id(merge_thread(thread["comments"], self.orphans.pop(canonical_url(url), [])))
        key = canonical_url(url)
        if key in self.emitted:  # the same post reached again (another URL spelling)
            comments = [c for c in comments if c["id"] not in self.emitted[key]]
        else:
            if self.post_wanted(post):
                yield self.make_post(**post, comment_count=thread["declared"])
            self.emitted[key] = {}
            self.emitted_posts[key] = (url, post["title"])
        for c in comments:
            self.emitted[key][c["id"]] = c.get("published_basis")
        if thread["declared"] is not None and len(self.emitted[key]) < thread["declared"]:
            self.short[key] = thread["declared"]
        yield from self.thread_items(url, post["title"], comments, by_date=False)

    # --- the blog's comment feed, last ----------------------------------------------------
    def on_idle(self) -> None:
        """When everything else is done (feeds and pages, no API): the blog's comment feed,
        for comments no page showed and exact times the pages did not give."""
        if self.blog_feed_read or self.html_only or self.rest_used or not self.discovering:
            return
        self.blog_feed_read = True
        url = self.comments_feed or urljoin(self.blog_url, "comments/feed/")
        self.crawler.engine.crawl(self.blog_feed_request(url, 1))
        raise DontCloseSpider

    def blog_feed_request(self, url: str, page: int) -> scrapy.Request:
        return self.request(paged_url(url, page), self.parse_blog_feed, feed_page=True, cb_kwargs={"url": url, "page": page},
                            fallback=("orphan_requests",))

    @batch_records
    def parse_blog_feed(self, response: Response, url: str, page: int) -> Iterator[Any]:
        found: list[dict[str, Any]] = []
        if self.usable(response, expect="xml"):
            meta, found = feed_comments(response.body, response.url)
            self.feed_problem(response, meta)
        useful = 0
        by_post: dict[str, list[dict[str, Any]]] = {}
        for c in found:
            post_url = self.in_blog(c.pop("post_url"))
            c.pop("post_id", None)
            if not post_url or not c["id"]:
                continue
            key = canonical_url(post_url)
            seen = self.emitted.get(key)
            if seen is None:
                self.orphans.setdefault(key, []).append(c)
                useful += 1
            elif c["id"] not in seen or BASIS_RANK[c["published_basis"]] > BASIS_RANK[seen[c["id"]]]:
                by_post.setdefault(key, []).append(c)
                useful += 1
        for key, comments in sorted(by_post.items()):
            yield from self.late_comments(key, comments)
        self.short = {key: n for key, n in self.short.items() if len(self.emitted[key]) < n}
        # newest first: read on while a page is full and it helped, or posts still lack comments
        if found and (useful or self.short) and len(found) >= 10 and page < MAX_FEED_PAGES:
            yield self.blog_feed_request(url, page + 1)
        else:
            yield from self.orphan_requests()

    def late_comments(self, key: str, comments: list[dict[str, Any]]) -> Iterator[Comment]:
        """Comments of an emitted post that the blog feed adds (or dates exactly): after the
        ones its page gave, oldest first."""
        seen, (post_url, title) = self.emitted[key], self.emitted_posts[key]
        common = self._common()
        for position, c in enumerate(sorted(comments, key=lambda c: (c.get("published") or "", c["id"])), start=len(seen)):
            seen.setdefault(c["id"], c.get("published_basis"))
            yield comment_item(common, post_url, title, position, c)

    def orphan_requests(self) -> Iterator[scrapy.Request]:
        """Posts the blog feed names that no other source led to: read their pages."""
        for key in sorted(self.orphans):
            yield self.request(key, self.parse_page)


def home_of_feed(url: str) -> str:
    """The blog's home for its posts feed: ``…/feed/`` and ``…/?feed=rss2`` → ``…/``."""
    parts = urlsplit(url)
    path = re.sub(r"index\.php$", "", re.sub(r"feed/?$", "", parts.path) if not parts.query else parts.path)
    return f"{parts.scheme}://{parts.netloc}{path if path.endswith('/') else path + '/'}"


def merge_thread(shown: list[dict[str, Any]], fed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A thread as its pages show it, completed by a comment feed: the feed's exact times
    (and parents the page did not show) for comments on the page, the feed's other
    comments after them (oldest first)."""
    by_id = {c["id"]: c for c in fed if c.get("id")}
    out = []
    for c in shown:
        extra = by_id.pop(c["id"], None)
        if extra is not None:
            c = dict(c)
            if BASIS_RANK[extra.get("published_basis")] > BASIS_RANK[c.get("published_basis")]:
                c["published"], c["published_basis"] = extra["published"], extra["published_basis"]
            c["author"] = c.get("author") or extra.get("author")
            c["html"] = c.get("html") or extra.get("html")
        out.append(c)
    rest = sorted(by_id.values(), key=lambda c: (c.get("published") or "", c["id"]))
    return out + [{k: v for k, v in c.items() if k not in ("post_url", "post_id")} for c in rest]
