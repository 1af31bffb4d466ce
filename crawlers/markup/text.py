"""Text helpers over HTML fragments and parsel selectors."""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from typing import Any

from parsel import Selector

_TAGS = re.compile(r"<[^>]+>")

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

