"""``GenericSpider``: any blog that is neither Blogger nor WordPress.

Where the posts are, in the order tried: the RSS/Atom feeds the home page advertises
(``<link rel="alternate">``, relative or not; a few usual paths when it advertises none),
then the sitemaps (``sitemap.xml``, else the ``Sitemap:`` lines of robots.txt; indexes,
gzipped ``.xml.gz`` parts and relative ``<loc>`` included), and failing both the blog's
own links: link walking from the home page, bounded by the blog's root, DEPTH_LIMIT and the
page budget, with pagination ("Older entries", ``rel=next``, ``/page/N/``, ``?paged=N``)
followed at any depth. A start URL below the blog's root (a post, an archive) is read too,
and the root is taken from what that page advertises (its feed's location, ``rel=home``,
its breadcrumb).

Each post page gives: the main text through trafilatura (comment sections pruned first);
the title, author and date from the feed entry, else the page's structured data (schema.org
JSON-LD/microdata, microformats), else its markup — its own title, never the blog's name,
and a date read in the page's language; the comments in any known markup, else the
template-independent fallback (``crawlers.markup``). A page met by link walking counts as a
post by what it holds, not by HTML5 markup: one main text with a title and a date, not a
list of teasers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.markup import feed_entries, first
from crawlers.markup.dates import shown_date
from crawlers.markup.fallback import names_comments_outright, zones
from crawlers.markup.page import (
    advertised_roots, byline_author, declared_comments, is_listing, looks_like_post, own_title, page_language, pagination_links,
    plainly_a_listing,
    shown_post_date, site_names, strip_blog_name,
)
from crawlers.markup.structured import page_post, structured_data
from crawlers.markup.text import plain
from crawlers.markup.wordpress_urls import OriginMap
from crawlers.spiders.base import BlogSpider, batch_records
from crawlers.urls import blog_root, canonical_url, is_under

FEED_GUESSES = ("feed.xml", "feed/", "rss.xml", "atom.xml", "index.xml")
_COMMENT_SECTIONS = ["//*[@id='comments']", "//section[contains(@class,'comments')]", "//ol[contains(@class,'comment-list')]"]
_NOT_THE_POST = ("[not(.//h1) and not(.//article) and not(.//*[contains(@class, 'entry-content') or "
                 "contains(@class, 'post-body') or contains(@class, 'post-content')])]")
_CHROME = [  # sidebars trafilatura keeps on some old templates (never one that holds the post itself)
    "//*[@id='sidebar' or @id='sidebar-wrapper' or @id='secondary']" + _NOT_THE_POST,
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' sidebar ')]" + _NOT_THE_POST,
]
_NOT_PAGES = (".xml", ".rss", ".atom", "/feed/", "/feed", "/rss/", "/wp-login.php", "/trackback/")
_GZIP_MAGIC = b"\x1f\x8b"
SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemaps protocol's limit for one uncompressed file


def main_html(html: str, url: str, prune: list[str] | None = None) -> str:
    """The main text of a page as simple HTML, comments and boilerplate left out."""
    import trafilatura  # here, not at the top: every crawl imports every spider module (~0.3 s)

    extracted = trafilatura.extract(html, url=url, output_format="html", include_comments=False,
                                    include_links=True, include_formatting=True, include_images=False,
                                    prune_xpath=_COMMENT_SECTIONS + _CHROME + (prune or []))
    return extracted or ""


def page_metadata(html: str, url: str) -> dict[str, Any]:
    """Title, author, date and tags of a page as trafilatura finds them."""
    import trafilatura

    meta = trafilatura.extract_metadata(html, default_url=url)
    if meta is None:
        return {}
    return {"title": meta.title, "author": meta.author, "published": BlogSpider.date(meta.date),
            "labels": list(meta.tags or []) + list(meta.categories or [])}


def comment_zone_xpaths(response: TextResponse) -> list[str]:
    """XPaths of the page's comment sections (as the comment fallback finds them), for
    trafilatura to prune: a body must never absorb its comments."""
    xpaths = []
    for zone in zones(response.selector.root):
        if zone.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "a", "span") or not names_comments_outright(zone):
            continue  # a heading's anchor id ("…-responses-from-humans"), a "replies" box that may be anything
        if zone.xpath(".//h1 | .//*[contains(@class, 'entry-content') or contains(@class, 'post-body')]"):
            continue  # a careless class on a wrapper of the post itself
        if zone.get("id"):
            xpaths.append(f"//*[@id={_xpath_literal(zone.get('id') or '')}]")
        elif zone.get("class"):
            xpaths.append(f"//{zone.tag}[@class={_xpath_literal(zone.get('class') or '')}]")
    return xpaths


def home_link_xpaths(home: str) -> list[str]:
    """Paragraphs that are nothing but a link back to the blog's home ("Zurück zur
    Übersicht", "Back to the blog"): navigation, not the post (for trafilatura to prune)."""
    hrefs = {home, urlsplit(home).path or "/", "/"}
    test = " or ".join(f"a/@href={_xpath_literal(h)}" for h in sorted(hrefs))
    return [f"//p[count(*)=1 and count(a)=1 and normalize-space(.)=normalize-space(a) and ({test})]"]


def without_comments(html: str, comments: list[dict[str, Any]]) -> str:
    """The post's HTML without the blocks that repeat one of its comments: a comment thread
    in a template no one names "comments" must not end up in the post's text."""
    said = [" ".join(plain(c.get("html")).split()) for c in comments]
    said = [t for t in said if len(t) >= 20]
    if not said or not html:
        return html
    from lxml import html as lxml_html

    fragment = lxml_html.fragment_fromstring(html, create_parent="div")
    for el in list(fragment.iter("p", "li", "blockquote", "div", "dd")):
        text = " ".join(el.text_content().split())
        if len(text) >= 20 and el.getparent() is not None and any(
                text in t or (t in text and len(text) <= 1.5 * len(t) + 40) for t in said):  # not a wrapper of the post
            el.drop_tree()
    return "".join(lxml_html.tostring(child, encoding="unicode") for child in fragment)


def _xpath_literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    return "concat('" + "', \"'\", '".join(value.split("'")) + "')"


class GenericSpider(BlogSpider):
    name = "generic"
    platform = "generic"

    def __init__(self, *args: Any, follow_links: str | bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.follow_links = str(follow_links).lower() in ("1", "true", "yes")
        # a saved copy (wget, a static export) served away from its original host keeps that
        # host in its feeds and sitemaps, which wget never rewrites: mapped onto the copy
        self.origins = OriginMap()

    def first_requests(self) -> Iterable[scrapy.Request]:
        # never conditional: a comment on an old post does not change the home page
        if canonical_url(self.start_url) == canonical_url(self.blog_url):
            yield self.request(self.blog_url, self.parse_home)
        else:  # a post or an archive below the blog's root: read it, and find the root from it
            yield self.request(self.start_url, self.parse_start, fallback=("home_request",))

    def home_request(self) -> scrapy.Request:
        return self.request(self.blog_url, self.parse_home)

    # --- discovery ----------------------------------------------------------------------
    def parse_start(self, response: Response) -> Iterator[Any]:
        """A start URL below the blog's root: the root it advertises becomes the crawl's."""
        if not self.usable(response):
            yield self.home_request()
            return
        assert isinstance(response, TextResponse)
        self.take_root(response)
        if canonical_url(response.url) == canonical_url(self.blog_url):
            yield from self.parse_home(response)
            return
        yield self.home_request()
        yield from self.parse_post(response, None, emit_post=True, walked=True)

    def take_root(self, response: TextResponse) -> None:
        """Move the crawl's root up to the blog root the start page advertises (its feed's
        location, ``rel=home``, its breadcrumb), when that root contains the start URL."""
        for candidate in advertised_roots(response.selector, response.url):
            root = blog_root(candidate)
            if is_under(self.start_url, root):
                if root != self.blog_url:
                    self.logger.info("blog root %s (advertised by %s)", root, response.url)
                    self.blog_url = root
                return

    def parse_home(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response) or not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        self.set_blog_name(first(response, "meta[property='og:site_name']::attr(content)", "title::text"))
        feeds = response.css("link[rel~='alternate'][type*='rss']::attr(href), "
                             "link[rel~='alternate'][type*='atom']::attr(href)").getall()
        feed_urls = [response.urljoin(h.strip()) for h in feeds if "comments" not in h.lower()] \
            or [urljoin(self.blog_url, g) for g in FEED_GUESSES]
        yield self.feed_request([u for u in dict.fromkeys(feed_urls) if is_under(u, self.blog_url)])
        if self.follow_links:  # also walk every link inside the blog (bounded)
            yield self.walk_request(self.blog_url, start=True)

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
        return self.request(robots, self.parse_robots_sitemaps, fallback=("walk_requests",),
                            meta={"dont_obey_robotstxt": True, "handle_httpstatus_all": True})

    def walk_requests(self) -> list[scrapy.Request]:
        return [self.walk_request(self.blog_url, start=True)]

    def walk_request(self, url: str, pagination: bool = False, start: bool = False) -> scrapy.Request:
        """A page to walk; link depth counts from where the walk starts (however many feeds
        and sitemaps were tried before), and a listing's next pages restart it."""
        return self.request(url, self.parse_page, dont_filter=start, feed_page=pagination or start)

    def parse_robots_sitemaps(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) and response.status == 200 else ""
        sitemaps = [u for u in sitemap_urls_from_robots(text, base_url=response.url) if is_under(u, self.blog_url)]
        for url in sitemaps:
            yield self.request(url, self.parse_sitemap)
        if not sitemaps:  # no feed, no sitemap: walk the blog's links (bounded)
            yield self.walk_request(self.blog_url, start=True)

    @batch_records
    def parse_page(self, response: Response) -> Iterator[Any]:
        """Link walking: a page that holds one post is a post; links inside the blog are
        followed (DEPTH_LIMIT and the page budget bound traps; pagination at any depth)."""
        if not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        listing = canonical_url(response.url) == canonical_url(self.blog_url) or is_listing(response.selector, response.url)
        if not listing:
            yield from self.parse_post(response, None, emit_post=True, walked=True)
        pages = pagination_links(response.selector, response.url) if listing else set()
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if self.follow_allowed(url) and not urlsplit(url).path.endswith(_NOT_PAGES) and "replytocom=" not in url:
                yield self.walk_request(url, pagination=url in pages)

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
        self.origins.learn(response.url, meta.get("self"))
        for entry in entries:
            if not entry["url"]:
                continue
            entry["url"] = self.origins.local(response.urljoin(entry["url"].strip()))  # feeds with relative links
            if not self.follow_allowed(entry["url"]):
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

    def sitemap_body(self, response: Response) -> bytes | None:
        """The XML of a sitemap, gunzipped when it is a ``.xml.gz`` (bounded in size)."""
        body = response.body or b""
        if body[:2] == _GZIP_MAGIC:
            try:
                return gunzip(body, max_size=SITEMAP_MAX_BYTES)
            except (OSError, EOFError, ValueError):
                self.count_error("bad_sitemap", response.url, "broken gzip")
                return None
        return body if self.usable(response, expect="xml") else None

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        body = self.sitemap_body(response)
        if body is None:
            yield self.robots_request()
            return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types for a broken sitemap  # noqa: BLE001
            self.count_error("bad_sitemap", response.url)
            return
        if sitemap.type == "urlset":  # an index may stay the same while its parts change
            self.remember_validators(response)
        listed = 0
        for entry in sitemap:
            # relative <loc>: against the sitemap's URL; a copy's original host: onto the copy
            url = self.origins.local(response.urljoin(entry.get("loc", "").strip())) or ""
            if sitemap.type == "sitemapindex" and is_under(url, self.blog_url):
                listed += 1
                yield self.request(url, self.parse_sitemap)
            elif sitemap.type == "urlset" and self.is_post_url(url):
                listed += 1
                yield from self.sitemap_post(url, entry.get("lastmod"))
        if not listed and not self.feed_posts:  # a sitemap of another site (or empty): walk the links
            yield from self.walk_requests()

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
            and not urlsplit(url).path.endswith(_NOT_PAGES)

    # --- posts --------------------------------------------------------------------------
    def post_request(self, url: str, entry: dict[str, Any] | None, emit_post: bool,
                     lastmod: str | None = None) -> scrapy.Request:
        # the start page was fetched once already, read as a page of unknown kind
        again = canonical_url(url) == canonical_url(self.start_url)
        return self.request(url, self.parse_post, cb_kwargs={"entry": entry, "emit_post": emit_post, "lastmod": lastmod},
                            dont_filter=again)

    @batch_records
    def parse_post(self, response: Response, entry: dict[str, Any] | None, emit_post: bool,
                   lastmod: str | None = None, walked: bool = False) -> Iterator[Any]:
        """A post page (from a feed entry, a sitemap, or link walking when ``walked``: then
        only when the page holds one post)."""
        if not self.usable(response):
            return
        assert isinstance(response, TextResponse)
        listing = is_listing if walked else plainly_a_listing
        if entry is None and listing(response.selector, response.url):
            return  # a tag or archive page in a sitemap, a listing met by walking
        comments = self.page_comments(response)
        post = self.post_from_page(response, entry or {})
        dated = post.pop("dated")
        post["html"] = without_comments(post["html"], comments)
        if walked and not looks_like_post(response.selector, response.url, len(plain(post["html"])), dated=dated):
            return
        if lastmod:
            self.crawl_state.remember_lastmod(canonical_url(response.url), lastmod)
        if entry is None and self.incremental:  # re-read because its lastmod moved
            emit_post = self.post_wanted(post)
        if emit_post:
            yield self.make_post(**post)
        yield from self.thread_items(post["url"], post["title"], comments, by_date=False)

    def post_from_page(self, response: TextResponse, entry: dict[str, Any]) -> dict[str, Any]:
        """A post's fields: the feed entry's when there is one, else the page's structured
        data (schema.org JSON-LD/microdata, microformats h-entry), else its markup (Open
        Graph, the title element, the date as shown), else trafilatura's guess."""
        sel = response.selector
        data = page_post(structured_data(sel, response.url), response.url) or {}
        names = [n for n in (self.blog_name, *site_names(sel)) if n]
        published, basis = self.page_date(response, data)
        post = {
            "url": entry.get("url") or self.page_url(response),
            "platform_id": None,
            "title": entry.get("title") or strip_blog_name(data.get("title"), names) or own_title(sel, names),
            "author": entry.get("author") or data.get("author") or self.page_author(response),
            "author_url": entry.get("author_url") or data.get("author_url"),
            "published": entry.get("published") or published,
            "published_basis": entry.get("published_basis") if entry.get("published") else basis,
            "updated": entry.get("updated") or data.get("updated") or self.date(first(
                response, "[itemprop='dateModified']::attr(datetime)", ".h-entry .dt-updated::attr(datetime)",
                "meta[property='article:modified_time']::attr(content)")),
            "labels": entry.get("labels") or data.get("labels") or self.page_labels(response),
            "html": main_html(response.text, response.url, comment_zone_xpaths(response) + home_link_xpaths(self.blog_url))
            or entry.get("html")
            or data.get("html") or "",
            "comment_count": next((n for n in (entry.get("comment_count"), data.get("comment_count"),
                                               declared_comments(sel)) if n is not None), None),
        }
        post["dated"] = bool(post["published"])  # by the page or its feed, not guessed below
        # trafilatura's metadata pass costs as much as its text extraction: only for what the
        # feed and the markup left empty
        guessed = ("title", "author", "published", "labels")
        if not all(post[name] for name in guessed):
            meta = page_metadata(response.text, response.url)
            if not post["published"] and meta.get("published"):
                post["published_basis"] = "day"  # trafilatura keeps the day only (often from the URL)
            post.update({name: post[name] or meta.get(name) for name in guessed})
            post["title"] = strip_blog_name(str(post["title"] or ""), names)
        post["title"], post["labels"] = post["title"] or "", post["labels"] or []
        return post

    def page_date(self, response: TextResponse, data: dict[str, Any]) -> tuple[str | None, Any]:
        """The post's date: structured data's, a machine-readable attribute's, else as shown."""
        if data.get("published"):
            return data["published"], data.get("published_basis")
        value = first(response, "[itemprop='datePublished']::attr(datetime)", "[itemprop='datePublished']::attr(content)",
                      ".h-entry .dt-published::attr(datetime)", "meta[property='article:published_time']::attr(content)",
                      "article time[datetime]::attr(datetime)")
        if value:
            found = shown_date(value, page_language(response.selector))
            if found[0]:
                return found
        return shown_post_date(response.selector)

    @staticmethod
    def page_author(response: TextResponse) -> str | None:
        return first(response, "article [itemprop~='author'] [itemprop='name']::text", "article [itemprop~='author']::text",
                     ".h-entry .p-author::text", ".h-entry .p-author *::text", "meta[name='author']::attr(content)",
                     ".entry-meta .author .fn::text", ".byline .author ::text", ".post-author .fn::text",
                     ".entry-author-name::text", "a[rel~='author']::text", ".author.vcard ::text") or byline_author(response.selector)

    @staticmethod
    def page_labels(response: TextResponse) -> list[str]:
        return [" ".join(t.split()) for t in response.css(
            "article [rel~='tag']::text, .h-entry .p-category::text, meta[property='article:tag']::attr(content)").getall()]
