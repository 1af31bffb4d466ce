"""``DedupePipeline``: each post (by URL) and comment (by post URL + id) once per output.

On a resumed crawl the records already in the output's ``.part`` file count as seen, so a
crawl killed and resumed still writes every record exactly once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawlers.items import record_key
from crawlers.pipelines.jsonlines import part_path, read_records
from crawlers.pipelines.records import RecordPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def key_of(record: dict[str, Any]) -> str:
    if record.get("type") == "comment":
        return f"comment:{record.get('post_url')}#{record.get('id')}"
    return f"post:{record.get('url')}"


class DedupePipeline(RecordPipeline):
    def __init__(self, stats: StatsCollector, output: Path | None) -> None:
        self.stats = stats
        self.output = output
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        out = crawler.settings.get("SHRINKSEARCH_OUTPUT")
        return cls(crawler.stats, Path(out) if out else None)

    def open_spider(self) -> None:
        if self.output is not None:
            self.seen = {key_of(r) for r in read_records(part_path(self.output))}
            self.stats.set_value("shrinksearch/resumed_records", len(self.seen))

    def process_record(self, item: Any) -> Any:
        key = record_key(item)
        if key in self.seen:
            self.stats.inc_value("shrinksearch/dropped/duplicate")
            raise DropItem(f"duplicate {key}")
        self.seen.add(key)
        return item
