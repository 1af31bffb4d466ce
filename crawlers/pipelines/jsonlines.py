"""``AtomicJsonLinesPipeline``: the crawl's output, one JSON record per line, never torn.

Records are appended to ``<output>.part`` beside the output, each line in a single
``os.write`` on an ``O_APPEND`` descriptor: a process killed at any moment (even SIGKILL)
leaves only whole lines, plus at worst one cut-off tail, which the next run of the same job
truncates. When the crawl finishes (any close reason but a ``shutdown`` pause) the records of
the part file are merged — one record per post and per comment, in a stable order
(``crawlers.merge``) — into a temporary file that replaces the output with ``os.replace``,
so the output only ever exists complete.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.items import records_of
from crawlers.merge import merge_records

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def part_path(output: Path) -> Path:
    """Where a crawl writing ``output`` appends its records until it finishes."""
    return output.with_name(output.name + ".part")


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The whole records of a JSON Lines file (a cut-off last line is skipped)."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for line in fh:
            if line.endswith(b"\n"):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def truncate_partial_tail(path: Path) -> int:
    """Cut a last line that has no newline (a write interrupted by a kill); bytes removed."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):
        with path.open("r+b") as fh:
            fh.truncate(keep)
    return len(data) - keep


class AtomicJsonLinesPipeline:
    def __init__(self, output: Path, stats: StatsCollector) -> None:
        self.output = output
        self.part = part_path(output)
        self.stats = stats
        self.fd: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AtomicJsonLinesPipeline:
        out = crawler.settings.get("SHRINKSEARCH_OUTPUT")
        if not out:
            raise NotConfigured("SHRINKSEARCH_OUTPUT is not set")
        pipeline = cls(Path(out), crawler.stats)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        cut = truncate_partial_tail(self.part)
        if cut:
            logger.warning("dropped a cut-off record (%d bytes) left by a killed crawl in %s", cut, self.part)
        self.fd = os.open(self.part, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def process_item(self, item: Any) -> Any:
        """Append the item's records, a batch's in one write (so all of them or none)."""
        lines = "".join(json.dumps(dict(record), ensure_ascii=False, default=str) + "\n" for record in records_of(item))
        assert self.fd is not None
        data = lines.encode("utf-8")
        while data:  # one write for a regular file; the loop only guards short writes
            data = data[os.write(self.fd, data):]
        return item

    def close_spider(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason == "shutdown":
            logger.info("crawl paused; records so far stay in %s until it is resumed", self.part)
            return
        self.part.touch()
        merged, folded = merge_records(read_records(self.part), getattr(spider, "blog_url", None))
        tmp = self.output.with_name(self.output.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in merged)
        os.replace(tmp, self.output)
        self.part.unlink()
        self.stats.set_value("shrinksearch/merged", folded)
        self.stats.set_value("shrinksearch/output", str(self.output))
