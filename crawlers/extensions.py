"""``CrawlReport``: live progress and the final summary of a crawl, written to a JSON file,
and (``SHRINKSEARCH_URL_LOG``) a log of every request sent and response received, timed.

The runner (parent process) polls the file to show progress and reads the summary at the
end. Item counts by type come from ``item_scraped`` (records that reached the output).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.items import records_of

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


def write_json_atomically(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)


class CrawlReport:
    """Progress every ``interval`` seconds and a final summary, both in the report file."""

    def __init__(self, crawler: Crawler, path: Path | None, url_log: Path | None, interval: float = 0.5):
        if path is None and url_log is None:
            raise NotConfigured
        self.crawler = crawler
        self.path = path
        self.url_log_path = url_log
        self.url_log: Any = None
        self.loop = task.LoopingCall(self.write_progress)
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        report, log = crawler.settings.get("SHRINKSEARCH_REPORT_FILE"), crawler.settings.get("SHRINKSEARCH_URL_LOG")
        ext = cls(crawler, Path(report) if report else None, Path(log) if log else None)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def snapshot(self, state: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        return {"state": state, "pid": os.getpid(), "stats": stats}

    def write_progress(self) -> None:
        if self.path:
            write_json_atomically(self.path, self.snapshot("running"))

    def spider_opened(self, spider: Spider) -> None:
        if self.url_log_path:
            self.url_log = self.url_log_path.open("a", encoding="utf-8")
        if self.path:
            self.loop.start(self.interval, now=True)

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        for record in records_of(item):
            self.crawler.stats.inc_value(f"shrinksearch/items/{record.get('type', 'unknown')}")

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        """Log each request handed to the downloader (robots.txt refusals never get this far)."""
        self._log("sent", request.url)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self._log(f"got-{response.status}", response.url)

    def _log(self, event: str, url: str) -> None:
        if self.url_log:
            self.url_log.write(f"{time.time():.3f} {event} {url}\n")
            self.url_log.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.url_log:
            self.url_log.close()
        if self.path:
            snap = self.snapshot("closed")
            snap["stats"]["finish_reason"] = reason
            write_json_atomically(self.path, snap)
