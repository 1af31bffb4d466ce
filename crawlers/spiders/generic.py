"""``GenericSpider``: any blog that is neither Blogger nor WordPress.

Posts are found through the site's RSS/Atom feed and its sitemaps (``sitemap.xml``, and
``Sitemap:`` lines of robots.txt, as Scrapy's ``SitemapSpider`` reads them); failing both,
through links of the home page (bounded by the blog prefix, DEPTH_LIMIT and the page budget).
Each post page gives the main text through trafilatura (a maintained extractor, not
hand-written heuristics) and the comments in any common markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.markup import feed_entries, first
from crawlers.spiders.base import BlogSpider, batch_records
from crawlers.urls import canonical_url

FEED_GUESSES = ("feed.xml", "feed/", "rss.xml", "atom.xml", "index.xml")
_COMMENT_SECTIONS = "//*[@id='comments'] | //section[contains(@class,'comments')] | //ol[contains(@class,'comment-list')]"


def main_html(html: str, url: str) -> str:
    """The main text of a page as simple HTML, comments and boilerplate left out."""
    import trafilatura  # here, not at the top: every crawl imports every spider module (~0.3 s)

    extracted = trafilatura.extract(html, url=url, output_format="html", include_comments=False,
                                    include_links=True, include_formatting=True, include_images=False,
                                    prune_xpath=_COMMENT_SECTIONS)
    return extracted or ""


def page_metadata(html: str, url: str) -> dict[str, Any]:
    """Title, author, date and tags of a page as trafilatura finds them."""
    import trafilatura

    meta = trafilatura.extract_metadata(html, default_url=url)
    if meta is None:
        return {}
    return {"title": meta.title, "author": meta.author, "published": BlogSpider.date(meta.date),
            "labels": list(meta.tags or []) + list(meta.categories or [])}


class GenericSpider(BlogSpider):
    name = "generic"
    platform = "generic"

    def __init__(self, *args: Any, follow_links: str | bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.follow_links = str(follow_links).lower() in ("1", "true", "yes")

    def first_requests(self) -> Iterable[scrapy.Request]:
        # never conditional: a comment on an old post does not change the home page
        yield self.request(self.blog_url, self.parse_home)

    # --- discovery ----------------------------------------------------------------------
    def parse_home(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response) or not self.usable(response):
            return
        self.set_blog_name(first(response, "meta[property='og:site_name']::attr(content)", "title::text"))
        feeds = response.css("link[rel='alternate'][type*='rss']::attr(href), "
                             "link[rel='alternate'][type*='atom']::attr(href)").getall()
        feed_urls = [response.urljoin(h) for h in feeds] or [urljoin(self.blog_url, g) for g in FEED_GUESSES]
        yield self.feed_request([u for u in feed_urls if u.startswith(self.blog_url)])
        if self.follow_links:  # also walk every link inside the blog (bounded)
            yield self.request(self.start_url, self.parse_page, dont_filter=True)

    def feed_request(self, candidates: list[str]) -> scrapy.Request:
        """The first candidate feed, falling back to the next; after the feeds, the sitemaps
        (so a post listed in both is requested with its feed entry's fields)."""
        if not candidates:
            return self.sitemap_request()
        return self.request(candidates[0], self.parse_feed, conditional=True, cb_kwargs={"rest": candidates[1:]},
                            fallback=("feed_request", candidates[1:]))

    def sitemap_request(self) -> scrapy.Request:
        return self.request(urljoin(self.blog_url, "sitemap.xml"), self.parse_sitemap, conditional=True,
                            fallback=("robots_request",))

    def robots_request(self) -> scrapy.Request:
        robots = urljoin(self.blog_url, "/robots.txt")
        return self.request(robots, self.parse_robots_sitemaps, meta={"dont_obey_robotstxt": True})

    def parse_robots_sitemaps(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = [u for u in sitemap_urls_from_robots(response.text, base_url=response.url)
                    if u.startswith(self.blog_url)]
        for url in sitemaps:
            yield self.request(url, self.parse_sitemap)
        if not sitemaps:  # no feed, no sitemap: walk the blog's links (bounded)
            yield self.request(self.blog_url, self.parse_page, dont_filter=True)

    @batch_records
    def parse_page(self, response: Response) -> Iterator[Any]:
        """Link walking: a page that looks like an article is a post; links inside the blog
        are followed (DEPTH_LIMIT and the page budget bound traps)."""
        if not self.usable(response):
            return
        is_article = response.css("meta[property='og:type'][content='article'], article")
        if is_article and canonical_url(response.url) != canonical_url(self.blog_url):
            yield from self.parse_post(response, None, emit_post=True)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.follow_allowed(url):
                yield self.request(url, self.parse_page)

    def parse_feed(self, response: Response, rest: list[str]) -> Iterator[Any]:
        if self.not_modified(response):
            yield self.sitemap_request()
            return
        meta, entries = feed_entries(response.body) if self.usable(response, expect="xml") else ({}, [])
        self.feed_problem(response, meta)
        if not entries:
            yield self.feed_request(rest)
            return
        self.remember_validators(response)
        self.set_blog_name(meta["title"])
        for entry in entries:
            if not entry["url"] or not self.follow_allowed(entry["url"]):
                continue
            self.feed_posts.add(canonical_url(entry["url"]))
            changed = self.post_wanted(entry)
            if changed or self.comments_wanted(entry["url"], entry["comment_count"]):
                yield self.post_request(entry["url"], entry, emit_post=changed)
        yield self.sitemap_request()

    @property
    def feed_posts(self) -> set[str]:
        """Canonical URLs of the posts the feed listed (their comments are counted there)."""
        if not hasattr(self, "_feed_posts"):
            self._feed_posts: set[str] = set()
        return self._feed_posts

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        if not self.usable(response, expect="xml"):
            yield self.robots_request()
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types for a broken sitemap  # noqa: BLE001
            self.count_error("bad_sitemap", response.url)
            return
        if sitemap.type == "urlset":  # an index may stay the same while its parts change
            self.remember_validators(response)
        for entry in sitemap:
            url = entry.get("loc", "")
            if sitemap.type == "sitemapindex" and url.startswith(self.blog_url):
                yield self.request(url, self.parse_sitemap)
            elif self.is_post_url(url):
                yield from self.sitemap_post(url, entry.get("lastmod"))

    def sitemap_post(self, url: str, lastmod: str | None) -> Iterator[scrapy.Request]:
        """A post listed in a sitemap: fetched unless the feed had it, or (incremental) its
        ``lastmod`` — which moves when comments are added — is the one seen last time."""
        key = canonical_url(url)
        self.note_listed(key)  # issue 12: a listed post is not deleted upstream
        if key in self.feed_posts:
            self.crawl_state.remember_lastmod(key, lastmod)
            return
        if self.incremental and lastmod and self.crawl_state.lastmod(key) == lastmod:
            return
        yield self.post_request(url, None, emit_post=True, lastmod=lastmod)

    def is_post_url(self, url: str) -> bool:
        return self.follow_allowed(url) and canonical_url(url) != canonical_url(self.blog_url) \
            and not url.endswith((".xml", "/feed/"))

    # --- posts --------------------------------------------------------------------------
    def post_request(self, url: str, entry: dict[str, Any] | None, emit_post: bool,
                     lastmod: str | None = None) -> scrapy.Request:
        return self.request(url, self.parse_post, cb_kwargs={"entry": entry, "emit_post": emit_post, "lastmod": lastmod})

    @batch_records
    def parse_post(self, response: Response, entry: dict[str, Any] | None, emit_post: bool,
                   lastmod: str | None = None) -> Iterator[Any]:
        if not self.usable(response):
            return
        post = self.post_from_page(response, entry or {})
        comments = self.page_comments(response)
        if lastmod:
            self.crawl_state.remember_lastmod(canonical_url(response.url), lastmod)
        if entry is None and self.incremental:  # re-read because its lastmod moved
            emit_post = self.post_wanted(post)
        if emit_post:
            post["comment_count"] = len(comments)
            yield self.make_post(**post)
        yield from self.thread_items(post["url"], post["title"], comments, by_date=False)

    def post_from_page(self, response: Response, entry: dict[str, Any]) -> dict[str, Any]:
        """A post's fields: the feed entry's when there is one, else the page's own markup
        (schema.org microdata, microformats h-entry, Open Graph), else trafilatura's guess."""
        author = first(response, "article [itemprop~='author'] [itemprop='name']::text", "article [itemprop~='author']::text",
                       ".h-entry .p-author::text", ".h-entry .p-author *::text", "meta[name='author']::attr(content)")
        published = first(response, "article [itemprop='datePublished']::attr(datetime)", ".h-entry .dt-published::attr(datetime)",
                          "meta[property='article:published_time']::attr(content)", "article time[datetime]::attr(datetime)")
        updated = first(response, "article [itemprop='dateModified']::attr(datetime)", ".h-entry .dt-updated::attr(datetime)",
                        "meta[property='article:modified_time']::attr(content)")
        title = first(response, "article [itemprop~='headline']::text", ".h-entry .p-name::text",
                      "meta[property='og:title']::attr(content)", "h1::text")
        labels = [" ".join(t.split()) for t in response.css(
            "article [rel~='tag']::text, .h-entry .p-category::text, meta[property='article:tag']::attr(content)").getall()]
        post = {
            "url": entry.get("url") or first(response, "link[rel='canonical']::attr(href)") or response.url,
            "platform_id": None,
            "title": entry.get("title") or title,
            "author": entry.get("author") or author,
            "author_url": entry.get("author_url"),
            "published": entry.get("published") or self.date(published),
            "updated": entry.get("updated") or self.date(updated),
            "labels": entry.get("labels") or labels,
            "html": main_html(response.text, response.url) or entry.get("html") or "",
        }
        # trafilatura's metadata pass costs as much as its text extraction: only for what the
        # feed and the markup left empty
        guessed = ("title", "author", "published", "labels")
        if not all(post[name] for name in guessed):
            meta = page_metadata(response.text, response.url)
            post.update({name: post[name] or meta.get(name) for name in guessed})
        post["title"], post["labels"] = post["title"] or "", post["labels"] or []
        return post
