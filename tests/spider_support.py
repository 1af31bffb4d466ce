"""What the spider unit tests share: splitting a callback's outputs by kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawlers.items import Comment, Post, RecordBatch


def split(outputs: Iterable[Any]) -> tuple[list[Post], list[Comment], list[Request]]:
    """A callback's posts, comments and requests. Its records must come in one
    ``RecordBatch`` (the pipelines' unit), never loose."""
    outputs = list(outputs)
    batches = [o for o in outputs if isinstance(o, RecordBatch)]
    assert len(batches) <= 1 and not [o for o in outputs if isinstance(o, (Post, Comment))], outputs
    records = batches[0]["records"] if batches else []
    return ([r for r in records if isinstance(r, Post)], [r for r in records if isinstance(r, Comment)],
            [o for o in outputs if isinstance(o, Request)])
