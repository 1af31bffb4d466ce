"""Shared parsing: dates, feeds (RSS/Atom through feedparser) and comment markups.

Pure functions over text or a parsel ``Selector``; the spiders call them and the parsing
tests exercise them on recorded pages. A comment is returned as a plain dict with ``id``,
``parent_id``, ``author``, ``author_url``, ``published`` and ``html``; the spider turns it
into a ``Comment`` item.
"""

from __future__ import annotations

import email.utils
import hashlib
import html as htmllib
import re
import xml.sax
from datetime import datetime, timezone
from typing import Any

from parsel import Selector
from pydantic import TypeAdapter

from shrinksearch.records import UtcDatetime

_utc = TypeAdapter(UtcDatetime)
_SHOW_COMMENT = re.compile(r"[?&]showComment=(\d{10,13})")
_TAGS = re.compile(r"<[^>]+>")


# --- dates ------------------------------------------------------------------------------


def iso_utc(value: Any) -> str | None:
    """ISO 8601 UTC (``...Z``) for a datetime, an ISO / RFC 822 string or a human date."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else _parse_date_text(str(value).strip())
    return _utc.dump_python(_utc.validate_python(parsed), mode="json") if parsed else None


def _parse_date_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    # imported here, as feedparser below: feeds and APIs give ISO dates, and every crawl's
    # process pays for what its modules import (an incremental crawl is mostly start-up)
    import dateparser  # type: ignore[import-untyped]

    return dateparser.parse(
        text.replace(" at ", " "),
        languages=["en"],
        settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DAY_OF_MONTH": "first"},
    )


def epoch_ms_utc(value: str) -> str | None:
    """ISO UTC for Blogger's ``showComment=<epoch milliseconds>``."""
    number = int(value)
    seconds = number / 1000 if number > 10**11 else number
    return iso_utc(datetime.fromtimestamp(seconds, tz=timezone.utc))


# --- text -------------------------------------------------------------------------------


def plain(html: str | None) -> str:
    """Text of an HTML fragment (entities decoded, tags dropped, spaces collapsed)."""
    return " ".join(htmllib.unescape(_TAGS.sub(" ", html or "")).split())


def stable_id(*parts: str | None) -> str:
    """A stable comment id for platforms without one: a hash of what identifies it."""
    return "h" + hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:16]


def inner_html(sel: Selector | None) -> str:
    """The inner HTML of an element (its children serialised), stripped."""
    if sel is None:
        return ""
    return "".join(sel.xpath("node()").getall()).strip()


def first(sel: Any, *queries: str) -> str | None:
    """The first non-empty, stripped result of several CSS queries on a selector, a
    selector list or a response."""
    for query in queries:
        for value in sel.css(query).getall():
            if value and value.strip():
                return " ".join(value.split())
    return None


# --- feeds (RSS 2.0 and Atom, Blogger's and WordPress's included) -----------------------


def feed_entries(body: bytes | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed's own fields and its entries, normalised; ``([], [])``-ish when not a feed.

    ``meta["problem"]`` says why the body is no good feed ("broken XML: ...", "not a feed"),
    or is None; feedparser still returns what it could read of a broken one."""
    import feedparser

    parsed = feedparser.parse(body)
    feed = parsed.feed
    meta = {"title": feed.get("title"), "updated": iso_utc(feed["updated"] if "updated" in feed.keys() else None),
            "problem": _feed_problem(parsed)}
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
        "updated": iso_utc(entry["updated"] if "updated" in entry.keys() else None),
        "labels": [t["term"] for t in entry.get("tags", []) if t.get("term")],
        "html": content[0].get("value") or entry.get("summary") or "",
        "comment_count": int(count) if str(count or "").isdigit() else None,
        "related": related,
        "comments_feed": entry.get("wfw_commentrss"),
    }


# --- comment markups --------------------------------------------------------------------


def _comment(id_: str | None, parent: str | None, author: str | None, author_url: str | None,
             published: str | None, html: str) -> dict[str, Any]:
    return {"id": id_, "parent_id": parent or None, "author": author, "author_url": author_url,
            "published": published, "html": html}


def blogger_threaded_comments(sel: Selector) -> list[dict[str, Any]]:
    """Blogger's threaded layout: ``div.comment-thread`` > ``ol`` > ``li.comment``, replies in
    ``div.comment-replies``; also its non-threaded variant (``li.comment`` without replies)."""
    out = []
    for li in sel.css("div.comments li.comment, div.comment-thread li.comment"):
        cid = (li.attrib.get("id") or "").removeprefix("c") or None
        parents = li.xpath("ancestor::li[contains(concat(' ', normalize-space(@class), ' '), ' comment ')][1]/@id").get()
        block = li.xpath("./div[contains(@class,'comment-block')]") or li
        stamp = block.css(".datetime a, .comment-timestamp a")
        href = stamp.attrib.get("href", "") if stamp else ""
        shown = _SHOW_COMMENT.search(href)
        # showComment=<epoch ms> is the exact instant; the display time is local, zone unknown
        when = epoch_ms_utc(shown[1]) if shown else iso_utc(first(block, ".datetime a::text", ".datetime::text"))
        body = block.css(".comment-content")
        out.append(_comment(
            cid, parents.removeprefix("c") if parents else None,
            first(block, "cite.user a::text", "cite.user::text", ".comment-header .user::text"),
            block.css("cite.user a::attr(href)").get(),
            when, inner_html(body[0]) if body else "",
        ))
    return _dedupe_by_id(out)


def blogger_classic_comments(sel: Selector) -> list[dict[str, Any]]:
    """Blogger's classic layout: ``dl#comments-block`` with ``dt.comment-author`` /
    ``dd.comment-body`` / ``dd.comment-footer`` triples (no threading in the markup)."""
    out = []
    for dt in sel.css("dl#comments-block > dt.comment-author, dl.comments-block > dt.comment-author"):
        cid = (dt.attrib.get("id") or dt.css("a[name]::attr(name)").get() or "").removeprefix("c") or None
        body = dt.xpath("following-sibling::dd[contains(@class,'comment-body')][1]")
        footer = dt.xpath("following-sibling::dd[contains(@class,'comment-footer')][1]")
        author = first(dt, "a[href]:not([name])::text") or _said(" ".join(dt.xpath("text()").getall()))
        href = footer.css(".comment-timestamp a::attr(href)").get() or ""
        shown = _SHOW_COMMENT.search(href)
        when = epoch_ms_utc(shown[1]) if shown else iso_utc(first(footer, ".comment-timestamp a::text"))
        out.append(_comment(
            cid, None, author, dt.css("a[href]:not([name])::attr(href)").get(), when,
            inner_html(body[0]) if body else "",
        ))
    return _dedupe_by_id(out)


def _said(text: str) -> str | None:
    name = re.sub(r"\s*said\.*\s*$", "", " ".join(text.split()))
    return name or None


def wordpress_comments(sel: Selector) -> list[dict[str, Any]]:
    """WordPress themes (``wp_list_comments``): ``ol.comment-list`` > ``li.comment#comment-<id>``
    with nested ``ol.children``."""
    out = []
    for li in sel.css("ol.comment-list li.comment, ol.commentlist li.comment"):
        cid = (li.attrib.get("id") or "").removeprefix("li-").removeprefix("comment-") or None
        parent = li.xpath("ancestor::li[contains(concat(' ', normalize-space(@class), ' '), ' comment ')][1]/@id").get()
        body = li.xpath("./article | ./div[contains(@class,'comment-body')]") or li
        author = body.css(".comment-author .fn")
        content = body.css(".comment-content") or body.xpath("./p/..")
        out.append(_comment(
            cid, parent.removeprefix("li-").removeprefix("comment-") if parent else None,
            first(author, "a::text", "::text") if author else None,
            author.css("a::attr(href)").get() if author else None,
            iso_utc(first(body, ".comment-metadata time::attr(datetime)", "time::attr(datetime)",
                          ".comment-metadata a::text")),
            inner_html(content[0]) if content else "",
        ))
    return _dedupe_by_id(out)


_COMMENT_ARTICLE = "ancestor::article[contains(concat(' ', normalize-space(@class), ' '), ' comment ')][1]"


def _own(article: Selector, css: str) -> list[Selector]:
    """Matches of ``css`` inside a comment but not inside the replies nested in it."""
    return [m for m in article.css(css) if m.xpath(_COMMENT_ARTICLE)[0].root is article.root]


def generic_comments(sel: Selector) -> list[dict[str, Any]]:
    """Schema.org-ish static markup: ``article.comment[data-comment-id]`` with
    ``data-parent-id`` (or nested replies), ``.comment-author``, ``time``, ``.comment-content``."""
    out = []
    for art in sel.css("#comments article.comment, .comments article.comment, article.comment[data-comment-id]"):
        parent = (art.attrib.get("data-parent-id") or "").strip()
        if not parent:
            outer = art.xpath(_COMMENT_ARTICLE)
            parent = (outer[0].attrib.get("data-comment-id") or outer[0].attrib.get("id") or "") if outer else ""
        content = _own(art, ".comment-content, .comment-body")
        author = _own(art, ".comment-author")
        times = _own(art, "time")
        out.append(_comment(
            art.attrib.get("data-comment-id") or art.attrib.get("id"),
            None if parent in ("", "0") else parent,
            first(author[0], "a::text", "::text", "[itemprop=name]::text") if author else None,
            (author[0].attrib.get("href") or author[0].css("a::attr(href)").get()) if author else None,
            iso_utc(times[0].attrib.get("datetime") or first(times[0], "::text")) if times else None,
            inner_html(content[0]) if content else "",
        ))
    return _dedupe_by_id(out)


COMMENT_MARKUPS = (blogger_threaded_comments, blogger_classic_comments, wordpress_comments, generic_comments)


def extract_comments(sel: Selector) -> list[dict[str, Any]]:
    """Comments in the first known markup the page uses (document order)."""
    for parser in COMMENT_MARKUPS:
        found = parser(sel)
        if found:
            return found
    return []


def _dedupe_by_id(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for c in comments:
        if c["id"] is None:
            c["id"] = stable_id(c["author"], c["published"], plain(c["html"]))
        if c["id"] not in seen:
            seen.add(c["id"])
            out.append(c)
    return out


# --- threads ----------------------------------------------------------------------------


def thread_order(comments: list[dict[str, Any]], by_date: bool) -> list[dict[str, Any]]:
    """Comments in thread order: depth first, siblings by date (feeds) or as given (pages).

    A reply whose parent is unknown is treated as top level, so nothing is lost.
    """
    ids = {c["id"] for c in comments}
    children: dict[str | None, list[tuple[int, dict[str, Any]]]] = {}
    for index, c in enumerate(comments):
        parent = c.get("parent_id") if c.get("parent_id") in ids else None
        children.setdefault(parent, []).append((index, c))

    def key(pair: tuple[int, dict[str, Any]]) -> tuple[str, int]:
        return ((pair[1].get("published") or "") if by_date else "", pair[0])

    ordered: list[dict[str, Any]] = []
    placed: set[int] = set()
    stack = sorted(children.get(None, []), key=key, reverse=True)
    while stack:
        index, c = stack.pop()
        if index in placed:
            continue
        placed.add(index)
        ordered.append(c)
        stack.extend(sorted(children.get(c["id"], []), key=key, reverse=True))
    # members of a parent cycle are unreachable from the top: keep them, in given order
    return ordered + [c for i, c in enumerate(comments) if i not in placed]
