"""The comment record every markup parser returns, and thread order.

A comment is a plain dict with ``id``, ``parent_id``, ``author``, ``author_url``,
``published``, ``published_basis`` and ``html``; the spider turns it into a ``Comment`` item.
"""

from __future__ import annotations

from typing import Any

from crawlers.markup.dates import DateBasis
from crawlers.markup.text import plain, stable_id


def comment(id_: str | None, parent: str | None, author: str | None, author_url: str | None,
            published: str | None, html: str, basis: DateBasis | None = None) -> dict[str, Any]:
    """One comment as the parsers return it (``basis``: how exact ``published`` is)."""
    return {"id": id_, "parent_id": parent or None, "author": author, "author_url": author_url,
            "published": published, "published_basis": basis if published else None, "html": html}


def dedupe_by_id(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
