"""``FieldStatsPipeline``: a data-quality summary, ``shrinksearch/field/<name>/missing``.

Missing optional fields are counted, not fatal: the crawl ends with how many posts lacked
an author or a date, so a broken parser shows up in the numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawlers.pipelines.records import RecordPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

WATCHED = {
    "post": ("title", "author", "published", "updated", "labels", "html", "comment_count", "platform_id"),
    "comment": ("author", "published", "html", "post_title"),
}


def missing_fields(item: Any) -> list[str]:
    """Watched fields of ``item`` that are empty (None, '' or [])."""
    return [name for name in WATCHED.get(item.get("type"), ()) if item.get(name) in (None, "", [])]


class FieldStatsPipeline(RecordPipeline):
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldStatsPipeline:
        return cls(crawler.stats)

    def process_record(self, item: Any) -> Any:
        for name in missing_fields(item):
            self.stats.inc_value(f"shrinksearch/field/{name}/missing")
        return item
