"""``BloggerSpider``: Blogger / Blogspot blogs.

Feeds first: ``/feeds/posts/default?alt=json`` (paged by ``start-index``/``max-results``
up to ``openSearch$totalResults``) and per post ``/feeds/<postId>/comments/default?alt=json``
(a reply carries ``link rel="related"`` to its parent comment). When the JSON feed fails the
Atom feed is read; when feeds fail too, the HTML: post pages (threaded or classic comment
markup), "Older Posts" pagination and monthly archives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode, urljoin

import scrapy
from scrapy.http import Response

from crawlers.markup import feed_entries, first, inner_html, plain
from crawlers.spiders.base import BlogSpider, batch_records

_POST_ID = re.compile(r"\.post-(\d+)$")
_RELATED_PARENT = re.compile(r"/comments/default/(\d+)")
_ARCHIVE = re.compile(r"/\d{4}/\d{2}/?$")
_POST_PAGE = re.compile(r"/\d{4}/\d{2}/[^/]+\.html$")


def _t(node: Any) -> Any:
    """Blogger JSON wraps values as ``{"$t": value}``."""
    return node.get("$t") if isinstance(node, dict) else node


def _link(entry: dict[str, Any], rel: str) -> str | None:
    return next((l.get("href") for l in entry.get("link", []) if l.get("rel") == rel), None)


def blogger_id(tag: str | None) -> str | None:
    """``tag:blogger.com,1999:blog-<blogId>.post-<id>`` → ``<id>``."""
    match = _POST_ID.search(tag or "")
    return match[1] if match else None


def post_from_json(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields of a post from one ``feed.entry[]`` of Blogger's JSON feed."""
    author = (entry.get("author") or [{}])[0]
    total = _t(entry.get("thr$total"))
    return {
        "url": _link(entry, "alternate"),
        "platform_id": blogger_id(_t(entry.get("id"))),
        "title": plain(_t(entry.get("title"))),
        "author": _t(author.get("name")),
        "author_url": _t(author.get("uri")),
        "published": BlogSpider.date(_t(entry.get("published"))),
        "published_basis": "instant" if _t(entry.get("published")) else None,
        "updated": BlogSpider.date(_t(entry.get("updated"))),
        "labels": [c["term"] for c in entry.get("category", []) if c.get("term")],
        "html": _t(entry.get("content")) or _t(entry.get("summary")) or "",
        "comment_count": int(total) if str(total or "").isdigit() else None,
    }


def comment_from_json(entry: dict[str, Any]) -> dict[str, Any]:
    """A comment from one entry of a Blogger comment feed (JSON)."""
    author = (entry.get("author") or [{}])[0]
    related = _RELATED_PARENT.search(_link(entry, "related") or "")
    return {
        "id": blogger_id(_t(entry.get("id"))),
        "parent_id": related[1] if related else None,
        "author": _t(author.get("name")),
        "author_url": _t(author.get("uri")),
        "published": BlogSpider.date(_t(entry.get("published"))),
        "published_basis": "instant" if _t(entry.get("published")) else None,
        "html": _t(entry.get("content")) or _t(entry.get("summary")) or "",
    }


def next_start_index(feed: dict[str, Any]) -> int | None:
    """The ``start-index`` of the next page of a JSON feed, or ``None`` on the last page."""
    total = int(_t(feed.get("openSearch$totalResults")) or 0)
    start = int(_t(feed.get("openSearch$startIndex")) or 1)
    count = len(feed.get("entry", []))
    return start + count if count and start + count <= total else None


class BloggerSpider(BlogSpider):
    name = "blogger"
    platform = "blogger"
    page_size = 25
    comment_page_size = 200

    # --- feeds --------------------------------------------------------------------------
    def feed_url(self, path: str, alt: str | None, start: int, size: int) -> str:
        params: dict[str, str | int] = {"alt": alt} if alt else {}
        params.update({"start-index": start, "max-results": size})
        return urljoin(self.blog_url, path) + "?" + urlencode(params)

    def first_requests(self) -> Iterable[scrapy.Request]:
        yield self.posts_json_request(1)

    def html_requests(self) -> Iterable[scrapy.Request]:
        yield self.home_request()

    def posts_json_request(self, start: int) -> scrapy.Request:
        url = self.feed_url("feeds/posts/default", "json", start, self.page_size)
        return self.request(url, self.parse_posts_json, conditional=start == 1, feed_page=True,
                            fallback=("posts_atom_request", start))

    def posts_atom_request(self, start: int) -> scrapy.Request:
        url = self.feed_url("feeds/posts/default", None, start, self.page_size)
        return self.request(url, self.parse_posts_atom, cb_kwargs={"start": start}, feed_page=True,
                            fallback=("home_request",))

    @batch_records
    def parse_posts_json(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        data = self.json_of(response)
        if not isinstance(data, dict) or "feed" not in data:
            start = int(response.url.split("start-index=")[1].split("&")[0])
            yield self.posts_atom_request(start)
            return
        self.remember_validators(response)
        feed = data["feed"]
        self.set_blog_name(_t(feed.get("title")))
        self.declare("posts", _t(feed.get("openSearch$totalResults")))
        for entry in feed.get("entry", []):
            yield from self.post_and_comments(post_from_json(entry))
        following = next_start_index(feed)
        if following:
            yield self.posts_json_request(following)

    @batch_records
    def parse_posts_atom(self, response: Response, start: int) -> Iterator[Any]:
        if self.not_modified(response) or not self.usable(response, expect="xml"):
            return
        meta, entries = feed_entries(response.body)
        self.feed_problem(response, meta)
        if not entries and start == 1:
            yield self.home_request()
            return
        self.set_blog_name(meta["title"])
        for entry in entries:
            entry["platform_id"] = blogger_id(entry.pop("id"))
            entry.pop("related"), entry.pop("comments_feed")
            yield from self.post_and_comments(entry)
        if len(entries) == self.page_size:
            yield self.posts_atom_request(start + len(entries))

    def post_and_comments(self, post: dict[str, Any]) -> Iterator[Any]:
        if not post.get("url"):
            self.count_error("entry_without_link", self.blog_url)
            return
        if self.post_wanted(post):
            yield self.make_post(**post)
        if post["platform_id"] and self.comments_wanted(post["url"], post["comment_count"]):
            yield self.comments_request(post, 1, [])

    def comments_request(self, post: dict[str, Any], start: int, so_far: list[dict[str, Any]]) -> scrapy.Request:
        url = self.feed_url(f"feeds/{post['platform_id']}/comments/default", "json", start, self.comment_page_size)
        return self.request(url, self.parse_comments_json, cb_kwargs={"post": post, "so_far": so_far},
                            feed_page=True, fallback=("post_page_request", post["url"], True))

    @batch_records
    def parse_comments_json(self, response: Response, post: dict[str, Any],
                            so_far: list[dict[str, Any]]) -> Iterator[Any]:
        data = self.json_of(response)
        if not isinstance(data, dict) or "feed" not in data:
            yield self.post_page_request(post["url"], comments_only=True)
            return
        feed = data["feed"]
        so_far = so_far + [comment_from_json(e) for e in feed.get("entry", [])]
        following = next_start_index(feed)
        if following:
            yield self.comments_request(post, following, so_far)
            return
        yield from self.thread_items(post["url"], post["title"], so_far, by_date=True)

    # --- HTML fallback ------------------------------------------------------------------
    def home_request(self) -> scrapy.Request:
        return self.request(self.blog_url, self.parse_listing)

    def post_page_request(self, url: str, comments_only: bool = False) -> scrapy.Request:
        return self.request(url, self.parse_post_page, cb_kwargs={"comments_only": comments_only})

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Home, "Older Posts" and archive pages: follow posts, pagination and archives."""
        if not self.usable(response):
            return
        self.crawler.stats.inc_value("shrinksearch/html_fallback")
        self.set_blog_name(first(response, "meta[property='og:site_name']::attr(content)", "title::text"))
        for href in response.css(".post-title a::attr(href), a.timestamp-link::attr(href)").getall():
            url = response.urljoin(href)
            if self.follow_allowed(url):
                yield self.post_page_request(url)
        listing = response.css("a.blog-pager-older-link::attr(href), a.post-count-link::attr(href)").getall()
        listing += [h for h in response.css("a::attr(href)").getall() if _ARCHIVE.search(h)]
        for href in listing:
            url = response.urljoin(href)
            if self.follow_allowed(url):
                yield self.request(url, self.parse_listing)

    @batch_records
    def parse_post_page(self, response: Response, comments_only: bool = False) -> Iterator[Any]:
        if not self.usable(response):
            return
        post = self.post_from_page(response)
        comments = self.page_comments(response)
        if not comments_only and self.post_wanted(post):
            yield self.make_post(**post, comment_count=len(comments))
        yield from self.thread_items(post["url"], post["title"], comments, by_date=False)

    def post_from_page(self, response: Response) -> dict[str, Any]:
        """A post's fields from its Blogger page."""
        body = response.css(".post-body, .entry-content")
        published = first(response, ".post-timestamp abbr::attr(title)", "abbr.published::attr(title)",
                          "time.published::attr(datetime)", "[itemprop='datePublished']::attr(content)",
                          ".post-timestamp time::attr(datetime)", "h2.date-header span::text")
        return {
            "url": self.page_url(response),
            "platform_id": first(response, "meta[itemprop='postId']::attr(content)",
                                 "div.post a[name]::attr(name)", "div.post-body::attr(id)"),
            "title": first(response, ".post-title::text", ".post-title a::text", "h3.entry-title::text") or "",
            "author": first(response, ".post-author .fn [itemprop='name']::text", ".post-author .fn a::text",
                            ".post-author .fn::text", ".post-author a::text"),
            "author_url": response.css(".post-author a::attr(href)").get(),
            "published": self.date(published),
            "updated": self.date(first(response, "abbr.updated::attr(title)", "time.updated::attr(datetime)")),
            "labels": [" ".join(t.split()) for t in response.css(".post-labels a::text").getall()],
            "html": inner_html(body[0]) if body else "",
        }
