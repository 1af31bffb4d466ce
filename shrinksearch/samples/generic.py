"""A sample blog as a plain static site (a Jekyll-like generator) serves it.

Home and ``/page/N/`` (10 posts each), post pages ``/posts/<slug>.html`` whose comments use
schema.org-ish markup (``section#comments`` > ``article.comment`` with ``data-comment-id``,
``data-parent-id`` on replies only, ``.comment-author``, ``time[datetime]``,
``.comment-content``; replies nested in ``div.comment-replies``), ``/feed.xml`` (RSS 2.0 of
the 10 newest posts with ``slash:comments``: older posts are only in the sitemap) and
``/sitemap.xml`` (every post; ``lastmod`` moves when a comment is added, as the page does).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from . import extras
from .network import Blog, Comment, Post
from .pages import Page, Req, html_page, iso_seconds, long_date, not_found, redirect, rfc822, route, words, xml_page

PER_PAGE = 10
FEED_ITEMS = 10
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
RSS_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}


def _site(req: Req, blog: Blog) -> dict[str, str]:
    return {"name": blog.name, "tagline": blog.tagline, "home": req.blog_home(blog)}


def _post_view(req: Req, blog: Blog, post: Post) -> dict[str, Any]:
    return {
        "title": post.title,
        "url": req.url(blog.post_path(post)),
        "body": post.body,
        "excerpt": words(post.body, 40),
        "iso": iso_seconds(post.published),
        "updated_iso": iso_seconds(post.modified) if post.modified != post.published else None,
        "long_date": long_date(blog.local(post.published)),
        "author": blog.author(post.author).name,
        "labels": post.labels,
        "comment_count": post.comment_count(),
    }


def _comment_view(comment: Comment, parent: Comment | None) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parent_id": parent.id if parent else None,
        "author": comment.display_author,
        "author_url": comment.author_url,
        "iso": iso_seconds(comment.published),
        "long_date": long_date(comment.published),
        "body": comment.body,
        "replies": [_comment_view(r, comment) for r in comment.replies],
    }


def home(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    number = int(match.group("n") or 1)
    if match.group("n") == "1":
        return redirect(req.blog_home(blog))
    newest = blog.newest_first()
    pages = max(1, -(-len(newest) // PER_PAGE))
    if number > pages:
        return not_found("Page not found")

    def page_url(n: int) -> str:
        return req.blog_home(blog) if n == 1 else f"{req.blog_home(blog)}page/{n}/"

    shown = newest[(number - 1) * PER_PAGE : number * PER_PAGE]
    pager = {
        "current": number,
        "pages": pages,
        "newer": page_url(number - 1) if number > 1 else None,
        "older": page_url(number + 1) if number < pages else None,
    }
    page = html_page("generic/list.html", site=_site(req, blog), posts=[_post_view(req, blog, p) for p in shown], pager=pager, page_title=blog.name)
    page.last_modified = max((p.last_activity() for p in blog.posts), default=None)
    return page


def post_page(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = blog.post_by_slug(match.group("slug"))
    if post is None:
        return not_found("Page not found")
    ordered = sorted(blog.posts, key=lambda p: (p.published, p.id))
    at = ordered.index(post)
    nav = {
        "previous": (ordered[at - 1].title, req.url(blog.post_path(ordered[at - 1]))) if at > 0 else None,
        "next": (ordered[at + 1].title, req.url(blog.post_path(ordered[at + 1]))) if at + 1 < len(ordered) else None,
    }
    page = html_page(
        "generic/post.html",
        site=_site(req, blog),
        post=_post_view(req, blog, post),
        comments=[_comment_view(c, None) for c in post.comments],
        nav=nav,
        page_title=f"{post.title} | {blog.name}",
    )
    page.last_modified = post.last_activity()
    return page


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, _, local = tag.rpartition(":")
    element = etree.SubElement(parent, f"{{{RSS_NS[prefix]}}}{local}" if prefix else local, attrs)
    element.text = text
    return element


def feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    home_url = req.blog_home(blog)
    newest = blog.newest_first()[:FEED_ITEMS]
    built = max((p.last_activity() for p in blog.posts), default=None)
    rss = etree.Element("rss", nsmap=RSS_NS, version="2.0")
    channel = _el(rss, "channel")
    _el(channel, "title", blog.name)
    _el(channel, "link", home_url)
    _el(channel, "description", blog.tagline)
    _el(channel, "atom:link", href=f"{home_url}feed.xml", rel="self", type="application/rss+xml")
    _el(channel, "lastBuildDate", rfc822(built) if built else "")
    _el(channel, "generator", "Jekyll v4.3.3")
    for post in newest:
        _item(req, blog, channel, post)
    return xml_page(rss, "application/rss+xml; charset=UTF-8", built)


def _item(req: Req, blog: Blog, channel: etree._Element, post: Post) -> None:
    url = req.url(blog.post_path(post))
    item = _el(channel, "item")
    _el(item, "title", post.title)
    _el(item, "link", url)
    _el(item, "guid", url, isPermaLink="true")
    _el(item, "pubDate", rfc822(post.published))
    _el(item, "dc:creator", blog.author(post.author).name)
    for label in post.labels:
        _el(item, "category", label)
    _el(item, "description", post.body)
    _el(item, "comments", f"{url}#comments")
    _el(item, "slash:comments", str(post.comment_count()))


def sitemap(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    home_url = etree.SubElement(etree.SubElement(root, f"{{{SITEMAP_NS}}}url"), f"{{{SITEMAP_NS}}}loc")
    home_url.text = req.blog_home(blog)
    for post in blog.newest_first():
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = req.url(blog.post_path(post))
        etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = iso_seconds(post.last_activity())
    built = max((p.last_activity() for p in blog.posts), default=None)
    return xml_page(root, "application/xml; charset=UTF-8", built)


def about(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    authors = ", ".join(a.name for a in blog.authors)
    return html_page("message.html", title=f"About {blog.name}", message=f"{blog.tagline} Written by {authors}.", links=[(req.blog_home(blog), "Home")])


ROUTES = [
    (re.compile(r"(?:page/(?P<n>[0-9]+)/?)?"), home),
    (re.compile(r"posts/(?P<slug>[^/]+)\.html"), post_page),
    (re.compile(r"feed\.xml"), feed),
    (re.compile(r"sitemap\.xml"), sitemap),
    (re.compile(r"about\.html"), about),
    (re.compile(r"assets/main\.css"), lambda req, blog, m: extras.stylesheet(req)),
]


def handle(req: Req, blog: Blog, rest: str) -> Page | None:
    """The page for ``rest`` (the path below ``/<slug>/``), or None when the site has none."""
    return route(ROUTES, req, blog, rest)
