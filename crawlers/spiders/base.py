"""``BlogSpider``: what every platform spider shares.

A platform spider sets ``name``/``platform`` and implements ``first_requests()`` (its
preferred source: feeds, an API) and the callbacks that follow; this base supplies the
request helper (errbacks, conditional headers, URL scope), response checks that count bad
pages instead of crashing, item builders, comment threads and the incremental logic.

Arguments (``-a``): ``url`` (start URL, required), ``blog_name``, ``source`` (sources.yaml
entry), ``allow``/``deny`` (JSON lists of regexes), ``html_only`` (skip feeds and APIs: read
the pages as a reader sees them, for blogs whose feeds are off or truncated).
Settings: ``SHRINKSEARCH_INCREMENTAL`` and ``SHRINKSEARCH_STATE_FILE``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawlers.deletions import UpstreamDeletions
from crawlers.items import Comment, Post, RecordBatch
from crawlers.media import MediaSkipped
from crawlers.markup import extract_comments, iso_utc, thread_order
from crawlers.markup.names import author_fields
from crawlers.state import CrawlState
from crawlers.urls import blog_root, canonical_url, is_saved_query_name, is_under


def classify_failure(failure: Failure) -> str | None:
    """The error kind of a failed request (``None`` for robots.txt refusals and skipped media: not errors)."""
    exc = failure.value
    if isinstance(exc, MediaSkipped):  # counted as shrinksearch/skipped/media, not an error
        return None
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return None
        if "max redirections" in message:
            return "too_many_redirects"
        if "redirect" in message:
            return "redirect_loop"
        if "page budget" in message:
            return None
        return "ignored"
    if isinstance(exc, (TxTimeoutError, TimeoutError)) or "Timeout" in type(exc).__name__:
        return "timeout"
    if isinstance(exc, (DNSLookupError, ConnectionRefusedError)) or "Connection" in type(exc).__name__:
        return "connection"
    if "maxsize" in str(exc).lower() or "Cancelled" in type(exc).__name__:
        return "too_large"
    return f"download_{type(exc).__name__}"


def batch_records(callback: Callable[..., Iterable[Any]]) -> Callable[..., Iterator[Any]]:
    """Decorate a callback so that it yields its requests as they come and its records
    (``Post``/``Comment``) as one ``RecordBatch`` at the end (why: ``RecordBatch``). When the
    callback fails half-way, the records it made so far still go out before the error."""

    # A plain function returning a generator, not a generator function: Scrapy reads and
    # parses the source of a generator callback on every response (to warn about ``return
    # value``; its cache is keyed by the bound method, which dies with the call).
    @functools.wraps(callback)
    def batched(spider: BlogSpider, response: Response, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return batch_outputs(callback(spider, response, *args, **kwargs), response.url)

    return batched


def comment_item(common: dict[str, Any], post_url: str, post_title: str, position: int, c: dict[str, Any]) -> Comment:
    """The ``Comment`` item of comment ``c`` (as the markup, feed and API parsers give it),
    at ``position`` in its post's thread; ``common``: the spider's fields (``_common``)."""
    return Comment(type="comment", **common, post_url=post_url, post_title=post_title, position=position,
                   **author_fields(c.get("author")),
                   **{k: c.get(k) for k in ("id", "parent_id", "author_url", "published", "published_basis", "html")})


def batch_outputs(outputs: Iterable[Any], url: str) -> Iterator[Any]:
    """``outputs``' requests as they come and its records as one ``RecordBatch`` (see
    ``batch_records``), for generators that are not a callback's."""
    records: list[Post | Comment] = []
    try:
        for output in outputs:
            if isinstance(output, (Post, Comment)):
                records.append(output)
            elif isinstance(output, RecordBatch):  # from another batched callback it calls
                records.extend(output["records"])
            else:
                yield output
    except Exception:
        if records:
            yield RecordBatch(url=url, records=records)
        raise
    if records:
        yield RecordBatch(url=url, records=records)


class BlogSpider(UpstreamDeletions, scrapy.Spider):  # UpstreamDeletions: issue 12
    platform: ClassVar[str] = "generic"

    def __init__(self, url: str = "", blog_name: str | None = None, source: str | None = None,
                 allow: str | list[str] = "[]", deny: str | list[str] = "[]",
                 html_only: str | bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not url:
            raise ValueError(f"spider {self.name!r} needs a start URL: -a url=https://...")
        self.start_url = url
        self.blog_url = blog_root(url)
        self.blog_name = blog_name or None
        self.source = source or None
        self.allow = [re.compile(p) for p in (json.loads(allow) if isinstance(allow, str) else allow)]
        self.deny = [re.compile(p) for p in (json.loads(deny) if isinstance(deny, str) else deny)]
        self.html_only = str(html_only).lower() in ("1", "true", "yes")
        self.incremental = False
        self.crawl_state = CrawlState()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BlogSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        state_file = crawler.settings.get("SHRINKSEARCH_STATE_FILE")
        spider.crawl_state = CrawlState.load(Path(state_file) if state_file else None)
        spider.incremental = crawler.settings.getbool("SHRINKSEARCH_INCREMENTAL") and state_file is not None
        return spider

    # --- hooks --------------------------------------------------------------------------
    def first_requests(self) -> Iterable[scrapy.Request]:
        """The crawl's first requests (a platform's preferred source)."""
        raise NotImplementedError

    def html_requests(self) -> Iterable[scrapy.Request]:
        """The first requests of an ``html_only`` crawl (default: as usual)."""
        return self.first_requests()

    async def start(self) -> AsyncIterator[Any]:
        for request in self.html_requests() if self.html_only else self.first_requests():
            yield request

    # --- requests -----------------------------------------------------------------------
    def follow_allowed(self, url: str) -> bool:
        """Whether a discovered page may be followed: inside the blog, allowed, not denied."""
        if not is_under(url, self.blog_url):
            return False
        if self.allow and not any(p.search(url) for p in self.allow):
            return False
        return not any(p.search(url) for p in self.deny)

    def request(self, url: str, callback: Callable[..., Any], *, conditional: bool = False,
                fallback: tuple[Any, ...] | None = None, feed_page: bool = False,
                **kwargs: Any) -> scrapy.Request:
        """A request with error accounting; ``conditional`` adds the incremental validators;
        ``fallback`` = ``(method name, *args)`` of this spider, giving the request(s) to try
        when this one fails (a name, not a function, so JOBDIR can save the request).

        ``feed_page`` marks a page of a feed or API listing (and a comment feed reached from
        one): it restarts at depth 0, so ``DEPTH_LIMIT`` keeps bounding link-following without
        cutting a big blog's 40th feed page. Those pages are bounded by the feed's own totals
        and by the page budget instead."""
        headers = kwargs.pop("headers", {})
        if conditional and self.incremental:
            headers.update(self.crawl_state.conditional_headers(url))
        meta = kwargs.pop("meta", {})
        if fallback is not None:
            meta["shrinksearch_fallback"] = fallback
        if feed_page:
            meta["depth_reset"] = True
        return scrapy.Request(url, callback=callback, errback=self.on_error, headers=headers,
                              meta=meta, **kwargs)

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        kind = classify_failure(failure)
        request = failure.request  # type: ignore[attr-defined]
        if kind is not None:
            self.count_error(kind, request.url, str(failure.value))
        fallback = request.meta.get("shrinksearch_fallback")
        if fallback is not None:
            self.crawler.stats.inc_value("shrinksearch/fallbacks")
            name, *args = fallback
            result = getattr(self, name)(*args)
            yield from [result] if isinstance(result, scrapy.Request) else result

    def declare(self, what: str, count: Any) -> None:
        """Record how many posts or comments (``what``) the platform says the blog has, for
        the completeness check (``crawlers.completeness``); the largest figure seen counts."""
        if str(count or "").strip().isdigit():
            self.crawler.stats.max_value(f"shrinksearch/declared/{what}", int(count))

    def count_error(self, kind: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"shrinksearch/errors/{kind}")
        self.logger.warning("%s: %s %s", kind, url, detail)

    def remember_validators(self, response: Response) -> None:
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        self.crawl_state.remember_validators(
            response.request.url if response.request else response.url,
            etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None,
        )

    def not_modified(self, response: Response) -> bool:
        """A 304 answer to a conditional request: nothing new there."""
        if response.status == 304:
            self.crawler.stats.inc_value("shrinksearch/not_modified")
            return True
        return False

    # --- response checks ----------------------------------------------------------------
    def usable(self, response: Response, expect: str = "html") -> bool:
        """Whether a response can be parsed; bad ones are counted by kind and logged."""
        body = response.body or b""
        if not body.strip():
            self.count_error("empty", response.url)
            return False
        if not isinstance(response, TextResponse) or b"\x00" in body[:4096]:
            self.count_error("binary", response.url)
            return False
        if expect == "html" and not self.html_typed(response):
            self.count_error("wrong_type", response.url, self.media_type(response))
            if not isinstance(response, HtmlResponse):  # JSON, plain text: nothing to parse as a page
                return False
        if "\ufffd" in response.text and b"\xef\xbf\xbd" not in body:
            self.count_error("encoding", response.url, "undecodable bytes; parsed lossily")
        if expect == "html" and b"</html" not in body[-2048:].lower():
            self.count_error("truncated_html", response.url, "no closing </html>; parsed what is there")
        return True

    @staticmethod
    def media_type(response: Response) -> str:
        return (response.headers.get("Content-Type") or b"").split(b";")[0].strip().lower().decode("latin-1")

    def html_typed(self, response: Response) -> bool:
        """Whether the server called it HTML. Scrapy still makes an HtmlResponse of a page
        sent as e.g. application/octet-stream or image/png when its URL or body says HTML:
        that page is read, but counted as ``wrong_type``."""
        return self.media_type(response) in ("", "text/html", "application/xhtml+xml")

    def feed_problem(self, response: Response, meta: dict[str, Any]) -> None:
        """Count a feed that is broken XML or no feed at all (``bad_feed``)."""
        if meta.get("problem"):
            self.count_error("bad_feed", response.url, meta["problem"])

    def objects(self, items: list[Any], url: str) -> Iterator[dict[str, Any]]:
        """The JSON objects of an API listing; anything else is counted (``bad_object``)."""
        for item in items:
            if isinstance(item, dict):
                yield item
            else:
                self.count_error("bad_object", url, repr(item)[:80])

    def json_of(self, response: Response) -> Any | None:
        """The JSON body, or ``None`` (counted as ``bad_json``) when it is not JSON."""
        if not self.usable(response, expect="json"):
            return None
        try:
            return json.loads(response.text)
        except ValueError:
            self.count_error("bad_json", response.url)
            return None

    # --- items --------------------------------------------------------------------------
    def _common(self) -> dict[str, Any]:
        return {
            "blog_name": self.blog_name or self.default_blog_name(),
            "blog_url": self.blog_url,
            "platform": self.platform,
            "source": self.source,
            "crawled": datetime.now(timezone.utc).isoformat(),
        }

    def page_url(self, response: Response) -> str:
        """The URL to store for a page: its ``rel=canonical`` when that lies inside the blog
        being crawled (and is not the home page, which careless themes name on every page),
        else the URL it was fetched from. A copy's canonical naming the original host (a wget
        mirror, the Wayback Machine) is not followed: the records name what was crawled."""
        assert isinstance(response, TextResponse)
        href = response.css("link[rel='canonical']::attr(href)").get()
        if href:
            canonical = response.urljoin(href.strip())
            if self.follow_allowed(canonical) and canonical_url(canonical) != canonical_url(self.blog_url) \
                    and not (is_saved_query_name(canonical) and not is_saved_query_name(response.url)):
                return canonical
        return response.url

    def default_blog_name(self) -> str:
        parts = urlsplit(self.blog_url)
        return (parts.netloc + parts.path).rstrip("/")

    def set_blog_name(self, name: str | None) -> None:
        """Take the blog's name from the site unless the source named it."""
        if not self.blog_name and name and name.strip():
            self.blog_name = " ".join(name.split())

    def make_post(self, **fields: Any) -> Post:
        fields["labels"] = fields.get("labels") or []
        fields.update(author_fields(fields.get("author")))
        return Post(type="post", **self._common(), **fields)

    def post_wanted(self, post: dict[str, Any]) -> bool:
        """Full crawls want every post; incremental ones only new or changed posts."""
        self.note_listed(post["url"])  # issue 12: a listed post is not deleted upstream
        return not self.incremental or self.crawl_state.post_changed(
            canonical_url(post["url"]), post.get("updated"), post.get("published"))

    def comments_wanted(self, url: str, count: int | None) -> bool:
        """Whether a post's comments must be fetched (count from its feed entry, if any)."""
        if count == 0:
            return False
        if not self.incremental or count is None:
            return True
        # issue 12: "!=", not ">": a count that fell means comments were deleted upstream
        return count != len(self.crawl_state.known_comments(canonical_url(url)))

    def thread_items(self, post_url: str, post_title: str, comments: list[dict[str, Any]],
                     by_date: bool) -> Iterator[Comment]:
        """``Comment`` items of one post in thread order, new ones only when incremental."""
        comments = self.listed_thread(post_url, comments, from_page=not by_date)  # issue 12: deleted upstream
        known = self.crawl_state.known_comments(canonical_url(post_url)) if self.incremental else set()
        common = self._common()
        for position, c in enumerate(thread_order(comments, by_date=by_date)):
            if c["id"] not in known:
                yield comment_item(common, post_url, post_title, position, c)

    def page_comments(self, response: Response) -> list[dict[str, Any]]:
        """Comments on an HTML page, in whichever known markup it uses."""
        assert isinstance(response, TextResponse)
        return extract_comments(response.selector)

    @staticmethod
    def date(value: Any) -> str | None:
        return iso_utc(value)
