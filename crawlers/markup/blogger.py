"""Blogger's comment markups: the threaded layout and the classic ``dl#comments-block``."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import epoch_ms_utc, iso_utc
from crawlers.markup.text import first, inner_html

_SHOW_COMMENT = re.compile(r"[?&]showComment=(\d{10,13})")

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
        out.append(comment(
            cid, parents.removeprefix("c") if parents else None,
            first(block, "cite.user a::text", "cite.user::text", ".comment-header .user::text"),
            block.css("cite.user a::attr(href)").get(),
            when, inner_html(body[0]) if body else "",
        ))
    return dedupe_by_id(out)


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
        out.append(comment(
            cid, None, author, dt.css("a[href]:not([name])::attr(href)").get(), when,
            inner_html(body[0]) if body else "",
        ))
    return dedupe_by_id(out)


def _said(text: str) -> str | None:
    name = re.sub(r"\s*said\.*\s*$", "", " ".join(text.split()))
    return name or None


