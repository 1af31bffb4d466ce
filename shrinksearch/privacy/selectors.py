"""A ``forget`` request — an author (optionally on one blog), a blog, or a URL — resolved to
what it matches: plain keys for the Elasticsearch query (used once, never stored), salted
hashes for the tombstone, and a ``Matcher`` for the files under the data directory.

Authors are matched by their normalised key (``clean.authors.author_key``: every spelling of
one name) and, when commenters are pseudonymised, by their pseudonym's key too. A URL is a
post (forgetting it forgets its comments) or one comment (``#c<id>``, ``#comment-<id>`` or
``?replytocom=<id>``: the anchors the platforms use). A blog is its URL, its sources.yaml
name, or its name as indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from elasticsearch import Elasticsearch

from crawlers.urls import blog_root, canonical_url
from shrinksearch.clean.authors import ANONYMOUS_KEY, author_key
from shrinksearch.exceptions import CrawlError, UsageError
from shrinksearch.records import comment_doc_id, post_doc_id
from shrinksearch.settings import Settings

from .keys import PrivacyKeys
from .tombstones import Kind, Matcher, Tombstone, new_tombstone_id, now_utc

_COMMENT_ANCHOR = re.compile(r"^(?:comment-|c)(\w[\w-]*)$")


@dataclass
class Selection:
    """What one forget request covers, resolved."""

    kind: Kind
    author_keys: list[str] = field(default_factory=list)
    blog_urls: list[str] = field(default_factory=list)
    doc_id: str | None = None
    is_post: bool = False
    post_url: str | None = None
    """The post's canonical URL (a URL selection): to find its traces in cached pages; never stored."""
    comment_id: str | None = None

    def query(self) -> dict[str, Any]:
        """The Elasticsearch query of the documents this selection covers."""
        if self.kind == "url":
            assert self.doc_id is not None
            if not self.is_post:
                return {"ids": {"values": [self.doc_id]}}
            return {"bool": {"should": [{"ids": {"values": [self.doc_id]}}, {"term": {"post_id": self.doc_id}}],
                             "minimum_should_match": 1}}
        filters: list[dict[str, Any]] = [{"terms": {"blog_url": self.blog_urls}}] if self.blog_urls else []
        if self.kind == "author":
            filters.append({"terms": {"author_key": self.author_keys}})
        return {"bool": {"filter": filters}}

    def tombstone(self, keys: PrivacyKeys, command: str) -> Tombstone:
        """The tombstone of this selection: hashes only."""
        return Tombstone(
            id=new_tombstone_id(), created=now_utc(), kind=self.kind, command=command,
            authors=sorted({keys.hash("author", k) for k in self.author_keys}),
            blogs=sorted({keys.hash("blog", b) for b in self.blog_urls}),
            docs=[keys.hash("doc", self.doc_id)] if self.doc_id else [],
        )

    def matcher(self, keys: PrivacyKeys) -> Matcher:
        return Matcher.from_tombstones([self.tombstone(keys, "")], keys)


def select(keys: PrivacyKeys, *, author: str | None = None, blog: str | None = None, url: str | None = None,
           client: Elasticsearch | None = None, alias: str | None = None, settings: Settings | None = None) -> Selection:
    """Resolve exactly one of: ``author`` (with ``blog`` or not), ``blog``, ``url``."""
    if url and (author or blog):
        raise UsageError("--url forgets one post or comment; give it alone, without --author or --blog")
    if not (author or blog or url):
        raise UsageError("say what to forget: --author NAME_OR_KEY [--blog B], --blog B or --url URL")
    if url:
        return select_url(url)
    blogs = resolve_blog(blog, client, alias, settings) if blog else []
    if author is None:
        return Selection("blog", blog_urls=blogs)
    return Selection("author", author_keys=author_keys(author, keys), blog_urls=blogs)


def author_keys(name_or_key: str, keys: PrivacyKeys) -> list[str]:
    """The author's key and the key of their pseudonym (a pseudonym given is its own key)."""
    key = author_key(name_or_key)
    if not name_or_key.strip() or key == ANONYMOUS_KEY:
        raise UsageError(f"{name_or_key!r} is everybody without a name, not one person; "
                         "forget their comments one by one with --url")
    return sorted({key, author_key(keys.pseudonym(key))})


def select_url(url: str) -> Selection:
    """A post (with its comments) or one comment, by the URL a reader sees."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not an http(s) URL of a post or a comment")
    post_url = canonical_url(url)
    comment = _comment_id(parts.fragment, parts.query)
    if comment is None:
        return Selection("url", doc_id=post_doc_id(post_url), is_post=True, post_url=post_url)
    return Selection("url", doc_id=comment_doc_id(post_url, comment), post_url=post_url, comment_id=comment)


def _comment_id(fragment: str, query: str) -> str | None:
    match = _COMMENT_ANCHOR.match(fragment)
    if match:
        return match.group(1)
    reply_to = dict(parse_qsl(query)).get("replytocom")
    return reply_to if reply_to and reply_to.isdigit() else None


def resolve_blog(blog: str, client: Elasticsearch | None, alias: str | None, settings: Settings | None) -> list[str]:
    """A blog's root URL(s), from its URL, its sources.yaml name or its indexed name."""
    text = blog.strip()
    if urlsplit(text).scheme in ("http", "https"):
        return [blog_root(text)]
    if settings is not None:
        from crawlers.sources import find_source

        try:
            return [blog_root(find_source(text, settings.sources_file).url)]
        except (UsageError, CrawlError):
            pass
    found = _indexed_blog_urls(text, client, alias)
    if not found:
        raise UsageError(f"no blog {text!r} in sources.yaml or in the index; give the blog's URL instead")
    return found


def _indexed_blog_urls(name: str, client: Elasticsearch | None, alias: str | None) -> list[str]:
    if client is None or alias is None or not client.indices.exists(index=alias):
        return []
    resp = client.search(index=alias, size=0, query={"term": {"blog": {"value": name, "case_insensitive": True}}},
                         aggs={"urls": {"terms": {"field": "blog_url", "size": 100}}})
    return sorted(b["key"] for b in resp["aggregations"]["urls"]["buckets"])
