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

import json
import re
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

from crawlers.markup.dates import iso_utc
from crawlers.markup.text import plain

_POST_ID = re.compile(r"\.post-(\d+)$")
_PARENT = re.compile(r"/comments/default/(\d+)")
_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>.*)\)\s*$")
_JSONP = re.compile(r"^[^({]*\(\s*(?P<body>\{.*\})\s*\)\s*;?\s*$", re.DOTALL)
_KIND = "#kind"


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
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    head = text.lstrip()[:200]
    if head.startswith("{") or (not head.startswith("<") and "(" in head):
        return _read_json(text)
    if not head.startswith("<"):
        return FeedPage(problem="not a feed")
    try:
        sel = Selector(text=text.lstrip(), type="xml")
    except ValueError as err:
        return FeedPage(problem=f"broken XML: {err}")
    sel.remove_namespaces()
    root = sel.xpath("/*")
    name = root.xpath("name()").get() if root else None
    if name == "feed":
        return _read_atom(root[0])
    if name == "rss":
        return _read_rss(root[0])
    return FeedPage(problem="not a feed")


def _int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


# --- Atom -------------------------------------------------------------------------------


def _read_atom(feed: Selector) -> FeedPage:
    links = _atom_links(feed)
    return FeedPage(
        title=plain(feed.xpath("./title/text()").get()), home=_rel(links, "alternate"),
        total=_int(feed.xpath("./totalResults/text()").get()), start=_int(feed.xpath("./startIndex/text()").get()),
        per_page=_int(feed.xpath("./itemsPerPage/text()").get()), next_href=_rel(links, "next"),
        entries=[_atom_entry(e) for e in feed.xpath("./entry")],
    )


def _atom_links(node: Selector) -> list[dict[str, str]]:
    return [{k: link.attrib.get(k, "") for k in ("rel", "type", "href", "title")} for link in node.xpath("./link")]


def _atom_entry(entry: Selector) -> dict[str, Any]:
    content = entry.xpath("./content")
    summary = entry.xpath("./summary")
    reply_to = entry.xpath("./in-reply-to")
    return _entry(
        tag=entry.xpath("./id/text()").get(),
        published=entry.xpath("./published/text()").get(), updated=entry.xpath("./updated/text()").get(),
        title=_atom_text(entry.xpath("./title")), content=_atom_text(content) if content else None,
        summary=_atom_text(summary) if summary else None, links=_atom_links(entry),
        author=entry.xpath("./author/name/text()").get(), author_uri=entry.xpath("./author/uri/text()").get(),
        categories=[(c.attrib.get("scheme", ""), c.attrib.get("term", "")) for c in entry.xpath("./category")],
        total=entry.xpath("./total/text()").get(),
        reply_to=(reply_to[0].attrib.get("ref"), reply_to[0].attrib.get("href")) if reply_to else None,
        properties={p.attrib.get("name", ""): p.attrib.get("value", "") for p in entry.xpath("./extendedProperty")},
        orig_link=entry.xpath("./origLink/text()").get(),
    )


def _atom_text(nodes: Any) -> str:
    """An Atom text construct as HTML: escaped HTML or text as is, XHTML as its markup."""
    if not nodes:
        return ""
    node = nodes[0]
    if node.attrib.get("type") == "xhtml":
        div = node.xpath("./*")
        return "".join((div[0] if div else node).xpath("node()").getall()).strip()
    return "".join(node.xpath("text()").getall()).strip()


# --- RSS --------------------------------------------------------------------------------


def _read_rss(rss: Selector) -> FeedPage:
    channel = rss.xpath("./channel")
    if not channel:
        return FeedPage(problem="not a feed")
    ch = channel[0]
    return FeedPage(
        title=plain(ch.xpath("./title/text()").get()), home=ch.xpath("./link/text()").get(),
        total=_int(ch.xpath("./totalResults/text()").get()), start=_int(ch.xpath("./startIndex/text()").get()),
        per_page=_int(ch.xpath("./itemsPerPage/text()").get()),
        next_href=next((l.attrib.get("href") for l in ch.xpath("./link[@rel='next']")), None),
        entries=[_rss_item(i) for i in ch.xpath("./item")],
    )


def _rss_item(item: Selector) -> dict[str, Any]:
    author = (item.xpath("./author/text()").get() or item.xpath("./creator/text()").get() or "").strip()
    named = _RSS_AUTHOR.match(author)
    link = (item.xpath("./link/text()").get() or "").strip()
    return _entry(
        tag=item.xpath("./guid/text()").get(), published=item.xpath("./pubDate/text()").get(),
        updated=item.xpath("./updated/text()").get(), title=item.xpath("./title/text()").get() or "",
        content=item.xpath("./encoded/text()").get() or item.xpath("./description/text()").get() or "",
        summary=None, links=[{"rel": "alternate", "type": "text/html", "href": link, "title": ""}],
        author=named["name"] if named else author or None, author_uri=None,
        categories=[("", c) for c in item.xpath("./category/text()").getall()],
        total=item.xpath("./total/text()").get(), reply_to=None, properties={},
        orig_link=item.xpath("./origLink/text()").get(),
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
