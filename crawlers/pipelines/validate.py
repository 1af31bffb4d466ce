"""``ValidateRecordPipeline``: every item must be a valid ``RawPost`` / ``RawComment``.

A valid item is normalised to the record's JSON form (ISO 8601 UTC dates, stripped
strings); an invalid one is dropped with the reason, counted under
``shrinksearch/dropped/invalid_<type>`` and set aside in ``<output>.rejects.jsonl``
(``{"reason": ..., "record": ...}``) for a human to look at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from crawlers.items import Comment
from crawlers.pipelines.records import RecordPipeline
from shrinksearch.records import RawComment, RawPost

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def validation_reason(err: ValidationError) -> str:
    """A one-line reason naming the fields at fault."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())


def rejects_path(output: Path) -> Path:
    """Where the records of a crawl writing ``output`` that failed validation are set aside."""
    return output.with_name(output.name.removesuffix(".jsonl") + ".rejects.jsonl")


class ValidateRecordPipeline(RecordPipeline):
    def __init__(self, stats: StatsCollector, rejects: Path | None = None) -> None:
        self.stats = stats
        self.rejects = rejects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateRecordPipeline:
        out = crawler.settings.get("SHRINKSEARCH_OUTPUT")
        return cls(crawler.stats, rejects_path(Path(out)) if out else None)

    def set_aside(self, item: Any, reason: str) -> None:
        if self.rejects is None:
            return
        self.rejects.parent.mkdir(parents=True, exist_ok=True)
        with self.rejects.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"reason": reason, "record": dict(item)}, ensure_ascii=False, default=str) + "\n")

    def process_record(self, item: Any) -> Any:
        model = RawComment if isinstance(item, Comment) else RawPost
        try:
            record = model.model_validate(dict(item))
        except ValidationError as err:
            reason = validation_reason(err)
            self.stats.inc_value(f"shrinksearch/dropped/invalid_{model.model_fields['type'].default}")
            self.set_aside(item, reason)
            raise DropItem(f"invalid {model.__name__}: {reason}") from None
        for key, value in record.model_dump(mode="json").items():
            item[key] = value
        return item
