"""``RobotsMetaMiddleware``: what a page's author said about indexing it.

A page's robots directives come from ``<meta name="robots" content="...">`` and from the
``X-Robots-Tag`` header, plus their forms addressed to this crawler by name
(``<meta name="shrinksearch">``, ``X-Robots-Tag: shrinksearch: noindex``; the name is
``BOT_NAME``); forms addressed to other crawlers (``googlebot``) are not ours and are ignored.

- ``noindex`` (or ``none``): the page's posts and comments are not kept, and a post kept by an
  earlier crawl is deleted (``crawlers.deletions``), with its comments.
- ``noarchive``: the same — this index keeps the text to search it, which is what a page
  asking not to be archived refuses.
- ``nofollow`` (or ``none``): no link of the page is followed.

Directives apply to HTML pages only. Feeds, sitemaps and API answers describe other pages
(WordPress sends its sitemaps with ``X-Robots-Tag: noindex, follow``, SEO plugins their
feeds): a feed being kept out of search engines says nothing about the posts it lists.
Stats: ``shrinksearch/robots_meta/<directive>`` (pages), ``shrinksearch/dropped/noindex``
(records) and ``shrinksearch/skipped/nofollow`` (links not followed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import HtmlResponse

from crawlers.items import Comment, Post, RecordBatch

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

DIRECTIVES = frozenset({"all", "none", "noindex", "nofollow", "noarchive", "nocache", "nosnippet", "notranslate",
                        "noimageindex", "indexifembedded", "unavailable_after", "max-snippet", "max-image-preview",
                        "max-video-preview"})
KEEP_OUT = frozenset({"noindex", "none", "noarchive", "nocache"})
DONT_FOLLOW = frozenset({"nofollow", "none"})


def header_directives(values: Iterable[str], bot: str) -> set[str]:
    """Directives of ``X-Robots-Tag`` values meant for every crawler or for ``bot``."""
    found: set[str] = set()
    for value in values:
        scope, colon, rest = value.partition(":")
        addressed = colon and scope.strip().lower() not in DIRECTIVES and "," not in scope
        if addressed and scope.strip().lower() != bot:
            continue  # "googlebot: noindex" is not for us
        found |= _split(rest if addressed else value)
    return found


def meta_directives(response: HtmlResponse, bot: str) -> set[str]:
    """Directives of ``<meta name="robots">`` and ``<meta name="<bot>">`` (any case)."""
    found: set[str] = set()
    for meta in response.xpath("//meta[@name and @content]"):
        if meta.attrib["name"].strip().lower() in ("robots", bot):
            found |= _split(meta.attrib["content"])
    return found


def _split(text: str) -> set[str]:
    return {part.strip().lower().split(":")[0] for part in text.split(",") if part.strip()}


def page_directives(response: Response, bot: str) -> set[str]:
    """Every robots directive that applies to ``response`` (an HTML page; else none)."""
    if not isinstance(response, HtmlResponse):
        return set()
    values = [v.decode("latin-1") for v in response.headers.getlist("X-Robots-Tag")]
    return header_directives(values, bot) | meta_directives(response, bot)


class RobotsMetaMiddleware:
    """Drop the records of ``noindex`` pages and the links of ``nofollow`` ones."""

    def __init__(self, crawler: Crawler, bot: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.bot = bot.lower()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsMetaMiddleware:
        return cls(crawler, crawler.settings.get("BOT_NAME") or "shrinksearch")

    def _rules(self, response: Response) -> tuple[bool, bool]:
        directives = page_directives(response, self.bot)
        for name in sorted(directives & (KEEP_OUT | DONT_FOLLOW)):
            self.stats.inc_value(f"shrinksearch/robots_meta/{name}")
        return bool(directives & KEEP_OUT), bool(directives & DONT_FOLLOW)

    def _filter(self, output: Any, keep_out: bool, dont_follow: bool) -> Any | None:
        if dont_follow and isinstance(output, Request):
            self.stats.inc_value("shrinksearch/skipped/nofollow")
            return None
        if keep_out and isinstance(output, (Post, Comment, RecordBatch)):
            records = output["records"] if isinstance(output, RecordBatch) else [output]
            self._keep_out(records)
            return None
        return output

    def _keep_out(self, records: list[Post | Comment]) -> None:
        """Count the records left out, and have the deletions tracker delete their posts."""
        from crawlers.deletions import tracker_of

        tracker = tracker_of(self.crawler.spider)
        for record in records:
            self.stats.inc_value("shrinksearch/dropped/noindex")
            url = record.get("url") if isinstance(record, Post) else record.get("post_url")
            if tracker is not None and url:
                tracker.post_gone(url, "noindex")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        keep_out, dont_follow = self._rules(response)
        for output in result:
            kept = self._filter(output, keep_out, dont_follow) if keep_out or dont_follow else output
            if kept is not None:
                yield kept

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        keep_out, dont_follow = self._rules(response)
        async for output in result:
            kept = self._filter(output, keep_out, dont_follow) if keep_out or dont_follow else output
            if kept is not None:
                yield kept
