"""Shared parsing: dates, text, feeds and the comment markups of the platforms and themes.

Pure functions over text or a parsel ``Selector``; the spiders call them and the parsing
tests exercise them on recorded pages. One module per concern:

| module | what |
|---|---|
| ``dates`` | instants from feeds/APIs, dates shown on pages in their language (``DateBasis``) |
| ``text`` | plain text of HTML, inner HTML, first non-empty CSS match, stable ids |
| ``feeds`` | RSS/Atom entries through feedparser |
| ``comments`` | the comment dict every parser returns; thread order |
| ``blogger``, ``wordpress``, ``generic`` | comment markups, one module per platform family |
| ``blogger_feeds``, ``blogger_pages`` | Blogger's feeds in every shape; its post pages, counts, roots and links |
| ``structured`` | schema.org JSON-LD/microdata and microformats (posts and comments) |
| ``fallback`` | any other template: repeated blocks under a comments container |

``extract_comments`` tries every markup in ``COMMENT_MARKUPS`` and keeps the one whose comments
are most complete (words, a name, a date); a markup whose selectors matched another
template's elements (empty shells, text without any name or date) loses to the right one.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from crawlers.markup.blogger import blogger_classic_comments, blogger_threaded_comments
from crawlers.markup.comments import comment, dedupe_by_id, thread_order
from crawlers.markup.dates import DateBasis, epoch_ms_utc, iso_utc
from crawlers.markup.fallback import fallback_comments
from crawlers.markup.feeds import feed_entries
from crawlers.markup.generic import generic_comments
from crawlers.markup.structured import structured_comments
from crawlers.markup.text import first, inner_html, plain, stable_id
from crawlers.markup.wordpress import wordpress_comments

COMMENT_MARKUPS = (blogger_threaded_comments, blogger_classic_comments, wordpress_comments, generic_comments,
                   structured_comments, fallback_comments)


def extract_comments(sel: Selector) -> list[dict[str, Any]]:
    """Comments in the known markup that reads the page best (document order).

    Selectors written for one template also match parts of others (a WordPress theme's
    ``comment-author`` class on a SPIP forum): the markup whose comments are the most
    complete wins — most with words, a name and a date, then most with words and either —
    and on a tie the earlier one in ``COMMENT_MARKUPS`` (platforms before the fallbacks)."""
    best: list[dict[str, Any]] = []
    best_score = (0, 0, 0)
    for parser in COMMENT_MARKUPS:
        found = parser(sel)
        score = _completeness(found)
        if score > best_score:
            best, best_score = found, score
    return best


def _completeness(found: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(comments with words, name and date; with words and a name or a date; with words)."""
    worded = [c for c in found if plain(c["html"])]
    full = sum(1 for c in worded if c.get("author") and c.get("published"))
    partial = sum(1 for c in worded if c.get("author") or c.get("published"))
    return full, partial, len(worded)


__all__ = [
    "COMMENT_MARKUPS", "DateBasis", "comment", "dedupe_by_id", "epoch_ms_utc", "extract_comments", "feed_entries",
    "first", "inner_html", "iso_utc", "plain", "stable_id", "thread_order",
]
