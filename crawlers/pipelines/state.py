"""``IncrementalStatePipeline``: remember every written record in the spider's crawl state,
and save the state when the crawl finishes (not when it is paused or killed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

from crawlers.pipelines.records import RecordPipeline

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class IncrementalStatePipeline(RecordPipeline):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalStatePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_record(self, item: Any) -> Any:
        state = getattr(self.crawler.spider, "crawl_state", None)
        if state is None:
            return item
        if item["type"] == "post":
            state.remember_post(item["url"], item.get("updated"), item.get("published"))
        else:
            state.remember_comment(item["post_url"], item["id"])
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        state = getattr(spider, "crawl_state", None)
        if state is not None and reason != "shutdown":
            state.save()
