"""Structured data embedded in pages: schema.org JSON-LD and microdata, microformats2.

Many blog engines and themes describe a post for search engines — ``BlogPosting`` /
``Article`` with ``headline``, ``author.name``, ``datePublished``, sometimes its comments
(``comment`` arrays of ``Comment`` or the older ``UserComments``) — as JSON-LD or microdata;
IndieWeb blogs mark posts up as microformats (``h-entry`` with ``h-cite`` /
``p-comment`` replies and ``u-in-reply-to``). ``extruct`` (with ``mf2py``) parses all three;
this module turns what it finds into the post fields and the comment dicts the spiders use.

``extruct`` imports rdflib and mf2py (about half a second): it is imported only for a page
whose markup holds something we read (cheap checks on the parsed page first).
"""

from __future__ import annotations

import html as htmllib
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag

from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import shown_date
from crawlers.markup.text import stable_id

POST_TYPES = re.compile(r"^(?:Blog|Social|DiscussionForum|LiveBlog)?Posting$|Article$")
"""schema.org types of a post: ``BlogPosting``, ``Article``, ``NewsArticle``, ``TechArticle`` …"""
COMMENT_TYPES = frozenset({"Comment", "UserComments", "Answer"})
_LD_COMMENT = re.compile(r'"@type"\s*:\s*\[?\s*"(?:Comment|UserComments)"|"comment"\s*:\s*[\[{]')
_COMMENT_ID = re.compile(r"^(?:li-|div-)?(?:comment|c)[-_]?(?=\d)", re.IGNORECASE)


@dataclass
class Structured:
    """What a page's structured data says: its post(s) and comments."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


# --- what a page holds --------------------------------------------------------------------

_EXTRACTED: weakref.WeakKeyDictionary[Selector, dict[tuple[str | None, tuple[str, ...]], dict[str, Any] | None]] = (
    weakref.WeakKeyDictionary())
"""extruct's answer per page (kept as long as its selector lives) and base URL and syntaxes: a
generic post page is asked for its comments, then for its post, mostly with the same syntaxes
(JSON-LD alone), and parsing the page again is the slow part."""


def _extracted(sel: Selector, base_url: str | None, syntaxes: tuple[str, ...]) -> dict[str, Any] | None:
    """What extruct finds in the page (``None``: a document it cannot read)."""
    answers = _EXTRACTED.setdefault(sel, {})
    if (base_url, syntaxes) not in answers:
        import extruct  # type: ignore[import-untyped]  # lazily: see the module docstring

        try:
            found = extruct.extract(sel.get(), base_url=base_url, syntaxes=list(syntaxes), uniform=True, errors="ignore")
        except (ValueError, TypeError, AttributeError):  # extruct lets a broken document's errors through
            found = None
        answers[(base_url, syntaxes)] = found
    return answers[(base_url, syntaxes)]



def _has_class(token: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {token} ')]"


def _syntaxes(sel: Selector, for_comments: bool) -> list[str]:
    """The syntaxes worth parsing on this page (each check is a cheap XPath on the parsed page)."""
    wanted = []
    scripts = " ".join(sel.xpath('//script[@type="application/ld+json"]/text()').getall())
    if scripts and (not for_comments or _LD_COMMENT.search(scripts)):
        wanted.append("json-ld")
    kinds = "Comment" if for_comments else "Posting') or contains(@itemtype, 'Article') or contains(@itemtype, 'Comment"
    if sel.xpath(f"//*[@itemscope][contains(@itemtype, '{kinds}')]"):
        wanted.append("microdata")
    if sel.xpath(_has_class("h-cite") + " | " + _has_class("p-comment") if for_comments else _has_class("h-entry")):
        wanted.append("microformat")
    return wanted


def structured_data(sel: Selector, base_url: str | None = None, for_comments: bool = False) -> Structured:
    """The posts and comments that a page's JSON-LD, microdata and microformats describe."""
    syntaxes = _syntaxes(sel, for_comments)
    found = _extracted(sel, base_url or document_url(sel), tuple(syntaxes)) if syntaxes else None
    if found is None:
        return Structured()
    things = [thing for syntax in ("json-ld", "microdata") for thing in _schema_things(found.get(syntax) or [])]
    things += [_from_microformat(item) for item in found.get("microformat") or []]
    out = Structured()
    for thing in things:
        if _is(thing, POST_TYPES):
            out.posts.append(_post_fields(thing))
            out.comments += _comments_of(thing, None)
        elif _type_names(thing) & COMMENT_TYPES:
            out.comments += _comment_tree(thing, None)
    out.comments = dedupe_by_id(out.comments)
    return out


def document_url(sel: Selector) -> str | None:
    """The URL a parsed page was given (Scrapy passes the response's base URL to lxml)."""
    try:
        return sel.root.getroottree().docinfo.URL or None
    except AttributeError:
        return None


def structured_comments(sel: Selector) -> list[dict[str, Any]]:
    """Comments described as schema.org ``Comment``/``UserComments`` or microformats ``h-cite``
    (one of the ``COMMENT_MARKUPS``)."""
    return structured_data(sel, for_comments=True).comments


def page_post(data: Structured, url: str) -> dict[str, Any] | None:
    """The structured description of the post at ``url``: the one naming that URL, else the
    only one the page has (a listing describes several: none of them is the page)."""
    bare = urldefrag(url)[0].rstrip("/")
    for post in data.posts:
        if post.get("url") and urldefrag(post["url"])[0].rstrip("/") == bare:
            return post
    return data.posts[0] if len(data.posts) == 1 else None


# --- schema.org (JSON-LD and microdata in extruct's uniform shape) --------------------------


def _schema_things(items: list[Any]) -> Iterator[dict[str, Any]]:
    """Top-level nodes, ``@graph`` members included, with ``{"@id": …}`` references resolved."""
    nodes: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            graph = item.get("@graph")
            nodes += [n for n in graph if isinstance(n, dict)] if isinstance(graph, list) else [item]
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    for node in nodes:
        yield _resolve(node, by_id, depth=0)


def _resolve(value: Any, by_id: dict[str, dict[str, Any]], depth: int) -> Any:
    if depth > 6:
        return value
    if isinstance(value, list):
        return [_resolve(v, by_id, depth + 1) for v in value]
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in by_id:
            value = by_id[value["@id"]]
        return {k: (_resolve(v, by_id, depth + 1) if k != "@id" else v) for k, v in value.items()}
    return value


def _type_names(thing: dict[str, Any]) -> set[str]:
    kinds = thing.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return {str(n).rsplit("/", 1)[-1] for n in names if n}


def _is(thing: dict[str, Any], pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(name) for name in _type_names(thing))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("@value")
        value = _first(value)
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _person(value: Any) -> tuple[str | None, str | None]:
    """Name and URL of an ``author`` / ``creator`` (a string, a Person, a list of them)."""
    value = _first(value)
    if isinstance(value, dict):
        url = _first(value.get("url"))
        return _text(value.get("name") or value.get("value")), url if isinstance(url, str) else None
    return _text(value), None


def _date(*values: Any) -> tuple[str | None, Any]:
    for value in values:
        text = _text(value)
        if text:
            iso, basis = shown_date(text)
            if iso:
                return iso, basis
    return None, None


def _labels(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _text(item)
        out += [t.strip() for t in (text or "").split(",") if t.strip()]
    return out


def _post_fields(thing: dict[str, Any]) -> dict[str, Any]:
    author, author_url = _person(thing.get("author") or thing.get("creator"))
    published, basis = _date(thing.get("datePublished"), thing.get("dateCreated"))
    updated, _ = _date(thing.get("dateModified"))
    page = thing.get("mainEntityOfPage")
    url = _first(thing.get("url")) or (page.get("@id") if isinstance(page, dict) else page)
    count = _text(thing.get("commentCount"))
    body = thing.get("html") or _paragraph(_text(thing.get("articleBody")))
    return {"title": _text(thing.get("headline") or thing.get("name")), "author": author, "author_url": author_url,
            "published": published, "published_basis": basis, "updated": updated,
            "labels": _labels(thing.get("keywords")) + _labels(thing.get("articleSection")),
            "url": url if isinstance(url, str) else None, "html": body or "",
            "comment_count": int(count) if count and count.isdigit() else None}


def _comments_of(thing: dict[str, Any], parent: str | None) -> list[dict[str, Any]]:
    replies = thing.get("comment")
    out: list[dict[str, Any]] = []
    for reply in replies if isinstance(replies, list) else [replies]:
        if isinstance(reply, dict):
            out += _comment_tree(reply, parent)
    return out


def _comment_tree(thing: dict[str, Any], parent: str | None) -> list[dict[str, Any]]:
    """A comment and, depth first, the replies nested in it."""
    author, author_url = _person(thing.get("author") or thing.get("creator"))
    published, basis = _date(thing.get("datePublished"), thing.get("dateCreated"), thing.get("commentTime"),
                             thing.get("published"))
    body = thing.get("html") or _paragraph(_text(thing.get("text") or thing.get("commentText")))
    own = _comment_id(thing) or stable_id(author, published, body)
    reply_to = _comment_id({"url": thing.get("in-reply-to") or _parent_ref(thing)})
    found = comment(own, reply_to or parent, author, author_url, published, body or "", basis)
    return [found] + _comments_of(thing, own)


def _parent_ref(thing: dict[str, Any]) -> Any:
    parent = thing.get("parentItem")
    return parent.get("@id") or parent.get("url") if isinstance(parent, dict) else parent


def _comment_id(thing: dict[str, Any]) -> str | None:
    """The comment's own id from ``@id``/``url``/``identifier`` (``…#comment-12`` → ``12``)."""
    for value in (thing.get("@id"), thing.get("url"), thing.get("identifier"), thing.get("id")):
        text = _text(value)
        if not text:
            continue
        fragment = urldefrag(text)[1] if "#" in text else ("" if "/" in text else text)
        if fragment:
            return _COMMENT_ID.sub("", fragment)
    return None


def _paragraph(text: str | None) -> str:
    return f"<p>{htmllib.escape(text)}</p>" if text else ""


# --- microformats2 (extruct's uniform shape: properties at the top level, values in lists) ----


def _from_microformat(item: dict[str, Any], nested: bool = False) -> dict[str, Any]:
    """An ``h-entry``/``h-cite`` in schema.org terms, its ``comment`` replies (and reply
    children) included; ``nested``: a reply inside another entry."""
    kinds = set(item.get("@type") or [])
    content = _first(item.get("content"))
    replies = [r for r in (item.get("comment") or []) + (item.get("children") or [])
               if isinstance(r, dict) and {"h-cite", "h-entry"} & set(r.get("@type") or [])]
    thing: dict[str, Any] = {
        "@type": "BlogPosting" if "h-entry" in kinds and not nested and not item.get("in-reply-to") else "Comment",
        "headline": _first(item.get("name")), "author": [_mf_person(a) for a in item.get("author") or []],
        "datePublished": _first(item.get("published")), "dateModified": _first(item.get("updated")),
        "keywords": [c for c in item.get("category") or [] if isinstance(c, str)],
        "url": _first(item.get("url")), "id": item.get("id"),
        "html": content.get("html") if isinstance(content, dict) else _paragraph(_text(content)),
        "in-reply-to": _mf_reply_to(item), "comment": [_from_microformat(r, nested=True) for r in replies],
    }
    if thing["@type"] == "Comment" and "h-entry" in kinds:  # an h-entry reply carries no headline of its own
        thing["headline"] = None
    return thing


def _mf_person(value: Any) -> Any:
    if isinstance(value, dict):
        return {"name": _first(value.get("name")) or value.get("value"), "url": _first(value.get("url"))}
    return value


def _mf_reply_to(item: dict[str, Any]) -> str | None:
    target = _first(item.get("in-reply-to"))
    if isinstance(target, dict):
        target = _first(target.get("url")) or target.get("value")
    return target if isinstance(target, str) and "#" in target else None
