"""``RecordPipeline``: the base of the pipelines that work record by record.

Spiders yield a ``RecordBatch`` per response (``crawlers.items``); a pipeline built on this
base takes a batch or a single record alike. A record it drops (``DropItem``) leaves its
batch and is logged as Scrapy logs a dropped item; the rest of the batch goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

from crawlers.items import RecordBatch

logger = logging.getLogger(__name__)


class RecordPipeline:
    def process_record(self, record: Any) -> Any:
        """One ``Post`` or ``Comment``, returned (changed or not), or ``DropItem`` raised."""
        raise NotImplementedError

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RecordBatch):
            return self.process_record(item)
        kept = []
        for record in item["records"]:
            try:
                kept.append(self.process_record(record))
            except DropItem as dropped:
                logger.warning("Dropped: %s", dropped)
        item["records"] = kept
        return item
