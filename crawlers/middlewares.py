"""Downloader and spider middlewares: robots.txt by RFC 9309, Crawl-delay, the page budget,
error accounting.

Scrapy parses whatever a robots.txt request answers, so a blog whose missing robots.txt
answers 404 with an HTML page was read as rules; ``Rfc9309RobotsTxtMiddleware`` reads a 4xx
answer as "everything allowed", as RFC 9309 (2.3.1.3) says.

Scrapy parses robots.txt (``RobotParser.crawl_delay``) and announces each parse with the
``robots_parsed`` signal, but does not slow down for ``Crawl-delay``;
``RobotsCrawlDelayMiddleware`` raises the host's downloader-slot delay to it (capped by
``SHRINKSEARCH_CRAWL_DELAY_MAX``). ``PageBudgetMiddleware`` bounds the responses of one crawl
(spider traps). ``ErrorStatsMiddleware`` counts callback failures instead of losing them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


class Rfc9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with a 4xx answer read as "no rules" (RFC 9309)."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if 400 <= response.status < 500:
            self._stats.inc_value("shrinksearch/robots/unavailable_allows_all")
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)


class RobotsCrawlDelayMiddleware:
    """Honour robots.txt ``Crawl-delay`` per host, up to a cap."""

    def __init__(self, crawler: Crawler, cap: float, user_agent: str) -> None:
        self.crawler = crawler
        self.cap = cap
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCrawlDelayMiddleware:
        settings = crawler.settings
        ua = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        mw = cls(crawler, settings.getfloat("SHRINKSEARCH_CRAWL_DELAY_MAX"), ua)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay is None:
            return
        host = urlparse_cached(request).hostname or ""
        self.crawler.stats.set_value(f"shrinksearch/robots/crawl_delay/{host}", delay)
        self.delays[host] = min(delay, self.cap)
        if delay > self.cap:
            logger.info("Crawl-delay %ss of %s capped to %ss", delay, host, self.cap)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        delay = self.delays.get(host)
        if not delay:
            return
        slot = self.crawler.engine.downloader.slots.get(host)
        if slot is not None and slot.delay < delay:
            slot.delay, slot.jitter = delay, 0.0


class RedirectLoopMiddleware:
    """Stop a redirect that leads back to a URL of its own chain, and say so (Scrapy's
    duplicate filter would otherwise drop the loop silently)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = response.urljoin(location.decode("latin-1"))
            if target in (*request.meta.get("redirect_urls", []), request.url):
                raise IgnoreRequest(f"redirect loop back to {target}")
        return response


class PageBudgetMiddleware:
    """Refuse requests past ``SHRINKSEARCH_MAX_PAGES`` in one crawl (robots.txt excluded)."""

    def __init__(self, crawler: Crawler, max_pages: int) -> None:
        self.stats = crawler.stats
        self.max_pages = max_pages
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageBudgetMiddleware:
        return cls(crawler, crawler.settings.getint("SHRINKSEARCH_MAX_PAGES"))

    def process_request(self, request: Request) -> None:
        if request.url.endswith("/robots.txt"):
            return
        if self.max_pages and self.sent >= self.max_pages:
            self.stats.inc_value("shrinksearch/skipped/page_budget")
            raise IgnoreRequest(f"page budget of {self.max_pages} reached")
        self.sent += 1


class ErrorStatsMiddleware:
    """Count and log exceptions raised by spider callbacks; the crawl goes on."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ErrorStatsMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any]:
        self.stats.inc_value("shrinksearch/errors/parse")
        logger.error("could not parse %s: %r", response.url, exception)
        return []
