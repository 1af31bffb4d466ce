"""Cleaning: raw crawled posts and comments to clean ``Document``s.

HTML to text with paragraph breaks, quoted text and signatures set apart from a commenter's
own words, Unicode repair, language detection, UTC dates, author names joined per person,
and near-duplicate detection. Pure functions (no I/O), so Prefect tasks and the CLI can
call them; ``RejectedRecord`` carries the reason a record was set aside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrinksearch.lazy import lazy_exports

if TYPE_CHECKING:
    from shrinksearch.clean.authors import ANONYMOUS, ANONYMOUS_KEY, author_key, author_role, display_name
    from shrinksearch.clean.dates import to_utc
    from shrinksearch.clean.dedupe import NearDuplicateIndex
    from shrinksearch.clean.errors import RejectedRecord
    from shrinksearch.clean.html import html_to_text, sanitize_html
    from shrinksearch.clean.lang import detect_language
    from shrinksearch.clean.quotes import split_quoted, strip_signature
    from shrinksearch.clean.record import MAX_HTML_CHARS, MAX_TEXT_CHARS, clean_record, comment_url
    from shrinksearch.clean.text import looks_binary, repair_text

# Imported on first use (shrinksearch/lazy.py): the near-duplicate index pulls in datasketch and scipy
# (~1 s), which a crawl checking tombstones (``shrinksearch.clean.authors``) never needs.
__getattr__ = lazy_exports(__name__, {
    "ANONYMOUS": "authors", "ANONYMOUS_KEY": "authors", "author_key": "authors", "author_role": "authors",
    "display_name": "authors", "to_utc": "dates", "NearDuplicateIndex": "dedupe", "RejectedRecord": "errors",
    "html_to_text": "html", "sanitize_html": "html", "detect_language": "lang", "split_quoted": "quotes",
    "strip_signature": "quotes", "MAX_HTML_CHARS": "record", "MAX_TEXT_CHARS": "record", "clean_record": "record",
    "comment_url": "record", "looks_binary": "text", "repair_text": "text",
})


__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_KEY",
    "MAX_HTML_CHARS",
    "MAX_TEXT_CHARS",
    "NearDuplicateIndex",
    "RejectedRecord",
    "author_key",
    "author_role",
    "clean_record",
    "comment_url",
    "detect_language",
    "display_name",
    "html_to_text",
    "looks_binary",
    "repair_text",
    "sanitize_html",
    "split_quoted",
    "strip_signature",
    "to_utc",
]
