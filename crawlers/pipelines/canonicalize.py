"""``CanonicalizeUrlsPipeline``: one spelling per URL, so ids derived from URLs are stable."""

from __future__ import annotations

from typing import Any

from crawlers.pipelines.records import RecordPipeline
from crawlers.urls import blog_root, canonical_url


class CanonicalizeUrlsPipeline(RecordPipeline):
    """Canonicalise ``url``, ``post_url`` and ``blog_url`` of every record."""

    def process_record(self, item: Any) -> Any:
        for field in ("url", "post_url"):
            if item.get(field):
                item[field] = canonical_url(item[field])
        if item.get("blog_url"):
            item["blog_url"] = blog_root(item["blog_url"])
        if item.get("author_url"):
            item["author_url"] = item["author_url"].strip() or None
        return item
