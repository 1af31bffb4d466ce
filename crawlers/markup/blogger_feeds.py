"""Blogger's feeds, read whole: Atom, RSS and the GData JSON (also ``alt=json-in-script``).

Blogger serves one feed in several shapes (``/feeds/posts/default``, ``?alt=rss``,
``?alt=json``; the Classic-era ``/atom.xml`` and ``/rss.xml``; FeedBurner copies), and each
carries what a general feed reader drops: the ``openSearch`` totals that say how many posts
or comments the blog declares and how to page through them, ``thr:total`` (a post's comment
count), ``link rel="related"`` (the comment a reply answers — ``thr:in-reply-to`` names the
post, not the parent), ``gd:extendedProperty`` ``blogger.contentRemoved`` (a comment whose
text was removed) and ``blogger.displayTime`` (the time as the blog shows it), and
``feedburner:origLink`` (the post's own URL behind a FeedBurner redirect).

``read_feed(body)`` gives a ``FeedPage`` whatever the shape; ``post_fields`` and
``comment_fields`` turn its entries into the fields of a post or a comment.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from crawlers.markup.dates import iso_utc
from crawlers.markup.text import plain

_POST_ID = re.compile(r"\.post-(\d+)$")
_PARENT = re.compile(r"/comments/default/(\d+)")
_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>.*)\)\s*$")
_JSONP = re.compile(r"^[^({]*\(\s*(?P<body>\{.*\})\s*\)\s*;?\s*$", re.DOTALL)
_KIND = "#kind"
_XHTML_NS = re.compile(r' xmlns(?::\w+)?="[^"]*"')
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)


@dataclass
class FeedPage:
    """One page of a Blogger feed, in whichever shape it came."""

    title: str | None = None
    home: str | None = None
    """The blog's home page as the feed names it (feed-level ``alternate`` link)."""
    total: int | None = None
    """``openSearch:totalResults``: how many entries the whole feed declares."""
    start: int | None = None
    per_page: int | None = None
    next_href: str | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)
    """Neutral entries (see ``_entry``), for ``post_fields`` / ``comment_fields``."""
    problem: str | None = None
    """Why the body is no usable feed (None when it is one)."""


def blogger_id(tag: str | None) -> str | None:
    """``tag:blogger.com,1999:blog-<blogId>.post-<id>`` → ``<id>``."""
    match = _POST_ID.search((tag or "").strip())
    return match[1] if match else None


def read_feed(body: bytes | str) -> FeedPage:
    """A Blogger feed page from its body (JSON, JSONP, Atom or RSS)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    head = raw[:300].lstrip().decode("utf-8", "replace")
    if head.startswith("{") or (not head.startswith("<") and "(" in head):
        return _read_json(raw.decode("utf-8", "replace"))
    if not head.startswith("<"):
        return FeedPage(problem="not a feed")
    root, problem = _xml_root(raw.lstrip())
    name = _local(root) if root is not None else None
    if name == "feed":
        page = _read_atom(root)
    elif name == "rss":
        page = _read_rss(root)
    else:
        return FeedPage(problem=problem or "not a feed")
    if problem and not page.entries:
        page.problem = problem
    return page


def _xml_root(raw: bytes) -> tuple[Any, str | None]:
    """The document element, read strictly, else as much as lxml can recover (and why)."""
    try:
        return etree.fromstring(raw, _STRICT), None
    except etree.XMLSyntaxError as err:
        try:
            return etree.fromstring(raw, _RECOVER), f"broken XML: {err}"
        except etree.XMLSyntaxError:
            return None, f"broken XML: {err}"


def _local(element: Any) -> str:
    """An element's name without its namespace (``thr:total`` → ``total``)."""
    tag = element.tag
    return _local_name(tag) if isinstance(tag, str) else ""


@functools.lru_cache(maxsize=256)
def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any) -> dict[str, list[Any]]:
    """Child elements by local name, in document order (one pass over the element)."""
    out: dict[str, list[Any]] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            out.setdefault(_local_name(tag), []).append(child)
    return out


def _text(kids: dict[str, list[Any]], *path: str) -> str | None:
    """The text of the first ``path[0]`` child (or of its ``path[1]`` child, and so on)."""
    found = kids.get(path[0])
    if not found:
        return None
    if len(path) > 1:
        return _text(_children(found[0]), *path[1:])
    return found[0].text


def _int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


# --- Atom -------------------------------------------------------------------------------


def _read_atom(feed: Any) -> FeedPage:
    kids = _children(feed)
    links = _links(kids)
    return FeedPage(
        title=plain(_text(kids, "title")), home=_rel(links, "alternate"),
        total=_int(_text(kids, "totalResults")), start=_int(_text(kids, "startIndex")),
        per_page=_int(_text(kids, "itemsPerPage")), next_href=_rel(links, "next"),
        entries=[_atom_entry(e) for e in kids.get("entry", [])],
    )


def _links(kids: dict[str, list[Any]]) -> list[dict[str, str]]:
    return [{k: link.get(k, "") for k in ("rel", "type", "href", "title")} for link in kids.get("link", [])]


def _atom_entry(entry: Any) -> dict[str, Any]:
    kids = _children(entry)
    reply_to = kids.get("in-reply-to")
    author = _children(kids["author"][0]) if "author" in kids else {}
    return _entry(
        tag=_text(kids, "id"), published=_text(kids, "published"), updated=_text(kids, "updated"),
        title=_atom_text(kids.get("title")), content=_atom_text(kids["content"]) if "content" in kids else None,
        summary=_atom_text(kids["summary"]) if "summary" in kids else None, links=_links(kids),
        author=_text(author, "name"), author_uri=_text(author, "uri"),
        categories=[(c.get("scheme", ""), c.get("term", "")) for c in kids.get("category", [])],
        total=_text(kids, "total"),
        reply_to=(reply_to[0].get("ref"), reply_to[0].get("href")) if reply_to else None,
        properties={p.get("name", ""): p.get("value", "") for p in kids.get("extendedProperty", [])},
        orig_link=_text(kids, "origLink"),
    )


def _atom_text(nodes: list[Any] | None) -> str:
    """An Atom text construct as HTML: escaped HTML or text as is, XHTML as its markup."""
    if not nodes:
        return ""
    node = nodes[0]
    if node.get("type") == "xhtml":
        inner = next((c for c in node if isinstance(c.tag, str)), node)
        parts = [inner.text or ""] + [etree.tostring(c, encoding="unicode", with_tail=True) for c in inner]
        return _XHTML_NS.sub("", "".join(parts)).strip()
    return (node.text or "").strip()


# --- RSS --------------------------------------------------------------------------------


def _read_rss(rss: Any) -> FeedPage:
    channel = _children(rss).get("channel")
    if not channel:
        return FeedPage(problem="not a feed")
    kids = _children(channel[0])
    return FeedPage(
        title=plain(_text(kids, "title")),
        home=next((l.text for l in kids.get("link", []) if l.text and l.text.strip()), None),
        total=_int(_text(kids, "totalResults")), start=_int(_text(kids, "startIndex")),
        per_page=_int(_text(kids, "itemsPerPage")),
        next_href=next((l.get("href") for l in kids.get("link", []) if l.get("rel") == "next"), None),
        entries=[_rss_item(i) for i in kids.get("item", [])],
    )


def _rss_item(item: Any) -> dict[str, Any]:
    kids = _children(item)
    author = (_text(kids, "author") or _text(kids, "creator") or "").strip()
    named = _RSS_AUTHOR.match(author)
    link = next((l.text.strip() for l in kids.get("link", []) if l.text and l.text.strip()), "")
    return _entry(
        tag=_text(kids, "guid"), published=_text(kids, "pubDate"), updated=_text(kids, "updated"),
        title=_text(kids, "title") or "", content=_text(kids, "encoded") or _text(kids, "description") or "",
        summary=None, links=[{"rel": "alternate", "type": "text/html", "href": link, "title": ""}],
        author=named["name"] if named else author or None, author_uri=None,
        categories=[("", c.text or "") for c in kids.get("category", [])],
        total=_text(kids, "total"), reply_to=None, properties={}, orig_link=_text(kids, "origLink"),
    )


# --- GData JSON -------------------------------------------------------------------------


def _t(node: Any) -> Any:
    """Blogger's JSON wraps values as ``{"$t": value}``."""
    return node.get("$t") if isinstance(node, dict) else node


def _read_json(text: str) -> FeedPage:
    wrapped = _JSONP.match(text.strip())  # alt=json-in-script: callback({...});
    try:
        data = json.loads(wrapped["body"] if wrapped else text)
    except ValueError:
        return FeedPage(problem="not JSON")
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        return FeedPage(problem="JSON without a feed")
    links = [l for l in feed.get("link") or [] if isinstance(l, dict)]
    return FeedPage(
        title=plain(_t(feed.get("title"))), home=_rel(links, "alternate"),
        total=_int(_t(feed.get("openSearch$totalResults"))), start=_int(_t(feed.get("openSearch$startIndex"))),
        per_page=_int(_t(feed.get("openSearch$itemsPerPage"))), next_href=_rel(links, "next"),
        # an empty page has no "entry" key at all
        entries=[_json_entry(e) for e in feed.get("entry") or [] if isinstance(e, dict)],
    )


def _json_entry(entry: dict[str, Any]) -> dict[str, Any]:
    author = (entry.get("author") or [{}])[0]
    reply_to = entry.get("thr$in-reply-to")
    return _entry(
        tag=_t(entry.get("id")), published=_t(entry.get("published")), updated=_t(entry.get("updated")),
        title=_t(entry.get("title")) or "", content=_t(entry.get("content")), summary=_t(entry.get("summary")),
        links=[{k: str(l.get(k) or "") for k in ("rel", "type", "href", "title")} for l in entry.get("link") or []],
        author=_t(author.get("name")), author_uri=_t(author.get("uri")),
        categories=[(c.get("scheme", ""), c.get("term", "")) for c in entry.get("category") or []],
        total=_t(entry.get("thr$total")),
        reply_to=(reply_to.get("ref"), reply_to.get("href")) if isinstance(reply_to, dict) else None,
        properties={p.get("name", ""): p.get("value", "") for p in entry.get("gd$extendedProperty") or []},
        orig_link=_t(entry.get("feedburner$origLink")),
    )


# --- neutral entries and the fields of posts and comments ------------------------------


def _rel(links: list[dict[str, str]], rel: str, type_: str | None = None) -> str | None:
    return next((l["href"] for l in links if l.get("rel") == rel and l.get("href")
                 and (type_ is None or l.get("type") == type_)), None)


def _entry(**fields: Any) -> dict[str, Any]:
    """One feed entry in the neutral form every shape is read into."""
    fields["kind"] = next((term.rsplit("#", 1)[-1] for scheme, term in fields["categories"] if scheme.endswith(_KIND)), None)
    fields["categories"] = [term for scheme, term in fields["categories"] if term and not scheme.endswith(_KIND)]
    return fields


def post_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields of a post from a posts-feed entry, plus ``comments_feed`` (its comment
    feed's URL) and ``full`` (whether the feed holds the whole post, not a summary)."""
    alternate = entry["orig_link"] or _rel(entry["links"], "alternate")
    return {
        "url": (alternate or "").strip() or None,
        "platform_id": blogger_id(entry["tag"]),
        "title": plain(entry["title"]),
        "author": entry["author"],
        "author_url": entry["author_uri"],
        "published": iso_utc(entry["published"]),
        "published_basis": "instant" if iso_utc(entry["published"]) else None,
        "updated": iso_utc(entry["updated"]),
        "labels": entry["categories"],
        "html": entry["content"] or entry["summary"] or "",
        "comment_count": _int(entry["total"]),
        "comments_feed": _rel(entry["links"], "replies", "application/atom+xml"),
        "full": entry["content"] is not None,
    }


def comment_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """A comment from a comment-feed entry, plus ``post_id`` (the post it is under, from
    ``thr:in-reply-to``), ``removed`` (``blogger.contentRemoved``: the text is Blogger's
    notice, not the commenter's) and ``display_time`` (``blogger.displayTime``, the time as
    the blog shows it, in its language)."""
    related = _PARENT.search(_rel(entry["links"], "related") or "")
    published = iso_utc(entry["published"])
    return {
        "id": blogger_id(entry["tag"]),
        "parent_id": related[1] if related else None,
        "author": entry["author"],
        "author_url": entry["author_uri"],
        "published": published,
        "published_basis": "instant" if published else None,
        "html": entry["content"] or entry["summary"] or "",
        "post_id": blogger_id(entry["reply_to"][0]) if entry["reply_to"] else None,
        "removed": "blogger.contentRemoved" in entry["properties"],
        "display_time": entry["properties"].get("blogger.displayTime"),
    }


def next_start(page: FeedPage) -> int | None:
    """The ``start-index`` of the page after ``page``, or None when it was the last.

    Counted from what the page holds, not from the size asked for: Blogger has capped pages
    at 500, then 150, then 100 entries, whatever ``max-results`` said."""
    if not page.entries:
        return None
    following = (page.start or 1) + len(page.entries)
    if page.total is not None:
        return following if following <= page.total else None
    return following if page.next_href else None
