"""Comment markup of other sites: schema.org-ish static markup."""

from __future__ import annotations

from typing import Any

from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import iso_utc
from crawlers.markup.text import first, inner_html

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
        out.append(comment(
            art.attrib.get("data-comment-id") or art.attrib.get("id"),
            None if parent in ("", "0") else parent,
            first(author[0], "a::text", "::text", "[itemprop=name]::text") if author else None,
            (author[0].attrib.get("href") or author[0].css("a::attr(href)").get()) if author else None,
            iso_utc(times[0].attrib.get("datetime") or first(times[0], "::text")) if times else None,
            inner_html(content[0]) if content else "",
        ))
    return dedupe_by_id(out)


