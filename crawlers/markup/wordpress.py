"""WordPress comment markup (``wp_list_comments``) and its themes."""

from __future__ import annotations

from typing import Any

from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import iso_utc
from crawlers.markup.text import first, inner_html

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
        out.append(comment(
            cid, parent.removeprefix("li-").removeprefix("comment-") if parent else None,
            first(author, "a::text", "::text") if author else None,
            author.css("a::attr(href)").get() if author else None,
            iso_utc(first(body, ".comment-metadata time::attr(datetime)", "time::attr(datetime)",
                          ".comment-metadata a::text")),
            inner_html(content[0]) if content else "",
        ))
    return dedupe_by_id(out)


