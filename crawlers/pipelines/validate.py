"""``ValidateRecordPipeline``: every item must be a valid ``RawPost`` / ``RawComment``.

A valid item is normalised to the record's JSON form (ISO 8601 UTC dates, stripped
strings); an invalid one is dropped with the reason and counted under
``shrinksearch/dropped/invalid_<type>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from crawlers.items import Comment
from shrinksearch.records import RawComment, RawPost

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def validation_reason(err: ValidationError) -> str:
    """A one-line reason naming the fields at fault."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())


class ValidateRecordPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateRecordPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        model = RawComment if isinstance(item, Comment) else RawPost
        try:
            record = model.model_validate(dict(item))
        except ValidationError as err:
            self.stats.inc_value(f"shrinksearch/dropped/invalid_{model.model_fields['type'].default}")
            raise DropItem(f"invalid {model.__name__}: {validation_reason(err)}") from None
        for key, value in record.model_dump(mode="json").items():
            item[key] = value
        return item
