"""WordPress feeds: the posts feed's entries and the comment feeds' items.

WordPress serves RSS 2.0 feeds: ``/feed/`` (the 10 newest posts a page, ``?paged=N`` for
older ones; ``slash:comments`` counts, ``wfw:commentRss`` links a post's comment feed),
``/comments/feed/`` (every comment of the blog, newest first) and ``<post>/feed/`` (the 10
newest comments of one post). A comment item names its comment in the guid
(``…?p=6818#comment-12415``) and its post in the link (``<post>/#comment-12415``, or
``<post>/comment-page-2/#comment-…`` on a paginated thread). Feeds carry no thread links: a
reply's text starts with a paragraph "In reply to <a href="…#comment-11736">Name</a>." in the
blog's language ("Als Antwort auf", "En réponse à", …) — its link names the parent, and the
paragraph is not part of what the commenter wrote.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from crawlers.markup.comments import comment
from crawlers.markup.feeds import feed_entries
from crawlers.markup.wordpress import strip_comment_page

_COMMENT_ID = re.compile(r"#comment-(\d+)\s*$")
_POST_ID = re.compile(r"[?&]p=(\d+)")
_REPLY_PREFIX = re.compile(
    r"^\s*<p>\s*[^<>]{2,60}?\s*<a\s[^>]*href=[\"'](?P<href>[^\"']*#comment-(?P<parent>\d+))[\"'][^>]*>[^<]*</a>\s*[.:]?\s*</p>\s*",
    re.IGNORECASE,
)
_REPLY_PREFIX_TEXT = re.compile(r"^\s*[^<>]{2,60}?\s*<a\s[^>]*href=[\"'][^\"']*#comment-(?P<parent>\d+)[\"'][^>]*>[^<]*</a>\s*\.\s*",
                                re.IGNORECASE)


def post_entries(body: bytes, feed_url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed's fields and its posts, with absolute URLs and the WordPress post id (from
    the guid ``?p=<id>``) as ``platform_id``."""
    meta, entries = feed_entries(body)
    for entry in entries:
        entry["url"] = urljoin(feed_url, entry["url"]) if entry.get("url") else None
        entry["comments_feed"] = urljoin(feed_url, entry["comments_feed"]) if entry.get("comments_feed") else None
        found = _POST_ID.search(entry.get("id") or "")
        entry["platform_id"] = found[1] if found else None
    return meta, entries


def feed_comments(body: bytes, feed_url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The comments of a comment feed (per post or blog-wide), newest first as served.

    Each is a ``comment(...)`` dict plus ``post_url`` (the post it is under) and
    ``post_id`` (the WordPress post id from the guid, when there)."""
    meta, entries = feed_entries(body)
    out = []
    for entry in entries:
        link = urljoin(feed_url, entry.get("url") or "")
        found = _COMMENT_ID.search(entry.get("id") or "") or _COMMENT_ID.search(link)
        html, parent = reply_parent(entry.get("html") or "")
        item = comment(found[1] if found else None, parent, entry.get("author"), None, entry.get("published"), html,
                       "instant" if entry.get("published") else None)
        post_id = _POST_ID.search(entry.get("id") or "")
        item.update(post_url=strip_comment_page(link) if link else None, post_id=post_id[1] if post_id else None)
        out.append(item)
    return meta, out


def reply_parent(html: str) -> tuple[str, str | None]:
    """A feed comment's text without its "In reply to <a …#comment-N>Name</a>." paragraph,
    and the parent id that paragraph names (None for a top-level comment)."""
    found = _REPLY_PREFIX.match(html) or _REPLY_PREFIX_TEXT.match(html)
    if not found:
        return html, None
    return html[found.end():].lstrip(), found["parent"]
