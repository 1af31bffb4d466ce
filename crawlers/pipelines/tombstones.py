"""``TombstonePipeline``: what ``shrinksearch forget`` forgot never comes back from a crawl.

Runs right after URL canonicalisation, before validation, so a forgotten record reaches
neither the output nor the rejects file (both hold content). Dropped records are counted
under ``shrinksearch/dropped/forgotten``; the log line names no one. The tombstones are read
once, when the crawl opens (``SHRINKSEARCH_PRIVACY_DIR``, set by the runner).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawlers.pipelines.records import RecordPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from shrinksearch.privacy.tombstones import Matcher


class TombstonePipeline(RecordPipeline):
    def __init__(self, stats: StatsCollector, privacy_dir: Path | None) -> None:
        self.stats = stats
        self.privacy_dir = privacy_dir
        self.matcher: Matcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TombstonePipeline:
        folder = crawler.settings.get("SHRINKSEARCH_PRIVACY_DIR")
        return cls(crawler.stats, Path(folder) if folder else None)

    def open_spider(self) -> None:
        from shrinksearch.settings import get_settings, privacy_path

        folder = self.privacy_dir or privacy_path(get_settings())
        if not (folder / "tombstones.json").exists():  # nothing forgotten: no need to import the matcher
            return
        from shrinksearch.privacy.tombstones import TombstoneStore

        self.matcher = TombstoneStore(folder).matcher()

    def process_record(self, item: Any) -> Any:
        if self.matcher is not None and self.matcher.matches_object(dict(item)):
            self.stats.inc_value("shrinksearch/dropped/forgotten")
            raise DropItem("forgotten (a tombstone of `shrinksearch forget`)")
        return item
