"""The items the spiders yield: the contract with the core package.

``Post`` and ``Comment`` declare exactly the fields of ``shrinksearch.records.RawPost`` and
``RawComment`` (a test checks it); ``ValidateRecordPipeline`` validates each against them.
Spiders hand them to the pipelines a response at a time, in a ``RecordBatch``.
"""

from __future__ import annotations

import scrapy


class Post(scrapy.Item):
    """One blog post, as ``RawPost``."""

    type = scrapy.Field()
    blog_name = scrapy.Field()
    blog_url = scrapy.Field()
    platform = scrapy.Field()
    source = scrapy.Field()
    crawled = scrapy.Field()
    url = scrapy.Field()
    platform_id = scrapy.Field()
    title = scrapy.Field()
    author = scrapy.Field()
    author_shown = scrapy.Field()
    author_url = scrapy.Field()
    published = scrapy.Field()
    published_basis = scrapy.Field()
    updated = scrapy.Field()
    labels = scrapy.Field()
    html = scrapy.Field()
    comment_count = scrapy.Field()


class Comment(scrapy.Item):
    """One comment under a post, as ``RawComment``."""

    type = scrapy.Field()
    blog_name = scrapy.Field()
    blog_url = scrapy.Field()
    platform = scrapy.Field()
    source = scrapy.Field()
    crawled = scrapy.Field()
    id = scrapy.Field()
    post_url = scrapy.Field()
    post_title = scrapy.Field()
    parent_id = scrapy.Field()
    author = scrapy.Field()
    author_shown = scrapy.Field()
    author_url = scrapy.Field()
    published = scrapy.Field()
    published_basis = scrapy.Field()
    html = scrapy.Field()
    position = scrapy.Field()


class RecordBatch(scrapy.Item):
    """The records one response gave (a feed page's posts, a whole comment thread), handed
    to the pipelines as one item. Scrapy's machinery per item (a task, the spider-middleware
    chain, the pipeline chain, the ``item_scraped`` signal) cost as much as parsing and
    writing the records; a comment feed page is a thread of ~6 of them. Spider callbacks
    batch their records with ``crawlers.spiders.base.batch_records``."""

    url = scrapy.Field()
    records = scrapy.Field()


def records_of(item: Post | Comment | RecordBatch) -> list[Post | Comment]:
    """The records an item carries: a batch's, or the item itself."""
    return list(item["records"]) if isinstance(item, RecordBatch) else [item]


def record_key(item: Post | Comment) -> str:
    """The identity of a record: a post by its URL, a comment by its post URL and id."""
    if isinstance(item, Comment):
        return f"comment:{item['post_url']}#{item['id']}"
    return f"post:{item['url']}"
