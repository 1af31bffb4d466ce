"""Politeness that no setting turns off for real sites.

For any host that is not loopback (the local sample network is), a crawl always: waits at
least ``MIN_DELAY`` seconds between two requests to the host (jitter included), obeys
robots.txt, and honours its ``Crawl-delay`` up to ``CRAWL_DELAY_CAP`` seconds. The runner
refuses settings that would lower any of these (``refuse_impolite``, a one-line usage
error), and ``PolitenessGuardMiddleware`` enforces them inside the crawl process too, so
``python -m crawlers.crawl ... -s DOWNLOAD_DELAY=0`` is no way around them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawlers.middlewares import RobotsCrawlDelayMiddleware
from shrinksearch.exceptions import UsageError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

MIN_DELAY = 1.0
"""Seconds between two requests to one real host, at the least."""
CRAWL_DELAY_CAP = 60.0
"""robots.txt ``Crawl-delay`` is honoured up to this (a larger one would stall a crawl for good)."""


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def refuse_impolite(url: str, overrides: Mapping[str, Any]) -> None:
    """A ``UsageError`` naming the setting, when ``overrides`` would make a crawl of a real
    (non-loopback) site less polite than the rules above."""
    if is_loopback_host(urlsplit(url).hostname or ""):
        return
    delay = _number(overrides.get("DOWNLOAD_DELAY"), MIN_DELAY * 1.25)
    jitter = _number(overrides.get("DOWNLOAD_DELAY_JITTER"), 0.2)
    problems = []
    if delay * (1 - min(jitter, 1.0)) < MIN_DELAY:
        problems.append(f"DOWNLOAD_DELAY={delay:g} (with jitter {jitter:g}) goes under {MIN_DELAY:g} s between requests")
    if str(overrides.get("ROBOTSTXT_OBEY", True)).lower() in ("false", "0", "no"):
        problems.append("ROBOTSTXT_OBEY=False ignores robots.txt")
    if _number(overrides.get("SHRINKSEARCH_CRAWL_DELAY_MAX"), CRAWL_DELAY_CAP) < CRAWL_DELAY_CAP:
        problems.append(f"SHRINKSEARCH_CRAWL_DELAY_MAX under {CRAWL_DELAY_CAP:g} s cuts robots.txt's Crawl-delay")
    if problems:
        raise UsageError(f"{urlsplit(url).hostname} is a real site: {'; '.join(problems)}. Politeness can only be "
                         "lowered for the local sample network (127.0.0.1)")


class PolitenessGuardMiddleware(RobotsCrawlDelayMiddleware):
    """Inside the crawl: real hosts get robots.txt and at least ``MIN_DELAY`` (or their
    Crawl-delay, read as ``RobotsCrawlDelayMiddleware`` reads it but capped at
    ``CRAWL_DELAY_CAP`` whatever ``SHRINKSEARCH_CRAWL_DELAY_MAX`` says) between requests."""

    def __init__(self, crawler: Crawler, user_agent: str, obey_robots: bool) -> None:
        super().__init__(crawler, CRAWL_DELAY_CAP, user_agent)
        self.obey_robots = obey_robots

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolitenessGuardMiddleware:
        settings = crawler.settings
        guard = cls(crawler, settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT"),
                    settings.getbool("ROBOTSTXT_OBEY"))
        crawler.signals.connect(guard.robots_parsed, signal=signals.robots_parsed)
        return guard

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        if is_loopback_host(host):
            return
        if not self.obey_robots:
            self.crawler.stats.inc_value("shrinksearch/politeness/refused")
            raise IgnoreRequest(f"{host} is a real site: robots.txt must be obeyed (ROBOTSTXT_OBEY)")
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:  # the host's first request: nothing to wait for
            return
        floor = max(MIN_DELAY, self.delays.get(host, 0.0))
        jitter = min(max(slot.jitter, 0.0), 0.5)
        if slot.delay * (1 - jitter) < floor:
            self.crawler.stats.inc_value("shrinksearch/politeness/delay_raised")
            slot.delay, slot.jitter = floor / (1 - jitter), jitter
