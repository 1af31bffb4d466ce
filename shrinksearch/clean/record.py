"""One raw crawled record (post or comment) to one clean ``Document``, or a rejection.

Everything here is pure: the flow reads raw JSON Lines, calls ``clean_record`` per record
and writes ``RejectedRecord.reason`` for those it set aside. Enrichment fields (themes,
embedding, versions) are left empty for ``shrinksearch.enrich``.
"""

from __future__ import annotations

from typing import Any

from shrinksearch.clean.authors import author_key, author_role, display_name
from shrinksearch.clean.dates import plausible
from shrinksearch.clean.errors import RejectedRecord
from shrinksearch.clean.html import html_to_text, sanitize_html
from shrinksearch.clean.lang import detect_language
from shrinksearch.clean.quotes import split_quoted, strip_signature
from shrinksearch.clean.text import looks_binary, repair_text
from shrinksearch.records import Document, RawComment, RawPost, comment_doc_id, post_doc_id

# Bounds on what one document may be: a blog post body is rarely over 100 kB of HTML;
# ten times more is a crawl of something else (an archive page, a data file).
MAX_HTML_CHARS = 2_000_000
MAX_TEXT_CHARS = 200_000

# How each platform anchors a comment inside its post page.
_COMMENT_FRAGMENT = {"blogger": "#c{id}", "wordpress": "#comment-{id}", "generic": "#comment-{id}"}


def clean_record(raw: RawPost | RawComment, *, post_author: str | None = None) -> Document:
    """The clean Document of a raw post or comment; raises RejectedRecord if unusable.

    A date the record cannot bear (before 1990, after the crawl) is left out, not kept.

    ``post_author`` is the name of the author of the post a comment is under; a comment
    whose author has the same key is by the blogger (``author_role="blogger"``).
    """
    _check_body(raw.html)
    if isinstance(raw, RawPost):
        return _clean_post(raw)
    return _clean_comment(raw, post_author)


def _check_body(html: str) -> None:
    if len(html) > MAX_HTML_CHARS:
        raise RejectedRecord(f"too large: {len(html)} characters of HTML (limit {MAX_HTML_CHARS})")
    if looks_binary(html):
        raise RejectedRecord("binary: the body is not text (control or undecodable characters)")


def _body_text(html: str, *, is_comment: bool) -> tuple[str, str]:
    """(own text, quoted text); rejects empty, oversized or garbled results."""
    text = html_to_text(html, mark_quotes=is_comment)
    own, quoted = split_quoted(text) if is_comment else (text, "")
    own = strip_signature(own)
    if not own:
        raise RejectedRecord("empty: no text of its own after cleaning" + (" (only quotes)" if quoted else ""))
    if len(own) > MAX_TEXT_CHARS:
        raise RejectedRecord(f"too large: {len(own)} characters of text (limit {MAX_TEXT_CHARS})")
    if looks_binary(own):
        raise RejectedRecord("binary: the text is mostly control or undecodable characters")
    return own, quoted


def _common_fields(raw: RawPost | RawComment, text: str) -> dict[str, Any]:
    published = plausible(raw.published, raw.crawled)
    return {
        "blog": raw.blog_name,
        "blog_url": raw.blog_url,
        "platform": raw.platform,
        "author": display_name(raw.author),
        "author_shown": raw.author_shown or None,
        "author_key": author_key(raw.author),
        "author_url": raw.author_url or None,
        "published": published,
        "published_basis": raw.published_basis if published else None,
        "crawled": raw.crawled,
        "text": text,
        "html": sanitize_html(raw.html),
        "lang": detect_language(text),
    }


def _clean_post(raw: RawPost) -> Document:
    text, _ = _body_text(raw.html, is_comment=False)
    doc_id = post_doc_id(raw.url)
    return Document(
        id=doc_id,
        kind="post",
        url=raw.url,
        title=repair_text(raw.title),
        author_role="blogger",
        post_id=doc_id,
        updated=plausible(raw.updated, raw.crawled),
        labels=[repair_text(label) for label in raw.labels if label.strip()],
        **_common_fields(raw, text),
    )


def comment_url(post_url: str, comment_id: str, platform: str) -> str:
    """The comment's address: its post's URL with the platform's comment anchor."""
    fragment = _COMMENT_FRAGMENT.get(platform, "#comment-{id}").format(id=comment_id)
    return post_url.split("#", 1)[0] + fragment


def _clean_comment(raw: RawComment, post_author: str | None) -> Document:
    text, quoted = _body_text(raw.html, is_comment=True)
    key = author_key(raw.author)
    post_author_key = author_key(post_author) if post_author is not None else None
    return Document(
        id=comment_doc_id(raw.post_url, raw.id),
        kind="comment",
        url=comment_url(raw.post_url, raw.id, raw.platform),
        title=repair_text(raw.post_title),
        author_role=author_role(key, post_author_key, is_post=False),
        post_id=post_doc_id(raw.post_url),
        parent_id=comment_doc_id(raw.post_url, raw.parent_id) if raw.parent_id else None,
        position=raw.position,
        quoted_text=quoted,
        **_common_fields(raw, text),
    )
