"""``DedupePipeline``: the same description of a record is written once per output.

A record seen again with the same content (a resumed crawl walking the blog again, an
archive page listing a post twice) is dropped; one that says something new about a post or
comment already written (its page after its feed entry) goes through, and the writer merges
the two when the crawl finishes (``crawlers.merge``). On a resumed crawl the records already
in the output's ``.part`` file count as seen.
"""

from __future__ import annotations

import hashlib
import json
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
    """What the record says, whenever it was crawled."""
    content = {name: value for name, value in record.items() if name != "crawled"}
    return hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode("utf-8")).hexdigest()


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
        key = key_of(dict(item))
        if key in self.seen:
            self.stats.inc_value("shrinksearch/dropped/duplicate")
            raise DropItem(f"duplicate {record_key(item)}")
        self.seen.add(key)
        return item
