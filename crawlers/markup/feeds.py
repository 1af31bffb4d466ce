"""Feeds: RSS 2.0 and Atom (Blogger's and WordPress's included), read with feedparser."""

from __future__ import annotations

import xml.sax
from typing import Any

from crawlers.markup.dates import iso_utc
from crawlers.markup.text import plain

def feed_entries(body: bytes | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed's own fields and its entries, normalised; ``([], [])``-ish when not a feed.

    ``meta["problem"]`` says why the body is no good feed ("broken XML: ...", "not a feed"),
    or is None; feedparser still returns what it could read of a broken one."""
    import feedparser

    parsed = feedparser.parse(body)
    feed = parsed.feed
    links = feed.get("links") or []
    meta = {"title": feed.get("title"), "updated": iso_utc(feed["updated"] if "updated" in feed.keys() else None),
            "problem": _feed_problem(parsed),
            # where the feed says it lives and whose feed it is: a copy's feed names the original host
            "self": next((link.get("href") for link in links if link.get("rel") == "self"), None),
            "home": feed.get("link")}
    return meta, [_entry(e) for e in parsed.entries]


def _feed_problem(parsed: Any) -> str | None:
    error = parsed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXException):  # not mere encoding or content-type notes
        return f"broken XML: {error}"
    if not parsed.get("version"):
        return "not a feed"
    return None


def _entry(entry: Any) -> dict[str, Any]:
    links = entry.get("links", [])
    alternate = next((l["href"] for l in links if l.get("rel") == "alternate"), entry.get("link"))
    related = next((l["href"] for l in links if l.get("rel") == "related"), None)
    content = entry.get("content") or [{}]
    count = entry.get("thr_total") or entry.get("slash_comments")
    return {
        "id": entry.get("id"),
        "url": alternate,
        "title": plain(entry.get("title")),
        "author": entry.get("author_detail", {}).get("name") or entry.get("author"),
        "author_url": entry.get("author_detail", {}).get("href"),
        "published": iso_utc(entry.get("published")),
        "published_basis": "instant" if entry.get("published") else None,
        "updated": iso_utc(entry["updated"] if "updated" in entry.keys() else None),
        "labels": [t["term"] for t in entry.get("tags", []) if t.get("term")],
        "html": content[0].get("value") or entry.get("summary") or "",
        "comment_count": int(count) if str(count or "").isdigit() else None,
        "related": related,
        "comments_feed": entry.get("wfw_commentrss"),
    }

