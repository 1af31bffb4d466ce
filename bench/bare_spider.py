"""The crawl benchmark's baseline: a bare Scrapy spider that fetches a list of URLs and
parses nothing (no items, no pipelines, no project middlewares).

Run by ``bench_crawl`` as ``python -m scrapy runspider bench/bare_spider.py -a urls=FILE
-a stats=FILE -s ...`` in a child process, like the project's crawls, with the same fast
profile (no delays, same concurrency, robots.txt obeyed). Its Scrapy stats are written to
``stats`` when it closes.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str = "", stats: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url_file, self.stats_file = Path(urls), Path(stats)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.url_file.read_text(encoding="utf-8").split():
            yield scrapy.Request(url, callback=self.fetched, dont_filter=True)

    def fetched(self, response: Response) -> None:
        """Nothing: the body is downloaded, never parsed."""

    def closed(self, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats(), finish_reason=reason)
        # CoreStats sets elapsed_time_seconds after this callback; the same measure, taken here.
        stats["elapsed_time_seconds"] = (datetime.now(timezone.utc) - stats["start_time"]).total_seconds()
        self.stats_file.write_text(json.dumps(stats, default=str), encoding="utf-8")
