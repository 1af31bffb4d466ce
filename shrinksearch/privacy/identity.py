"""Who and what a piece of stored data is about: its blog, its author, its document ids.

Every file the pipeline writes holds one of a few kinds of JSON lines: raw crawl records
(``{"type": "post" | "comment", ...}``), cleaned or enriched documents (``{"kind": ...}``),
rejects wrapping either (``{"reason", "record": {...}}`` from the crawler, ``{"stage",
"record": "<the raw line, cut at 2000 characters>"}`` from the flows) and upstream deletions
(``{"deleted": "post" | "comment", ...}``). ``identify`` reads any of them, including a cut-off
line, into one ``Identity``; the matchers decide on that.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shrinksearch.clean.authors import author_key
from shrinksearch.records import comment_doc_id, post_doc_id

_FRAGMENT_ID = re.compile(r"^(?:comment-|c)(.+)$")
_JSON_STRING_FIELD = r'[{{,]\s*"{name}"\s*:\s*"((?:[^"\\]|\\.)*)"'
_LOOSE_FIELDS = ("type", "kind", "deleted", "id", "url", "post_url", "post_id", "blog_url", "author", "author_key")
_LOOSE = {name: re.compile(_JSON_STRING_FIELD.format(name=name)) for name in _LOOSE_FIELDS}


@dataclass(frozen=True)
class Identity:
    """What one record or document is: where, by whom, and its document ids."""

    blog_url: str | None = None
    author: str | None = None
    """The name as written (a raw record's, or a document's display name)."""
    author_key: str | None = None
    doc_id: str | None = None
    post_doc_id: str | None = None
    post_url: str | None = None
    comment_id: str | None = None

    @property
    def is_comment(self) -> bool:
        return self.comment_id is not None


def identify(obj: Any) -> Identity | None:
    """The identity of a decoded JSON line (any of the kinds above), or ``None``."""
    if not isinstance(obj, dict):
        return None
    if "record" in obj and "type" not in obj and "kind" not in obj:
        record = obj["record"]
        return identify(record) if isinstance(record, dict) else identify_text(record) if isinstance(record, str) else None
    if obj.get("type") in ("post", "comment"):
        return _raw(obj)
    if obj.get("kind") in ("post", "comment"):
        return _document(obj)
    if obj.get("deleted") in ("post", "comment"):
        return _deletion(obj)
    return None


def identify_text(line: str) -> Identity | None:
    """The identity of a JSON line that may be cut off (a reject keeps 2000 characters)."""
    try:
        return identify(json.loads(line))
    except ValueError:
        pass
    fields = {name: _unescape(m.group(1)) for name, pattern in _LOOSE.items() if (m := pattern.search(line))}
    return identify(fields) if fields else None


def _unescape(value: str) -> str:
    try:
        return str(json.loads(f'"{value}"'))
    except ValueError:
        return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@lru_cache(maxsize=65536)
def _key_of(author: str | None) -> str:
    """``author_key``, remembered: a corpus repeats its few thousand names over and over."""
    return author_key(author)


def _raw(obj: dict[str, Any]) -> Identity:
    author = _text(obj.get("author"))
    key = _key_of(author)
    if obj["type"] == "post":
        url = _text(obj.get("url"))
        doc = post_doc_id(url) if url else None
        return Identity(_text(obj.get("blog_url")), author, key, doc, doc, url)
    post_url, comment = _text(obj.get("post_url")), obj.get("id")
    comment_id = str(comment) if comment not in (None, "") else None
    post_doc = post_doc_id(post_url) if post_url else None
    doc = comment_doc_id(post_url, comment_id) if post_url and comment_id else None
    return Identity(_text(obj.get("blog_url")), author, key, doc, post_doc, post_url, comment_id)


def _document(obj: dict[str, Any]) -> Identity:
    url = _text(obj.get("url")) or ""
    post_url, _, fragment = url.partition("#")
    comment_id = None
    if obj["kind"] == "comment":
        match = _FRAGMENT_ID.match(fragment)
        comment_id = match.group(1) if match else None
    return Identity(_text(obj.get("blog_url")), _text(obj.get("author")), _text(obj.get("author_key")),
                    _text(obj.get("id")), _text(obj.get("post_id")), post_url or None, comment_id)


def _deletion(obj: dict[str, Any]) -> Identity:
    if obj["deleted"] == "post":
        url = _text(obj.get("url"))
        doc = post_doc_id(url) if url else None
        return Identity(_text(obj.get("blog_url")), doc_id=doc, post_doc_id=doc, post_url=url)
    post_url, comment_id = _text(obj.get("post_url")), _text(str(obj.get("id") or ""))
    doc = comment_doc_id(post_url, comment_id) if post_url and comment_id else None
    return Identity(_text(obj.get("blog_url")), doc_id=doc, post_doc_id=post_doc_id(post_url) if post_url else None,
                    post_url=post_url, comment_id=comment_id)
