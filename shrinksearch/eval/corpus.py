"""The sample blog network as indexed Documents, without crawling it.

The evaluation needs the sample network in an index, and so do the search tests. The real
path is crawl → clean → enrich → index; this builds the same Documents straight from the
YAML (the raw records a crawl of ``shrinksearch samples serve`` at ``base_url`` yields:
post URLs laid out per platform, comments anchored and threaded as each platform serves
them) and runs them through the real ``clean_record`` and ``tag_document``.

It also resolves judgment references ("shrink-notes/3001", "shrink-notes/3001#900101") to
document ids *through the index*, by URL path and comment anchor, so judgments hold for an
index built by a real crawl on any host and port.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from elasticsearch import Elasticsearch, helpers

from shrinksearch.clean import RejectedRecord, clean_record
from shrinksearch.enrich import Taxonomy, tag_document
from shrinksearch.records import Document, RawComment, RawPost
from shrinksearch.samples.network import Blog, Network, Post

CRAWLED = datetime(2024, 1, 1, tzinfo=timezone.utc)  # fixed: the corpus is reproducible


def sample_documents(network: Network, base_url: str, taxonomy: Taxonomy | None) -> list[Document]:
    """Every post and comment of the network, cleaned and (with a taxonomy) tagged."""
    docs: list[Document] = []
    for blog in network.blogs.values():
        for post in blog.posts:
            for raw, post_author in _raw_records(blog, post, base_url.rstrip("/")):
                try:
                    doc = clean_record(raw, post_author=post_author)
                except RejectedRecord:
                    continue  # the samples hold a few deliberately unusable comments
                docs.append(tag_document(doc, taxonomy) if taxonomy is not None else doc)
    return docs


def _raw_records(blog: Blog, post: Post, base: str) -> Iterator[tuple[RawPost | RawComment, str | None]]:
    author = blog.author(post.author).name
    url = base + blog.post_path(post)
    common: dict[str, Any] = {"blog_name": blog.name, "blog_url": f"{base}/{blog.slug}/", "platform": blog.platform, "crawled": CRAWLED}
    yield RawPost(**common, url=url, platform_id=post.id, title=post.title, author=author,
                  published=post.published, updated=post.updated, labels=post.labels, html=post.body,
                  comment_count=post.comment_count()), None
    for position, (comment, _parent) in enumerate(post.walk()):
        yield RawComment(**common, id=comment.id, post_url=url, post_title=post.title,
                         parent_id=blog.served_parent(post, comment), author=comment.author,
                         author_url=comment.author_url, published=comment.published, html=comment.body,
                         position=position), author


# --- references to sample content -> document ids ---------------------------------------------


def reference_key(network: Network, ref: str) -> tuple[str, str]:
    """("/<slug>/…post path", "comment id" or "") for "blog/post" or "blog/post#comment"."""
    where, _, comment_id = ref.partition("#")
    slug, _, post_id = where.partition("/")
    blog = network.blog(slug)
    post = blog.post(post_id)
    if post is None:
        raise KeyError(f"sample blog {slug!r} has no post {post_id!r} (in {ref!r})")
    if comment_id and not any(c.id == comment_id for c, _ in post.walk()):
        raise KeyError(f"post {ref.partition('#')[0]!r} has no comment {comment_id!r}")
    return blog.post_path(post), comment_id


def index_url_keys(client: Elasticsearch, alias: str) -> dict[tuple[str, str], str]:
    """(URL path, comment id or "") -> document id, for every document behind ``alias``."""
    keys: dict[tuple[str, str], str] = {}
    hits = helpers.scan(client, index=alias, query={"_source": ["url", "kind"]}, size=1000)
    for hit in hits:
        parts = urlsplit(hit["_source"]["url"])
        comment_id = comment_id_from_anchor(parts.fragment) if hit["_source"]["kind"] == "comment" else ""
        keys[(parts.path, comment_id)] = hit["_id"]
    return keys


def comment_id_from_anchor(fragment: str) -> str:
    # Blogger anchors comments as #c<id>, WordPress and static blogs as #comment-<id>.
    for prefix in ("comment-", "c"):
        if fragment.startswith(prefix) and fragment[len(prefix):].isdigit():
            return fragment[len(prefix):]
    return fragment
