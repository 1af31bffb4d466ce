"""``WordpressSpider``: self-hosted WordPress and wordpress.com blogs.

The REST API first: ``/wp-json/wp/v2/posts`` (``_embed`` for author names and terms) and
``/wp-json/wp/v2/comments?post=<id>`` (``parent`` links replies), paged by ``X-WP-TotalPages``.
An incremental crawl reads the site-wide comment listing (newest first) only as far as the
first comment it already has, and fetches the threads of the posts that gained comments.
When the API is off: the RSS feed and the theme's HTML (``article.post``, ``.entry-content``,
``ol.comment-list`` with nested ``ol.children``), with ``/page/N/`` pagination.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode, urljoin

import scrapy
from scrapy.http import Response

from crawlers.deletions import WordpressDeletions
from crawlers.markup import feed_entries, first, inner_html, plain
from crawlers.spiders.base import BlogSpider, batch_records
from crawlers.urls import canonical_url

_DIGITS = re.compile(r"(\d+)")


def _rendered(node: Any) -> str:
    return (node or {}).get("rendered", "") if isinstance(node, dict) else str(node or "")


def _gmt(value: str | None) -> str | None:
    """WordPress ``*_gmt`` fields are UTC without an offset."""
    return BlogSpider.date(value + "Z" if value and not value.endswith("Z") else value)


def post_from_rest(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields of a post from one object of ``/wp/v2/posts`` (``_embed`` when given)."""
    embedded = obj.get("_embedded", {})
    author = (embedded.get("author") or [{}])[0]
    terms = [t.get("name") for group in embedded.get("wp:term", []) for t in group if t.get("name")]
    return {
        "url": obj.get("link"),
        "platform_id": str(obj["id"]) if obj.get("id") is not None else None,
        "title": htmllib.unescape(plain(_rendered(obj.get("title")))),
        "author": author.get("name"),
        "author_url": author.get("link") or author.get("url") or None,
        "published": _gmt(obj.get("date_gmt")) or BlogSpider.date(obj.get("date")),
        "updated": _gmt(obj.get("modified_gmt")) or BlogSpider.date(obj.get("modified")),
        "labels": terms,
        "html": _rendered(obj.get("content")),
    }


def comment_from_rest(obj: dict[str, Any]) -> dict[str, Any]:
    """A comment from one object of ``/wp/v2/comments``. A nameless comment's ``author_name``
    is "" there; WordPress prints it as "Anonymous" (``get_comment_author``), and so do we."""
    parent = obj.get("parent")
    return {
        "id": str(obj["id"]) if obj.get("id") is not None else None,  # none: set aside by validation
        "parent_id": str(parent) if parent else None,
        "author": (obj.get("author_name") or "").strip() or "Anonymous",
        "author_url": obj.get("author_url") or None,
        "published": _gmt(obj.get("date_gmt")) or BlogSpider.date(obj.get("date")),
        "html": _rendered(obj.get("content")),
    }


def total_pages(response: Response) -> int:
    value = response.headers.get("X-WP-TotalPages")
    return int(value) if value and value.isdigit() else 1


class WordpressSpider(WordpressDeletions, BlogSpider):  # WordpressDeletions: issue 12
    name = "wordpress"
    platform = "wordpress"
    per_page = 100

    def api(self, route: str, **params: Any) -> str:
        return urljoin(self.blog_url, f"wp-json/wp/v2/{route}") + "?" + urlencode(params)

    def first_requests(self) -> Iterable[scrapy.Request]:
        yield self.request(urljoin(self.blog_url, "wp-json/"), self.parse_index, fallback=("feed_request",))

    def html_requests(self) -> Iterable[scrapy.Request]:
        yield self.feed_request()

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        """The API index (``/wp-json/``): the site's name, and proof the API is on."""
        data = self.json_of(response)
        if not isinstance(data, dict):
            yield self.feed_request()
            return
        self.set_blog_name(htmllib.unescape(str(data.get("name") or "")))
        yield self.posts_request(1)

    # --- REST: posts --------------------------------------------------------------------
    def posts_request(self, page: int) -> scrapy.Request:
        url = self.api("posts", page=page, per_page=self.per_page, _embed=1)
        return self.request(url, self.parse_posts, conditional=page == 1, cb_kwargs={"page": page},
                            feed_page=True, fallback=("feed_request",) if page == 1 else None)

    @batch_records
    def parse_posts(self, response: Response, page: int) -> Iterator[Any]:
        if self.not_modified(response):
            yield self.recent_comments_request(1)
            return
        data = self.json_of(response)
        if not isinstance(data, list):
            if page == 1:
                yield self.feed_request()
            return
        self.remember_validators(response)
        for obj in self.objects(data, response.url):
            yield from self.post_from_listing(post_from_rest(obj), response)
        pages = total_pages(response)
        if not self.incremental and page == 1:
            yield from (self.posts_request(n) for n in range(2, pages + 1))
        elif self.incremental:  # one page after the other, then the new comments
            yield self.posts_request(page + 1) if page < pages else self.recent_comments_request(1)

    def post_from_listing(self, post: dict[str, Any], response: Response) -> Iterator[Any]:
        if not post["url"]:
            self.count_error("entry_without_link", response.url)
            return
        self.posts_by_id[post["platform_id"]] = post
        known = canonical_url(post["url"]) in self.crawl_state.posts
        if not self.incremental or not known:
            yield self.comments_request(post, 1, [], emit_post=True)
            self.threads_requested.add(post["platform_id"])
        elif self.post_wanted(post):
            yield self.make_post(**post)

    @property
    def posts_by_id(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_posts_by_id"):
            self._posts_by_id: dict[str, dict[str, Any]] = {}
        return self._posts_by_id

    @property
    def threads_requested(self) -> set[str]:
        if not hasattr(self, "_threads_requested"):
            self._threads_requested: set[str] = set()
        return self._threads_requested

    # --- REST: comments -----------------------------------------------------------------
    def comments_request(self, post: dict[str, Any], page: int, so_far: list[dict[str, Any]],
                         emit_post: bool) -> scrapy.Request:
        url = self.api("comments", post=post["platform_id"], page=page, per_page=self.per_page)
        on_fail = ("post_page_request", post["url"], post) if page == 1 else None
        return self.request(url, self.parse_comments, fallback=on_fail, feed_page=True,
                            cb_kwargs={"post": post, "page": page, "so_far": so_far, "emit_post": emit_post})

    @batch_records
    def parse_comments(self, response: Response, post: dict[str, Any], page: int,
                       so_far: list[dict[str, Any]], emit_post: bool) -> Iterator[Any]:
        data = self.json_of(response)
        if data is not None and not isinstance(data, list):  # e.g. {"code": "rest_forbidden", ...}
            self.count_error("bad_object", response.url, "a list of comments was expected")
        if not isinstance(data, list):
            data = []
        so_far = so_far + [comment_from_rest(c) for c in self.objects(data, response.url)]
        if page < total_pages(response):
            yield self.comments_request(post, page + 1, so_far, emit_post)
            return
        if emit_post:
            yield self.make_post(**post, comment_count=len(so_far))
        yield from self.thread_items(post["url"], post["title"], so_far, by_date=True)

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
        for post_id in sorted(changed - self.threads_requested):
            self.threads_requested.add(post_id)
            if post_id in self.posts_by_id:
                yield self.comments_request(self.posts_by_id[post_id], 1, [], emit_post=False)
            else:
                yield self.request(self.api("posts/" + post_id, _embed=1), self.parse_post_for_thread)
        if not reached_known and page < total_pages(response):
            yield self.recent_comments_request(page + 1)

    def is_known_comment(self, post_id: str, comment_id: str) -> bool:
        post = self.posts_by_id.get(post_id)
        if post is not None:
            return comment_id in self.crawl_state.known_comments(canonical_url(post["url"]))
        return any(comment_id in state.comments for state in self.crawl_state.posts.values())

    def parse_post_for_thread(self, response: Response) -> Iterator[Any]:
        data = self.json_of(response)
        if isinstance(data, dict):
            yield self.comments_request(post_from_rest(data), 1, [], emit_post=False)

    # --- feed and HTML fallback ---------------------------------------------------------
    def feed_request(self) -> scrapy.Request:
        return self.request(urljoin(self.blog_url, "feed/"), self.parse_feed,
                            fallback=("listing_request",))

    def listing_request(self) -> scrapy.Request:
        return self.request(self.blog_url, self.parse_listing)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.usable(response, expect="xml"):
            self.crawler.stats.inc_value("shrinksearch/html_fallback")
            meta, entries = feed_entries(response.body)
            self.feed_problem(response, meta)
            self.set_blog_name(meta["title"])
            for entry in entries:
                if entry["url"] and self.follow_allowed(entry["url"]):
                    yield self.post_page_request(entry["url"], None)
        yield self.listing_request()

    def post_page_request(self, url: str, post: dict[str, Any] | None) -> scrapy.Request:
        return self.request(url, self.parse_post_page, cb_kwargs={"rest_post": post})

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.usable(response):
            return
        self.set_blog_name(first(response, "meta[property='og:site_name']::attr(content)", "title::text"))
        links = response.css("article .entry-title a::attr(href), h2.entry-title a::attr(href)").getall()
        for href in links:
            url = response.urljoin(href)
            if self.follow_allowed(url):
                yield self.post_page_request(url, None)
        for href in response.css("a.next::attr(href), .nav-previous a::attr(href), a.page-numbers::attr(href)").getall():
            url = response.urljoin(href)
            if self.follow_allowed(url):
                yield self.request(url, self.parse_listing)

    @batch_records
    def parse_post_page(self, response: Response, rest_post: dict[str, Any] | None) -> Iterator[Any]:
        if not self.usable(response):
            return
        post = rest_post or self.post_from_page(response)
        comments = self.page_comments(response)
        if self.post_wanted(post):
            yield self.make_post(**post, comment_count=len(comments))
        yield from self.thread_items(post["url"], post["title"], comments, by_date=False)

    def post_from_page(self, response: Response) -> dict[str, Any]:
        """A post's fields from a WordPress theme page."""
        article = response.css("article.post, article[id^='post-'], div.post")
        scope: Any = article[0] if article else response
        body = scope.css(".entry-content")
        post_id = _DIGITS.search(article[0].attrib.get("id", "") if article else "")
        return {
            "url": canonical_url(first(response, "link[rel='canonical']::attr(href)") or response.url),
            "platform_id": post_id[1] if post_id else None,
            "title": first(scope, ".entry-title::text", ".entry-title a::text", "h1::text") or "",
            "author": first(scope, ".author.vcard a::text", ".byline .author a::text", ".author a::text",
                            "a[rel='author']::text"),
            "author_url": scope.css(".author.vcard a::attr(href), a[rel='author']::attr(href)").get(),
            "published": self.date(first(scope, "time.entry-date.published::attr(datetime)",
                                         "time.published::attr(datetime)", "time.entry-date::attr(datetime)")),
            "updated": self.date(first(scope, "time.updated::attr(datetime)")),
            "labels": [" ".join(t.split()) for t in scope.css(".tags-links a::text, .cat-links a::text").getall()],
            "html": inner_html(body[0]) if body else "",
        }
