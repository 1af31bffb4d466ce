"""A sample blog as a self-hosted WordPress (Twenty Twenty-One theme) serves it.

Pages: home and ``/page/N/`` (10 posts each), month archives ``/YYYY/MM/``, author and tag
archives, the post ``/YYYY/MM/DD/<slug>/`` with its comments nested in ``ol.comment-list`` >
``li.comment`` > ``ol.children`` (oldest first, as WordPress orders them); ``/?p=<id>``
redirects to the post. Feeds: ``/feed/`` (RSS 2.0 with ``slash:comments`` and
``wfw:commentRss``, 10 per ``?paged=N``), ``/comments/feed/`` and each post's ``<post>/feed/``.
Sitemaps: ``/wp-sitemap.xml`` and its sub-sitemaps. The REST API: wordpress_api.py.
"""

from __future__ import annotations

import re
from html import escape, unescape
from datetime import datetime
from itertools import groupby
from typing import Any

from lxml import etree

from . import extras, wordpress_api
from .network import Blog, Comment, Post
from .pages import Page, Req, html_page, iso_seconds, long_date, not_found, redirect, rfc822, route, words, xml_page
from .wordpress_site import WP_VERSION, WpSite, post_classes, texturize

PER_PAGE = 10
"""WordPress's default posts_per_page, and posts_per_rss."""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
RSS_NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}


def _api_link(site: WpSite) -> dict[str, str]:
    """WordPress announces its REST API on every page, in a header as well as in <head>."""
    return {"Link": f'<{site.api}>; rel="https://api.w.org/"'}


# --- view models -------------------------------------------------------------------------------


def _site_view(site: WpSite) -> dict[str, str]:
    return {"name": site.blog.name, "tagline": site.blog.tagline, "home": site.home, "wp_version": WP_VERSION}


def _sidebar(site: WpSite) -> dict[str, Any]:
    blog, newest = site.blog, site.blog.newest_first()
    months = []
    for (year, month), _ in groupby(newest, key=lambda p: (blog.local(p.published).year, blog.local(p.published).month)):
        months.append((f"{datetime(year, month, 1):%B} {year}", f"{site.home}{year}/{month:02d}/"))
    return {
        "recent": [(texturize(p.title), site.post_url(p)) for p in newest[:5]],
        "months": months,
        "calendar": f"{site.home}calendar/?month=2008-01",
        "private": f"{site.home}private/",
    }


def _post_view(site: WpSite, post: Post) -> dict[str, Any]:
    blog, count = site.blog, post.comment_count()
    author = blog.author(post.author)
    return {
        "id": post.id,
        "title": texturize(post.title),
        "url": site.post_url(post),
        "body": post.body,
        "excerpt": words(post.body, 55),
        "classes": post_classes(site, post),
        "iso": iso_seconds(post.published, blog.tz),
        "long_date": long_date(blog.local(post.published)),
        "author": author.name,
        "author_url": site.author_url(author.key),
        "tags": [(t.name, site.tag_url(t)) for t in site.post_tags(post)],
        "comment_count": count,
        "comments_label": f"{count} Comment{'s' if count != 1 else ''}" if count else "Leave a comment",
    }


def _comment_view(site: WpSite, post: Post, comment: Comment, depth: int, index: int) -> dict[str, Any]:
    blog, user = site.blog, site.commenter_user_id(comment.author)
    local = blog.local(comment.published)
    classes = ["comment", "even" if index % 2 == 0 else "odd", "thread-even" if index % 2 == 0 else "thread-odd", f"depth-{depth}"]
    if user:
        key = blog.authors[user - 1].key
        classes[1:1] = ["byuser", f"comment-author-{key}"] + (["bypostauthor"] if key == post.author else [])
    if comment.replies:
        classes.append("parent")
    return {
        "id": comment.id,
        "post_id": post.id,
        "author": comment.display_author,
        "author_url": comment.author_url,
        "avatar": site.avatar(comment.display_author, 60),
        "link": site.comment_url(post, comment),
        "iso": iso_seconds(comment.published, blog.tz),
        "when": f"{long_date(local)} at {(local.hour % 12) or 12}:{local:%M} {local:%p}".replace("AM", "am").replace("PM", "pm"),
        "body": comment.body,
        "classes": " ".join(classes),
        "replies": [_comment_view(site, post, r, depth + 1, i) for i, r in enumerate(_oldest_first(comment.replies))],
    }


def _oldest_first(comments: list[Comment]) -> list[Comment]:
    return sorted(comments, key=lambda c: (c.published, c.id))


def _page(site: WpSite, template: str, title: str, body_class: str, **context: Any) -> Page:
    page = html_page(template, site=_site_view(site), sidebar=_sidebar(site), page_title=title, body_class=body_class, **context)
    page.headers.update(_api_link(site))
    return page


# --- pages -------------------------------------------------------------------------------------


def _listing(req: Req, blog: Blog, posts: list[Post], number: int, base: str, heading: str | None, title: str) -> Page:
    site = WpSite(req, blog)
    newest = sorted(posts, key=lambda p: (p.published, p.id), reverse=True)
    pages = max(1, -(-len(newest) // PER_PAGE))
    if number > pages:
        return not_found("Page not found")

    def page_url(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    shown = newest[(number - 1) * PER_PAGE : number * PER_PAGE]
    pagination = {
        "pages": pages,
        "current": number,
        "numbers": [(n, page_url(n)) for n in range(1, pages + 1)],
        "prev": page_url(number - 1) if number > 1 else None,
        "next": page_url(number + 1) if number < pages else None,
    }
    page = _page(site, "wordpress/list.html", title, "home blog", posts=[_post_view(site, p) for p in shown], pagination=pagination, heading=heading)
    page.last_modified = max((p.modified for p in posts), default=None)
    return page


def home(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    if "rest_route" in req.query:
        return wordpress_api.handle(req, blog, req.query["rest_route"].strip("/"))
    if "p" in req.query:
        post = blog.post(req.query["p"])
        return redirect(WpSite(req, blog).post_url(post)) if post else not_found("Nothing found")
    number = int(match.group("n") or 1)
    if match.group("n") == "1":
        return redirect(req.blog_home(blog))
    return _listing(req, blog, blog.posts, number, req.blog_home(blog), None, f"{blog.name} – {blog.tagline}")


def month_archive(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    year, month = int(match.group("year")), int(match.group("month"))
    posts = [p for p in blog.posts if (blog.local(p.published).year, blog.local(p.published).month) == (year, month)]
    if not posts:
        return not_found("Nothing here")
    heading = f"Month: <span>{datetime(year, month, 1):%B} {year}</span>"
    base = f"{req.blog_home(blog)}{year}/{month:02d}/"
    return _listing(req, blog, posts, int(match.group("n") or 1), base, heading, f"{datetime(year, month, 1):%B} {year} – {blog.name}")


def author_archive(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    key = match.group("key")
    if key not in {a.key for a in blog.authors}:
        return not_found("Nothing here")
    posts = [p for p in blog.posts if p.author == key]
    name = blog.author(key).name
    return _listing(req, blog, posts, int(match.group("n") or 1), f"{req.blog_home(blog)}author/{key}/", f"Author: <span>{escape(name)}</span>", f"{name} – {blog.name}")


def tag_archive(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    term = next((t for t in site.tags() if t.slug == match.group("slug")), None)
    if term is None:
        return not_found("Nothing here")
    posts = [p for p in blog.posts if term.name in p.labels]
    return _listing(req, blog, posts, int(match.group("n") or 1), site.tag_url(term), f"Tag: <span>{escape(term.name)}</span>", f"{term.name} – {blog.name}")


def category_archive(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    base = f"{req.blog_home(blog)}category/uncategorized/"
    return _listing(req, blog, blog.posts, int(match.group("n") or 1), base, "Category: <span>Uncategorized</span>", f"Uncategorized – {blog.name}")


def login(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    page = html_page("message.html", title=f"Log In ‹ {blog.name}", message="Username or Email Address / Password", links=[(req.blog_home(blog), f"← Go to {blog.name}")])
    page.cacheable = False
    return page


def xmlrpc(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    """xmlrpc.php: the RSD document with ?rsd, else WordPress's answer to a GET."""
    if "rsd" not in req.query:
        return Page("XML-RPC server accepts POST requests only.", "text/plain; charset=UTF-8")
    ns = "http://archipelago.phrasewise.com/rsd"
    rsd = etree.Element(f"{{{ns}}}rsd", nsmap={None: ns}, version="1.0")
    service = etree.SubElement(rsd, f"{{{ns}}}service")
    etree.SubElement(service, f"{{{ns}}}engineName").text = "WordPress"
    etree.SubElement(service, f"{{{ns}}}homePageLink").text = req.blog_home(blog)
    apis = etree.SubElement(service, f"{{{ns}}}apis")
    etree.SubElement(apis, f"{{{ns}}}api", name="WordPress", blogID="1", preferred="true", apiLink=f"{req.blog_home(blog)}xmlrpc.php")
    etree.SubElement(apis, f"{{{ns}}}api", name="WP-API", blogID="1", preferred="false", apiLink=f"{req.blog_home(blog)}wp-json/")
    return xml_page(rsd, "application/rsd+xml; charset=UTF-8")


def _find_post(blog: Blog, match: re.Match[str]) -> Post | None:
    post = blog.post_by_slug(match.group("slug"))
    expected = f"/{blog.slug}/{match.group('year')}/{match.group('month')}/{match.group('day')}/{match.group('slug')}/"
    return post if post is not None and blog.post_path(post) == expected else None


def single(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = _find_post(blog, match)
    if post is None:
        return not_found("Page not found")
    site = WpSite(req, blog)
    if not req.path.endswith("/"):
        return redirect(site.post_url(post))
    ordered = sorted(blog.posts, key=lambda p: (p.published, p.id))
    at = ordered.index(post)
    count = post.comment_count()
    page = _page(
        site,
        "wordpress/single.html",
        f"{post.title} – {blog.name}",
        f"post-template-default single single-post postid-{post.id} single-format-standard",
        post=_post_view(site, post),
        comments=[_comment_view(site, post, c, 1, i) for i, c in enumerate(_oldest_first(post.comments))],
        comments_title=f"{count} comment{'s' if count != 1 else ''} on &ldquo;{texturize(post.title)}&rdquo;" if count != 1 else f"One thought on &ldquo;{texturize(post.title)}&rdquo;",
        nav={
            "previous": (texturize(ordered[at - 1].title), site.post_url(ordered[at - 1])) if at > 0 else None,
            "next": (texturize(ordered[at + 1].title), site.post_url(ordered[at + 1])) if at + 1 < len(ordered) else None,
        },
    )
    page.headers["Link"] += f', <{site.shortlink(post)}>; rel=shortlink'
    page.last_modified = post.last_activity()
    return page


# --- RSS ---------------------------------------------------------------------------------------


def _cdata(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = etree.CDATA(text)
    return element


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, _, local = tag.rpartition(":")
    element = etree.SubElement(parent, f"{{{RSS_NS[prefix]}}}{local}" if prefix else local, attrs)
    element.text = text
    return element


def _channel(site: WpSite, title: str, self_href: str, link: str, built: datetime | None) -> tuple[etree._Element, etree._Element]:
    rss = etree.Element("rss", nsmap=RSS_NS, version="2.0")
    channel = _el(rss, "channel")
    _el(channel, "title", title)
    _el(channel, "atom:link", href=self_href, rel="self", type="application/rss+xml")
    _el(channel, "link", link)
    _el(channel, "description", site.blog.tagline)
    _el(channel, "lastBuildDate", rfc822(built) if built else "")
    _el(channel, "language", "en-US")
    _el(channel, "sy:updatePeriod", "\n\thourly\t")
    _el(channel, "sy:updateFrequency", "\n\t1\t")
    _el(channel, "generator", f"https://wordpress.org/?v={WP_VERSION}")
    return rss, channel


def _paged(req: Req, items: list[Any]) -> list[Any] | None:
    try:
        number = req.int_param("paged", 1)
    except ValueError:
        return None
    chunk = items[(number - 1) * PER_PAGE : number * PER_PAGE]
    return chunk if chunk or number == 1 else None


def posts_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    chunk = _paged(req, blog.newest_first())
    if chunk is None:
        return not_found("No posts on this feed page")
    built = max((p.modified for p in blog.posts), default=None)
    rss, channel = _channel(site, blog.name, f"{site.home}feed/", site.home, built)
    for post in chunk:
        _post_item(site, channel, post)
    return xml_page(rss, "application/rss+xml; charset=UTF-8", built)


def _post_item(site: WpSite, channel: etree._Element, post: Post) -> None:
    url = site.post_url(post)
    item = _el(channel, "item")
    _el(item, "title", unescape(texturize(post.title)))
    _el(item, "link", url)
    _el(item, "comments", f"{url}#respond")
    _cdata(item, f"{{{RSS_NS['dc']}}}creator", site.blog.author(post.author).name)
    _el(item, "pubDate", rfc822(post.published))
    for term in site.categories() + site.post_tags(post):
        _cdata(item, "category", term.name)
    _el(item, "guid", site.shortlink(post), isPermaLink="false")
    _cdata(item, "description", f"{words(post.body, 55)} [&#8230;]")
    _cdata(item, f"{{{RSS_NS['content']}}}encoded", post.body)
    _el(item, "wfw:commentRss", f"{url}feed/")
    _el(item, "slash:comments", str(post.comment_count()))


def _comments_rss(req: Req, site: WpSite, pairs: list[tuple[Post, Comment]], title: str, self_href: str, link: str, per_post: bool) -> Page:
    newest = sorted(pairs, key=lambda pc: (pc[1].published, pc[1].id), reverse=True)
    chunk = _paged(req, newest)
    if chunk is None:
        return not_found("No comments on this feed page")
    built = max((c.published for _, c in pairs), default=None)
    rss, channel = _channel(site, title, self_href, link, built)
    for post, comment in chunk:
        item = _el(channel, "item")
        _el(item, "title", f"By: {comment.display_author}" if per_post else f"Comment on {post.title} by {comment.display_author}")
        _el(item, "link", site.comment_url(post, comment))
        _cdata(item, f"{{{RSS_NS['dc']}}}creator", comment.display_author)
        _el(item, "pubDate", rfc822(comment.published))
        _el(item, "guid", f"{site.shortlink(post)}#comment-{comment.id}", isPermaLink="false")
        _cdata(item, "description", words(comment.body, 55))
        _cdata(item, f"{{{RSS_NS['content']}}}encoded", comment.body)
    return xml_page(rss, "application/rss+xml; charset=UTF-8", built)


def comments_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    pairs = [(p, c) for p in blog.posts for c, _ in p.walk()]
    return _comments_rss(req, site, pairs, f"Comments for {blog.name}", f"{site.home}comments/feed/", site.home, per_post=False)


def post_comments_feed(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = _find_post(blog, match)
    if post is None:
        return not_found("Page not found")
    site, url = WpSite(req, blog), WpSite(req, blog).post_url(post)
    pairs = [(post, c) for c, _ in post.walk()]
    return _comments_rss(req, site, pairs, f"Comments on: {post.title}", f"{url}feed/", url, per_post=True)


# --- sitemaps ------------------------------------------------------------------------------------


def _urlset(entries: list[tuple[str, datetime | None]]) -> etree._Element:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for loc, lastmod in entries:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = iso_seconds(lastmod)
    return root


def sitemap_index(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for name in ("posts-post-1", "taxonomies-post_tag-1", "users-1"):
        sitemap = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = f"{site.home}wp-sitemap-{name}.xml"
    return xml_page(root, "application/xml; charset=UTF-8")


def sitemap_part(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site, kind = WpSite(req, blog), match.group("kind")
    if match.group("n") != "1":
        return not_found("No such sitemap")
    entries: list[tuple[str, datetime | None]]
    if kind == "posts-post":
        entries = [(site.post_url(p), p.modified) for p in blog.newest_first()]
    elif kind == "taxonomies-post_tag":
        entries = [(site.tag_url(t), None) for t in site.tags()]
    else:
        entries = [(site.author_url(a.key), None) for a in blog.authors]
    return xml_page(_urlset(entries), "application/xml; charset=UTF-8", max((p.modified for p in blog.posts), default=None))


POST = r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[^/]+)"
PAGED = r"(?:page/(?P<n>[0-9]+)/?)?"
ROUTES = [
    (re.compile(PAGED), home),
    (re.compile(r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/?" + PAGED), month_archive),
    (re.compile(POST + r"/?"), single),
    (re.compile(POST + r"/feed/?"), post_comments_feed),
    (re.compile(r"feed/?"), posts_feed),
    (re.compile(r"comments/feed/?"), comments_feed),
    (re.compile(r"author/(?P<key>[^/]+)/?" + PAGED), author_archive),
    (re.compile(r"tag/(?P<slug>[^/]+)/?" + PAGED), tag_archive),
    (re.compile(r"category/uncategorized/?" + PAGED), category_archive),
    (re.compile(r"wp-login\.php"), login),
    (re.compile(r"xmlrpc\.php"), xmlrpc),
    (re.compile(r"wp-content/themes/[^/]+/style\.css"), lambda req, blog, m: extras.stylesheet(req)),
    (re.compile(r"wp-sitemap\.xml"), sitemap_index),
    (re.compile(r"wp-sitemap-(?P<kind>posts-post|taxonomies-post_tag|users)-(?P<n>[0-9]+)\.xml"), sitemap_part),
]


def handle(req: Req, blog: Blog, rest: str) -> Page | None:
    """The page for ``rest`` (the path below ``/<slug>/``), or None when WordPress has none."""
    if rest == "wp-json" or rest.startswith("wp-json/"):
        return wordpress_api.handle(req, blog, rest[len("wp-json") :].strip("/"))
    return route(ROUTES, req, blog, rest)
