"""Blogger's public feeds for a sample blog, shaped like blogspot.com serves them.

Posts ``/feeds/posts/default`` (or ``/summary``, or ``/-/<label>``), one post
``/feeds/posts/default/<postId>``, a post's comments ``/feeds/<postId>/comments/default``,
one comment ``.../comments/default/<commentId>`` and the blog's comments
``/feeds/comments/default``; each as Atom, ``alt=json``, ``alt=json-in-script`` or
``alt=rss``, paged by ``start-index``/``max-results`` and filtered by
``updated-min/max``, ``published-min/max``; ``orderby`` and ``reverse`` as Blogger reads them.

The JSON is produced from the Atom tree by Blogger's own (GData) mapping — attributes as
keys, text as ``$t``, ``prefix:name`` as ``prefix$name`` — so both always agree. Links that
point at www.blogger.com on the real platform (self, edit, next, related) point at this host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from lxml import etree

from .network import Blog, Comment, Post
from .pages import (
    Page,
    Req,
    bad_request,
    iso_millis,
    long_date,
    clock,
    not_found,
    rfc822,
    snippet,
    stable_digits,
    xml_page,
)

ATOM = "http://www.w3.org/2005/Atom"
THR = "http://purl.org/syndication/thread/1.0"
NSMAP = {
    None: ATOM,
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "blogger": "http://schemas.google.com/blogger/2008",
    "georss": "http://www.georss.org/georss",
    "gd": "http://schemas.google.com/g/2005",
    "thr": THR,
}
_PREFIX = {uri: prefix for prefix, uri in NSMAP.items()}
GD_THUMB = "http://schemas.google.com/g/2005#thumbnail"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
BLANK_AVATAR = "https://img1.blogblog.com/img/blank.gif"
PROFILE_AVATAR = "https://img1.blogblog.com/img/b16-rounded.gif"
DEFAULT_MAX_RESULTS = 25
MAX_RESULTS_CAP = 500
COMMENT_TITLE_CHARS = 50

T = TypeVar("T")


# --- URLs and ids --------------------------------------------------------------------------


class BloggerUrls:
    """Every URL and Atom id of one Blogger blog on this host."""

    def __init__(self, req: Req, blog: Blog) -> None:
        self.req, self.blog = req, blog
        self.home = req.blog_home(blog)
        self.posts_feed = f"{self.home}feeds/posts/default"
        self.blog_comments_feed = f"{self.home}feeds/comments/default"
        self.tag = f"tag:blogger.com,1999:blog-{blog.blog_id}"

    def post_page(self, post: Post) -> str:
        return self.req.url(self.blog.post_path(post))

    def post_entry(self, post: Post) -> str:
        return f"{self.posts_feed}/{post.id}"

    def comments_feed(self, post: Post) -> str:
        return f"{self.home}feeds/{post.id}/comments/default"

    def comment_entry(self, post: Post, comment_id: str) -> str:
        return f"{self.comments_feed(post)}/{comment_id}"

    def comment_permalink(self, post: Post, comment: Comment) -> str:
        millis = int(comment.published.timestamp() * 1000)
        return f"{self.post_page(post)}?showComment={millis}#c{comment.id}"

    def profile(self, name: str) -> str:
        return "https://www.blogger.com/profile/" + stable_digits(self.blog.blog_id, name)

    def post_tag(self, post_id: str) -> str:
        return f"{self.tag}.post-{post_id}"


def is_blog_author(blog: Blog, name: str) -> bool:
    return name in blog.author_names()


def author_uri(urls: BloggerUrls, name: str, url: str | None) -> str | None:
    """Bloggers link to their Blogger profile; commenters to the URL they gave, if any."""
    if is_blog_author(urls.blog, name):
        return urls.profile(name)
    return url


def comment_html(body: str) -> str:
    """Blogger keeps comments as text with <br />: paragraphs become blank lines."""
    inner = re.sub(r"^\s*<p>|</p>\s*$", "", body.strip())
    return re.sub(r"</p>\s*<p>", "<br /><br />", inner).strip()


def display_time(blog: Blog, moment: datetime) -> str:
    local = blog.local(moment)
    return f"{long_date(local)} at {clock(local)}"


# --- the query: paging, filters, order -----------------------------------------------------


@dataclass(frozen=True)
class FeedQuery:
    start: int
    max_results: int
    orderby: str
    ascending: bool
    bounds: dict[str, datetime | None]

    @classmethod
    def parse(cls, req: Req, blog: Blog) -> FeedQuery:
        bounds = {name: req.date_param(name, blog.tz) for name in ("updated-min", "updated-max", "published-min", "published-max")}
        return cls(
            start=req.int_param("start-index", 1),
            max_results=req.int_param("max-results", DEFAULT_MAX_RESULTS, lo=1, hi=MAX_RESULTS_CAP),
            orderby=req.query.get("orderby", "published"),
            ascending=req.query.get("reverse", "true") == "false",
            bounds=bounds,
        )

    def select(self, items: Sequence[T], published: Callable[[T], datetime], updated: Callable[[T], datetime]) -> tuple[list[T], int]:
        """The requested page of ``items`` and how many matched in all (min bounds inclusive)."""
        b = self.bounds
        kept = [
            i
            for i in items
            if _within(updated(i), b["updated-min"], b["updated-max"]) and _within(published(i), b["published-min"], b["published-max"])
        ]
        key = updated if self.orderby == "updated" else published
        kept.sort(key=key, reverse=not self.ascending)
        return kept[self.start - 1 : self.start - 1 + self.max_results], len(kept)


def _within(moment: datetime, low: datetime | None, high: datetime | None) -> bool:
    return (low is None or moment >= low) and (high is None or moment < high)


# --- Atom building -------------------------------------------------------------------------


def _q(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NSMAP[prefix or None]}}}{local}"


def sub(parent: etree._Element, name: str, text: str | None = None, /, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _q(name), attrs)
    if text is not None:
        element.text = text
    return element


def _author(parent: etree._Element, name: str, uri: str | None) -> None:
    author = sub(parent, "author")
    sub(author, "name", name)
    if uri:
        sub(author, "uri", uri)
    sub(author, "email", "noreply@blogger.com")
    avatar = PROFILE_AVATAR if uri and "blogger.com/profile" in uri else BLANK_AVATAR
    sub(author, "gd:image", rel=GD_THUMB, width="16", height="16", src=avatar)


def _atom_link(parent: etree._Element, rel: str, href: str, type_: str = "application/atom+xml", **extra: str) -> None:
    sub(parent, "link", rel=rel, type=type_, href=href, **extra)


def feed_root(urls: BloggerUrls, feed_id: str, title: str, updated: datetime | None, self_href: str, page: str | None = None) -> etree._Element:
    blog = urls.blog
    feed = etree.Element(_q("feed"), nsmap=NSMAP)
    sub(feed, "id", feed_id)
    sub(feed, "updated", iso_millis(updated, blog.tz) if updated else "")
    sub(feed, "title", title, type="text")
    sub(feed, "subtitle", urls.blog.tagline, type="html")
    _atom_link(feed, "http://schemas.google.com/g/2005#feed", self_href.split("?")[0])
    _atom_link(feed, "self", self_href)
    _atom_link(feed, "alternate", page or urls.home, "text/html")
    sub(feed, "link", rel="hub", href="http://pubsubhubbub.appspot.com/")
    return feed


def _feed_head(feed: etree._Element, urls: BloggerUrls, href: str, q: FeedQuery, total: int, req: Req) -> None:
    """prev/next links, the blog's author, generator and openSearch counts, in Blogger's order."""
    extra = {k: v for k, v in req.query.items() if k not in ("start-index", "max-results")}

    def page_href(start: int) -> str:
        return f"{href}?{urlencode({**extra, 'start-index': start, 'max-results': q.max_results})}"

    if q.start > 1:
        _atom_link(feed, "previous", page_href(max(1, q.start - q.max_results)))
    if q.start - 1 + q.max_results < total:
        _atom_link(feed, "next", page_href(q.start + q.max_results))
    lead = urls.blog.authors[0]
    _author(feed, lead.name, urls.profile(lead.name))
    sub(feed, "generator", "Blogger", version="7.00", uri="http://www.blogger.com")
    sub(feed, "openSearch:totalResults", str(total))
    sub(feed, "openSearch:startIndex", str(q.start))
    sub(feed, "openSearch:itemsPerPage", str(q.max_results))


def post_entry(parent: etree._Element, urls: BloggerUrls, post: Post, summary: bool = False) -> etree._Element:
    blog, count = urls.blog, post.comment_count()
    entry = sub(parent, "entry")
    sub(entry, "id", urls.post_tag(post.id))
    sub(entry, "published", iso_millis(post.published, blog.tz))
    sub(entry, "updated", iso_millis(post.modified, blog.tz))
    for label in post.labels:
        sub(entry, "category", scheme=LABEL_SCHEME, term=label)
    sub(entry, "title", post.title, type="text")
    if summary:
        sub(entry, "summary", snippet(post.body, 400), type="text")
    else:
        sub(entry, "content", post.body, type="html")
    page = urls.post_page(post)
    _atom_link(entry, "replies", urls.comments_feed(post), title="Post Comments")
    _atom_link(entry, "replies", f"{page}#comment-form", "text/html", title=f"{count} Comments")
    _atom_link(entry, "edit", urls.post_entry(post))
    _atom_link(entry, "self", urls.post_entry(post))
    _atom_link(entry, "alternate", page, "text/html", title=post.title)
    name = blog.author(post.author).name
    _author(entry, name, urls.profile(name))
    sub(entry, "thr:total", str(count))
    return entry


def comment_entry(parent: etree._Element, urls: BloggerUrls, post: Post, comment: Comment, summary: bool = False) -> etree._Element:
    """One comment; a reply carries rel="related" to its parent's entry (link order matters:
    Blogger's own scripts read link[2] as the permalink and link[3] as the parent)."""
    blog = urls.blog
    entry = sub(parent, "entry")
    sub(entry, "id", urls.post_tag(comment.id))
    sub(entry, "published", iso_millis(comment.published, blog.tz))
    sub(entry, "updated", iso_millis(comment.published, blog.tz))
    sub(entry, "title", snippet(comment.body, COMMENT_TITLE_CHARS), type="text")
    body = comment_html(comment.body)
    sub(entry, "summary" if summary else "content", snippet(body, 400) if summary else body, type="text" if summary else "html")
    own = urls.comment_entry(post, comment.id)
    _atom_link(entry, "edit", own)
    _atom_link(entry, "self", own)
    _atom_link(entry, "alternate", urls.comment_permalink(post, comment), "text/html", title="")
    parent_id = blog.served_parent(post, comment)
    if parent_id:
        _atom_link(entry, "related", urls.comment_entry(post, parent_id) + "?v=2")
    _author(entry, comment.display_author, author_uri(urls, comment.author, comment.author_url))
    reply_to = etree.SubElement(entry, _q("thr:in-reply-to"), nsmap={"thr": THR})
    reply_to.attrib.update({"href": urls.post_page(post), "ref": urls.post_tag(post.id), "source": urls.post_entry(post), "type": "text/html"})
    sub(entry, "gd:extendedProperty", name="blogger.itemClass", value="pid-" + stable_digits(comment.display_author, length=9))
    sub(entry, "gd:extendedProperty", name="blogger.displayTime", value=display_time(blog, comment.published))
    if comment.removed:  # the author removed it: Blogger keeps a placeholder entry
        sub(entry, "gd:extendedProperty", name="blogger.contentRemoved", value="true")
    return entry


# --- GData JSON ----------------------------------------------------------------------------

_ALWAYS_LISTS = {"entry", "link", "author", "category", "gd$extendedProperty", "contributor"}


def _key(qname: str) -> str:
    if not qname.startswith("{"):
        return qname
    uri, local = qname[1:].split("}")
    prefix = _PREFIX.get(uri)
    return local if prefix is None else f"{prefix}${local}"


def gdata(element: etree._Element) -> dict[str, Any]:
    """Blogger's JSON for an Atom element."""
    out: dict[str, Any] = {}
    if element.tag == _q("thr:in-reply-to"):
        out["xmlns$thr"] = THR
    out.update({_key(k): v for k, v in element.attrib.items()})
    if element.text is not None and len(element) == 0:
        out["$t"] = element.text
    for child in element:
        key, value = _key(child.tag), gdata(child)
        if key in _ALWAYS_LISTS:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def gdata_document(root: etree._Element) -> dict[str, Any]:
    namespaces = {("xmlns" if p is None else f"xmlns${p}"): uri for p, uri in NSMAP.items()}
    return {"version": "1.0", "encoding": "UTF-8", _key(root.tag): {**namespaces, **gdata(root)}}


# --- RSS (alt=rss) -------------------------------------------------------------------------


def _rss(urls: BloggerUrls, root: etree._Element) -> etree._Element:
    """Blogger's RSS rendering of an Atom feed tree (channel + one item per entry)."""
    rss = etree.Element("rss", nsmap={"atom": ATOM, **{k: v for k, v in NSMAP.items() if k}}, version="2.0")
    channel = etree.SubElement(rss, "channel")
    _text(channel, f"{{{ATOM}}}id", root.findtext(_q("id")))
    _text(channel, "lastBuildDate", _rfc(root.findtext(_q("updated"))))
    _text(channel, "title", root.findtext(_q("title")))
    _text(channel, "description", urls.blog.tagline)
    _text(channel, "link", urls.home)
    _text(channel, "generator", "Blogger")
    for name in ("totalResults", "startIndex", "itemsPerPage"):
        _text(channel, f"{{{NSMAP['openSearch']}}}{name}", root.findtext(_q(f"openSearch:{name}")))
    for entry in root.iter(_q("entry")):
        _rss_item(channel, entry)
    return rss


def _rss_item(channel: etree._Element, entry: etree._Element) -> None:
    item = etree.SubElement(channel, "item")
    _text(item, "guid", entry.findtext(_q("id"))).set("isPermaLink", "false")
    _text(item, "pubDate", _rfc(entry.findtext(_q("published"))))
    _text(item, f"{{{ATOM}}}updated", entry.findtext(_q("updated")))
    for category in entry.iter(_q("category")):
        _text(item, "category", category.get("term")).set("domain", LABEL_SCHEME)
    _text(item, "title", entry.findtext(_q("title")))
    _text(item, "description", entry.findtext(_q("content")) or entry.findtext(_q("summary")))
    alternate = entry.find(f"{_q('link')}[@rel='alternate']")
    _text(item, "link", alternate.get("href") if alternate is not None else "")
    name = entry.findtext(_q("author") + "/" + _q("name"))
    _text(item, "author", f"noreply@blogger.com ({name})")
    total = entry.findtext(_q("thr:total"))
    if total is not None:
        _text(item, f"{{{THR}}}total", total)


def _text(parent: etree._Element, tag: str, text: str | None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text or ""
    return element


def _rfc(iso: str | None) -> str:
    return rfc822(datetime.fromisoformat(iso)) if iso else ""


# --- output --------------------------------------------------------------------------------


def _answer(req: Req, urls: BloggerUrls, root: etree._Element, last_modified: datetime | None) -> Page:
    alt = req.query.get("alt", "atom")
    if alt == "atom":
        return xml_page(root, "application/atom+xml; charset=UTF-8", last_modified)
    if alt == "rss":
        return xml_page(_rss(urls, root), "application/rss+xml; charset=UTF-8", last_modified)
    if alt in ("json", "json-in-script"):
        text = json.dumps(gdata_document(root), ensure_ascii=False, separators=(",", ":"))
        callback = req.query.get("callback")
        if alt == "json-in-script" and callback:
            return Page(f"// API callback\n{callback}({text});", "text/javascript; charset=UTF-8", last_modified=last_modified)
        return Page(text, "application/json; charset=UTF-8", last_modified=last_modified)
    return bad_request("Invalid alt parameter")


def _parse(req: Req, blog: Blog) -> FeedQuery | Page:
    try:
        return FeedQuery.parse(req, blog)
    except ValueError as err:
        return bad_request(f"Invalid query: {err}")


# --- handlers ------------------------------------------------------------------------------


def posts_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    q = _parse(req, blog)
    if isinstance(q, Page):
        return q
    urls, label = BloggerUrls(req, blog), match.group("label")
    posts = [p for p in blog.posts if label is None or label in p.labels]
    page, total = q.select(posts, lambda p: p.published, lambda p: p.modified)
    href = urls.posts_feed + (f"/-/{label}" if label else "")
    updated = max((p.modified for p in blog.posts), default=None)
    feed = feed_root(urls, urls.tag, blog.name, updated, _self_href(href, req))
    _insert_categories(feed, sorted({lbl for p in blog.posts for lbl in p.labels}))
    _feed_head(feed, urls, href, q, total, req)
    for post in page:
        post_entry(feed, urls, post, summary=match.group("kind") == "summary")
    return _answer(req, urls, feed, updated)


def _insert_categories(feed: etree._Element, labels: list[str]) -> None:
    """Blogger lists every label of the blog right after <updated>."""
    position = 2
    for label in labels:
        category = etree.Element(_q("category"), term=label)
        feed.insert(position, category)
        position += 1


def _self_href(href: str, req: Req) -> str:
    return href + (f"?{urlencode(dict(req.query))}" if req.query else "")


def single_post(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = blog.post(match.group("post_id"))
    if post is None:
        return not_found("Post not found")
    urls = BloggerUrls(req, blog)
    holder = etree.Element("holder")
    entry = post_entry(holder, urls, post, summary=match.group("kind") == "summary")
    return _answer_entry(req, urls, entry, post.modified)


def _answer_entry(req: Req, urls: BloggerUrls, entry: etree._Element, last_modified: datetime) -> Page:
    """A single entry document (<entry> as root, or {"entry": ...} in JSON)."""
    root = etree.Element(_q("entry"), nsmap=NSMAP)
    root.extend(list(entry))
    if req.query.get("alt") == "rss":
        return bad_request("Invalid alt parameter")
    return _answer(req, urls, root, last_modified)


@dataclass(frozen=True)
class CommentsFeed:
    """Which comments feed: where it lives, its Atom id and title, the page it belongs to."""

    href: str
    feed_id: str
    title: str
    page: str


def post_comments_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = blog.post(match.group("post_id"))
    if post is None:
        return not_found("Post not found")
    urls = BloggerUrls(req, blog)
    spec = CommentsFeed(urls.comments_feed(post), f"{urls.tag}.post{post.id}..comments", f"Comments on {blog.name}: {post.title}", urls.post_page(post))
    return _comments_feed(req, urls, match, spec, [(post, c) for c, _ in post.walk()])


def blog_comments_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    urls = BloggerUrls(req, blog)
    spec = CommentsFeed(urls.blog_comments_feed, f"{urls.tag}.comments", f"{blog.name} - Comments", urls.home)
    return _comments_feed(req, urls, match, spec, [(p, c) for p in blog.posts for c, _ in p.walk()])


def _comments_feed(req: Req, urls: BloggerUrls, match: re.Match[str], spec: CommentsFeed, pairs: list[tuple[Post, Comment]]) -> Page:
    q = _parse(req, urls.blog)
    if isinstance(q, Page):
        return q
    page, total = q.select(pairs, lambda pc: pc[1].published, lambda pc: pc[1].published)
    updated = max((c.published for _, c in pairs), default=None)
    feed = feed_root(urls, spec.feed_id, spec.title, updated, _self_href(spec.href, req), spec.page)
    _feed_head(feed, urls, spec.href, q, total, req)
    for post, comment in page:
        comment_entry(feed, urls, post, comment, summary=match.group("kind") == "summary")
    return _answer(req, urls, feed, updated)


def single_comment(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    found = blog.comment(match.group("comment_id"))
    if found is None or found[0].id != match.group("post_id"):
        return not_found("Comment not found")
    post, comment, _ = found
    urls = BloggerUrls(req, blog)
    holder = etree.Element("holder")
    entry = comment_entry(holder, urls, post, comment)
    return _answer_entry(req, urls, entry, comment.published)


FEED_ROUTES = [
    (re.compile(r"feeds/posts/(?P<kind>default|summary)(?:/-/(?P<label>[^/]+))?/?"), posts_feed),
    (re.compile(r"feeds/posts/(?P<kind>default|summary)/(?P<post_id>[0-9]+)"), single_post),
    (re.compile(r"feeds/comments/(?P<kind>default|summary)/?"), blog_comments_feed),
    (re.compile(r"feeds/(?P<post_id>[0-9]+)/comments/(?P<kind>default|summary)/?"), post_comments_feed),
    (re.compile(r"feeds/(?P<post_id>[0-9]+)/comments/(?P<kind>default|summary)/(?P<comment_id>[0-9]+)"), single_comment),
]
