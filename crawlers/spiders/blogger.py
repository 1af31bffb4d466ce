"""``BloggerSpider``: Blogger / Blogspot blogs, live or saved (wget mirrors, archives).

The start page comes first: it says where the blog's root is (a start URL may be a post
page or lie under a sub-path), which feeds the blog serves, its language, and — for a copy
served elsewhere — which original host its links and feeds still name (those are mapped
onto the copy: the records name what was crawled).

Then the structured sources: the posts feed the page links (Atom, else RSS, JSON,
Classic's ``atom.xml``/``rss.xml``), paged by its ``openSearch`` figures or ``rel=next``,
declaring the blog's post count; per post its comment feed (Atom, else JSON), replies
threaded by ``link rel="related"``. A post the feed holds only as a summary is read from its
page too.

The HTML when feeds are missing or stop short (a copy keeps only the feed pages its pages
linked; robots.txt disallows ``/search``, so "Older Posts" may be off-limits): the home
page, archives (monthly/yearly, the archive widget, Classic's ``_archive.html``), the
sitemap, post-to-post links, and each post page with its comments in whichever template
(``crawlers.markup.blogger``). Pages and feeds describing one post or comment are merged
when the crawl finishes (``crawlers.merge``), by Blogger's own ids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.items import RecordBatch
from crawlers.markup.blogger import blogger_languages
from crawlers.markup.blogger_feeds import FeedPage, comment_fields, next_start, post_fields, read_feed
from crawlers.markup.blogger_pages import (
    advertised_root,
    blog_name,
    classify,
    comment_feed_link,
    declared_comments,
    is_post_page,
    page_links,
    page_post,
)
from crawlers.markup.dates import shown_date
from crawlers.spiders.base import BlogSpider, batch_records
from crawlers.urls import canonical_host, is_under

POSTS_FEEDS = ("feeds/posts/default", "feeds/posts/default?alt=rss", "feeds/posts/default?alt=json", "atom.xml", "rss.xml")
"""Where Blogger serves a blog's posts feed, tried after the ones the page links."""


class BloggerSpider(BlogSpider):
    name = "blogger"
    platform = "blogger"
    page_size = 150
    """``max-results`` asked of feed pages the feed itself does not link (Blogger has
    answered at most 500, then 150, then 100 entries a page, whatever was asked)."""
    comment_page_size = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins: set[tuple[str, str]] = set()
        """(host, root path) of the blog's original home, as a copy's pages and feeds name it."""
        self.discovering = False
        self.start_links: list[str] = []
        """Links of the start page, followed if the HTML has to be read after all."""

    # --- where the blog is, and URLs that name its original host -------------------------
    async def start(self) -> AsyncIterator[Any]:
        self.recall_place()
        async for request in super().start():
            yield request

    def recall_place(self) -> None:
        """A paused crawl resumed (JOBDIR): where the blog is, as the first run found it."""
        place = getattr(self, "state", {}).get("blogger_place")
        if place:
            self.blog_url, self.start_links = place["root"], place["start_links"]
            self.origins = {(host, root) for host, root in place["origins"]}

    def keep_place(self) -> None:
        """Save where the blog is with the spider's state (Scrapy keeps it in JOBDIR)."""
        state = getattr(self, "state", None)  # set by Scrapy's SpiderState extension
        if isinstance(state, dict):
            state["blogger_place"] = {"root": self.blog_url, "start_links": self.start_links, "origins": sorted(self.origins)}

    def first_requests(self) -> Iterable[scrapy.Request]:
        yield self.request(self.start_url, self.parse_start, conditional=True, cb_kwargs={"feeds": True},
                           fallback=("start_failed", True))

    def html_requests(self) -> Iterable[scrapy.Request]:
        yield self.request(self.start_url, self.parse_start, cb_kwargs={"feeds": False},
                           fallback=("start_failed", False))

    def adopt_root(self, response: TextResponse) -> None:
        """Take the blog's root and original host from what the start page advertises."""
        root, origins = advertised_root(response.selector, response.url)
        for origin in origins:
            self.learn_origin(origin)
        if root and is_under(self.start_url, root) and root != self.blog_url:
            self.logger.info("blog root: %s (start page %s)", root, response.url)
            self.blog_url = root

    def local(self, url: str | None) -> str | None:
        """``url`` on the host crawled: a link under the blog's original root (or Blogger's
        feed host) is mapped onto the root being crawled; others are kept as they are."""
        if not url:
            return None
        absolute = urljoin(self.blog_url, url.strip())
        parts, ours = urlsplit(absolute), urlsplit(self.blog_url)
        host = _host(parts.netloc)
        if host == _host(ours.netloc):
            return absolute
        if host == "blogger.com":  # /feeds/<blogId>/posts/default, /feeds/<blogId>/<postId>/comments/default
            relative = "feeds/" + parts.path.split("/", 3)[3] if parts.path.startswith("/feeds/") else None
        else:
            relative = next((parts.path[len(root):] for origin, root in sorted(self.origins, key=lambda o: -len(o[1]))
                             if origin == host and parts.path.startswith(root)), None)
        if relative is None:
            return absolute
        return urlunsplit((ours.scheme, ours.netloc, ours.path + relative, parts.query, parts.fragment))

    def learn_origin(self, home: str | None) -> None:
        """A page or feed names the blog's home elsewhere: the blog's original root."""
        if home and home.startswith(("http://", "https://")):
            parts = urlsplit(home)
            self.origins.add((_host(parts.netloc), parts.path if parts.path.endswith("/") else parts.path + "/"))
            self.keep_place()

    def under_root(self, url: str) -> str:
        return url[len(self.blog_url):] if url.startswith(self.blog_url) else ""

    # --- the start page -----------------------------------------------------------------
    @batch_records
    def parse_start(self, response: Response, feeds: bool) -> Iterator[Any]:
        if self.not_modified(response):  # unchanged since the last crawl: ask the feed what is new
            yield self.posts_feed_request(self.feed_candidates(None))
            return
        if not self.usable(response):
            yield from self.start_failed(feeds)
            return
        assert isinstance(response, TextResponse)
        self.remember_validators(response)
        self.adopt_root(response)
        post_page = is_post_page(response.selector, self.under_root(response.url))
        # named before anything is yielded: records of other pages may be made meanwhile
        shown_title = page_post(response.selector, None)["title"] if post_page else None
        self.set_blog_name(blog_name(response.selector, shown_title))
        self.start_links = [r.url for r in self.discover_links(response)]
        self.keep_place()
        if feeds:
            yield self.posts_feed_request(self.feed_candidates(response.selector))
        else:
            yield from self.discover_requests(seen=response.url)
        if post_page:
            yield from self.parse_post_page(response, discover=not feeds)

    def start_failed(self, feeds: bool) -> Iterator[scrapy.Request]:
        """The start page could not be read: try the feeds where Blogger serves them."""
        if feeds:
            yield self.posts_feed_request(self.feed_candidates(None))
        else:
            yield from self.discover_requests()

    def feed_candidates(self, sel: Selector | None) -> list[str]:
        """Posts feeds to try, in order: those the page links (the plain URL first: a saved
        copy holds only what was linked), then where Blogger serves them."""
        linked = []
        if sel is not None:
            for href in sel.css("link[rel='alternate'][href*='feeds/posts/'], link[rel='alternate'][href$='atom.xml'], "
                                "link[rel='alternate'][href$='rss.xml']").xpath("@href").getall():
                url = self.local(href)
                if url and self.follow_allowed(url) and "/-/" not in url:
                    linked.append(url)
        defaults = [urljoin(self.blog_url, path) for path in POSTS_FEEDS]
        return list(dict.fromkeys(linked + defaults))

    # --- the posts feed -----------------------------------------------------------------
    def posts_feed_request(self, candidates: list[str], first_page: bool = True) -> scrapy.Request:
        fallback = ("posts_feed_request", candidates[1:]) if first_page and candidates[1:] else ("discover_requests",)
        return self.request(candidates[0], self.parse_posts_feed, conditional=first_page, feed_page=True,
                            cb_kwargs={"candidates": candidates if first_page else []}, fallback=fallback)

    def feed_page(self, response: Response) -> FeedPage:
        """A feed response read, its problem counted once: an empty or binary body by
        ``usable``, a JSON feed that is no JSON as ``bad_json``, anything else as ``bad_feed``."""
        if not self.usable(response, expect="feed"):
            return FeedPage(problem="unusable")
        page = read_feed(response.body)
        if page.problem:
            self.count_error("bad_json" if page.problem == "not JSON" else "bad_feed", response.url, page.problem)
        return page

    @batch_records
    def parse_posts_feed(self, response: Response, candidates: list[str]) -> Iterator[Any]:
        if self.not_modified(response):
            return
        page = self.feed_page(response)
        if page.problem:
            if candidates[1:]:
                yield self.posts_feed_request(candidates[1:])
            else:
                yield from self.discover_requests()
            return
        if candidates:  # the first page
            self.remember_validators(response)
            yield self.blog_comments_request(response.url)
        self.learn_origin(page.home)
        self.set_blog_name(page.title)
        self.declare("posts", page.total)
        comment_format = "json" if "alt=json" in response.url else "atom"
        for entry in page.entries:
            if entry["kind"] in (None, "post"):
                yield from self.post_and_comments(post_fields(entry), comment_format)
        following = next_start(page)
        if following:
            yield self.posts_feed_request([self.next_page_url(response.url, page, following, self.page_size)], first_page=False)
        elif page.total is None or page.total == 0:  # the feed does not say how much there is: look
            yield from self.discover_requests()

    def blog_comments_request(self, posts_feed: str) -> scrapy.Request:
        """The blog-wide comment feed, in the shape the posts feed came in, for its total."""
        query = next((f"?alt={alt}" for alt in ("json", "rss") if f"alt={alt}" in posts_feed), "")
        return self.request(urljoin(self.blog_url, "feeds/comments/default" + query), self.parse_blog_comments,
                            feed_page=True)

    def parse_blog_comments(self, response: Response) -> None:
        """How many comments the whole blog declares (``openSearch:totalResults``)."""
        if self.usable(response, expect="feed"):
            self.declare("comments", read_feed(response.body).total)

    def next_page_url(self, current: str, page: FeedPage, start: int, size: int) -> str:
        """The next page of a feed: the query its ``rel=next`` link gives (what a copy saved),
        on the path this page came from; else ``start-index``/``max-results`` of our own."""
        parts = urlsplit(current)
        if page.next_href:
            query = urlsplit(page.next_href).query
        else:
            params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("start-index", "max-results")]
            query = urlencode(params + [("start-index", str(start)), ("max-results", str(size))])
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def post_and_comments(self, post: dict[str, Any], comment_format: str) -> Iterator[Any]:
        full, comments_feed = post.pop("full"), post.pop("comments_feed")
        post["url"] = self.local(post["url"])
        if not post["url"] or not self.follow_allowed(post["url"]):
            self.count_error("entry_without_link", self.blog_url, str(post.get("title"))[:80])
            return
        if self.post_wanted(post):
            yield self.make_post(**post)
            if not full:  # a summary feed: the page has the whole post
                yield self.post_page_request(post["url"])
        if post["platform_id"] and self.comments_wanted(post["url"], post["comment_count"]):
            yield self.comments_feed_request(post, self.comment_feed_candidates(post, comments_feed, comment_format))

    # --- comment feeds ------------------------------------------------------------------
    def comment_feed_candidates(self, post: dict[str, Any], linked: str | None, comment_format: str) -> list[str]:
        plain = urljoin(self.blog_url, f"feeds/{post['platform_id']}/comments/default")
        atom = [u for u in (self.local(linked), plain) if u and self.follow_allowed(u)]
        json = [plain + "?alt=json"]
        return list(dict.fromkeys(json + atom if comment_format == "json" else atom + json))

    def comments_feed_request(self, post: dict[str, Any], candidates: list[str],
                              so_far: list[dict[str, Any]] | None = None) -> scrapy.Request:
        if so_far is None:
            fallback: tuple[Any, ...] = (("comments_feed_request", post, candidates[1:]) if candidates[1:]
                                         else ("post_page_request", post["url"], True))
        else:  # a later page failed: keep what the first pages gave, read the rest off the page
            fallback = ("comments_rescue", post, so_far)
        return self.request(candidates[0], self.parse_comments_feed, feed_page=True, fallback=fallback,
                            cb_kwargs={"post": post, "candidates": candidates, "so_far": so_far or []})

    @batch_records
    def parse_comments_feed(self, response: Response, post: dict[str, Any], candidates: list[str],
                            so_far: list[dict[str, Any]]) -> Iterator[Any]:
        page = self.feed_page(response)
        if page.problem:
            yield (self.comments_feed_request(post, candidates[1:]) if not so_far and candidates[1:]
                   else self.post_page_request(post["url"], comments_only=True))
            if so_far:
                yield from self.thread_items(post["url"], post["title"], so_far, by_date=True)
            return
        if not so_far and post.get("comment_count") is None and page.total is not None and self.post_wanted(post):
            yield self.make_post(**{**post, "comment_count": page.total})  # the count the post entry left out
        so_far = so_far + self.feed_comments(page, response.url)
        following = next_start(page)
        if following:
            url = self.next_page_url(response.url, page, following, self.comment_page_size)
            yield self.comments_feed_request(post, [url], so_far)
            return
        yield from self.thread_items(post["url"], post["title"], so_far, by_date=True)

    def feed_comments(self, page: FeedPage, url: str) -> list[dict[str, Any]]:
        """The comments of one comment-feed page. Those whose text Blogger removed
        (``blogger.contentRemoved``: the text is Blogger's notice, not the commenter's) stay
        marked ``removed``: ``thread_items`` never keeps them, and deletes one known before."""
        comments = []
        for entry in page.entries:
            fields = comment_fields(entry)
            if fields["removed"]:
                self.crawler.stats.inc_value("shrinksearch/skipped/removed_comment")
                if fields["id"]:
                    comments.append(fields)
                continue
            if not fields["id"]:
                self.count_error("comment_without_id", url)
                continue
            if not fields["published"] and fields["display_time"]:  # the blog's wall clock, in its language
                fields["published"], fields["published_basis"] = shown_date(fields["display_time"], None)
            comments.append(fields)
        return comments

    def comments_rescue(self, post: dict[str, Any], so_far: list[dict[str, Any]]) -> list[Any]:
        """A later comment-feed page failed: the comments read so far, and the post's page."""
        return [RecordBatch(url=post["url"], records=list(self.thread_items(post["url"], post["title"], so_far, by_date=True))),
                self.post_page_request(post["url"], comments_only=True)]

    # --- HTML: discovery and post pages --------------------------------------------------
    def discover_requests(self, seen: str | None = None) -> Iterator[scrapy.Request]:
        """Find posts in the HTML (once a crawl): the home page's links and the sitemap
        (``seen``: a page already read for its links)."""
        if self.discovering:
            return
        self.discovering = True
        self.crawler.stats.inc_value("shrinksearch/html_fallback")
        if seen != self.blog_url:
            yield self.request(self.blog_url, self.parse_listing, dont_filter=True)
        yield self.request(urljoin(self.blog_url, "sitemap.xml"), self.parse_sitemap)
        for url in self.start_links:
            request = self.link_request(url)
            if request is not None:
                yield request

    def post_page_request(self, url: str, comments_only: bool = False, discover: bool = False) -> scrapy.Request:
        return self.request(url, self.parse_post_page, cb_kwargs={"comments_only": comments_only, "discover": discover})

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Home, archive and "Older Posts" pages: follow posts, archives and pagination."""
        if not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        self.set_blog_name(blog_name(response.selector))
        yield from self.discover_links(response)

    def discover_links(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """Requests for the post pages and listings a page links (in any template)."""
        for url in page_links(response.selector, response.url):
            request = self.link_request(self.local(url) or url)
            if request is not None:
                yield request

    def link_request(self, url: str) -> scrapy.Request | None:
        """A post page or a listing to follow, or None for any other link."""
        kind = classify(self.under_root(url)) if self.follow_allowed(url) else None
        if kind == "post":
            return self.post_page_request(url.split("#", 1)[0].split("?", 1)[0], discover=True)
        if kind == "listing":
            return self.request(url.split("#", 1)[0], self.parse_listing)
        return None

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Blogger's ``sitemap.xml``: an index of pages, each listing post URLs."""
        if not self.usable(response, expect="feed"):
            return
        sel = Selector(text=response.text, type="xml")
        sel.remove_namespaces()
        for loc in sel.xpath("//sitemap/loc/text()").getall():
            url = self.local(loc)
            if url and self.follow_allowed(url):
                yield self.request(url, self.parse_sitemap)
        for loc in sel.xpath("//url/loc/text()").getall():
            url = self.local(loc)
            if url and self.follow_allowed(url) and classify(self.under_root(url)) == "post":
                yield self.post_page_request(url, discover=True)

    @batch_records
    def parse_post_page(self, response: Response, comments_only: bool = False, discover: bool = False) -> Iterator[Any]:
        if not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        sel = response.selector
        post = {**page_post(sel, blogger_languages(sel)), "url": self.page_url(response)}
        post["updated"] = self.date(post["updated"])
        declared = declared_comments(sel)
        comments = self.page_comments(response)
        if (post["html"] or not comments_only) and self.post_wanted(post):
            yield self.make_post(**post, comment_count=declared)
        yield from self.thread_items(post["url"], post["title"], comments, by_date=False)
        if declared and len(comments) < declared and post["platform_id"] and not (comments_only or self.html_only):
            # Contempo's embedded comments and threads past 200 load from the comment feed
            candidates = self.comment_feed_candidates(post, comment_feed_link(sel), "atom")
            yield self.comments_feed_request({**post, "comment_count": declared}, candidates)
        if discover:
            yield from self.discover_links(response)


def _host(netloc: str) -> str:
    """A host as compared across a blog's names (Blogspot country domains, ``www.``)."""
    return canonical_host(netloc).removeprefix("www.")
