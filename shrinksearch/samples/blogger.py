"""A sample blog as blogspot.com serves it: pages, archives, comment markups, sitemap, feeds.

Pages: home (newest posts, "Older Posts" via ``/search?updated-max=...&max-results=N``),
``/search`` and ``/search/label/<label>`` with the same date paging, monthly ``/YYYY/MM/`` and
yearly ``/YYYY/`` archives, and the post page ``/YYYY/MM/<slug>.html`` (``?m=1`` and
``?showComment=`` variants answer the same page, as on Blogger). Comments use the blog's
``comment_markup``: ``threaded`` (``div.comment-thread`` with one level of replies, as Blogger
allows) or ``classic`` (a flat ``dl#comments-block``, oldest first). Feeds: blogger_feeds.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import groupby
from typing import Any
from urllib.parse import quote

from lxml import etree

from . import blogger_feeds, extras
from .blogger_feeds import BloggerUrls, author_uri, comment_html, display_time, is_blog_author
from .network import Blog, Comment, Post
from .pages import Page, Req, bad_request, clock, html_page, long_date, not_found, route, stable_digits, xml_page

HOME_POSTS = 7
"""Blogger's default "show at most 7 posts on the main page"."""
SITEMAP_PAGE = 150
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


# --- view models -----------------------------------------------------------------------------


def _blog_view(urls: BloggerUrls) -> dict[str, Any]:
    blog = urls.blog
    return {"name": blog.name, "tagline": blog.tagline, "home": urls.home, "posts_feed": urls.posts_feed, "blog_id": blog.blog_id}


def _post_view(urls: BloggerUrls, post: Post) -> dict[str, Any]:
    blog, local = urls.blog, urls.blog.local(post.published)
    author = blog.author(post.author).name
    return {
        "id": post.id,
        "blog_id": blog.blog_id,
        "title": post.title,
        "url": urls.post_page(post),
        "body": post.body,
        "author": author,
        "author_profile": urls.profile(author),
        "iso": local.isoformat(timespec="seconds"),
        "clock": clock(local),
        "date_header": f"{local:%A}, {long_date(local)}",
        "labels": [(label, _label_url(urls, label)) for label in post.labels],
        "comment_count": post.comment_count(),
        "comments_feed": urls.comments_feed(post),
        "pid": stable_digits(author, length=9),
    }


def _label_url(urls: BloggerUrls, label: str) -> str:
    return f"{urls.home}search/label/{quote(label)}"


def _sidebar(urls: BloggerUrls) -> dict[str, Any]:
    blog = urls.blog
    labels = sorted({label for p in blog.posts for label in p.labels})
    return {
        "contributors": [(a.name, urls.profile(a.name)) for a in blog.authors],
        "labels": [(lbl, _label_url(urls, lbl), sum(lbl in p.labels for p in blog.posts)) for lbl in labels],
        "archive": _archive_tree(urls),
        "calendar": f"{urls.home}calendar/?month=2008-01",
        "private": f"{urls.home}private/",
    }


def _archive_tree(urls: BloggerUrls) -> list[dict[str, Any]]:
    """Years, then months, newest first, each with its posts: Blogger's BlogArchive widget."""
    blog = urls.blog
    posts = blog.newest_first()
    years = []
    for year, group in groupby(posts, key=lambda p: blog.local(p.published).year):
        in_year = list(group)
        months = [
            {
                "name": f"{blog.local(ps[0].published):%B}",
                "url": f"{urls.home}{year}/{month:02d}/",
                "count": len(ps),
                "posts": [(p.title, urls.post_page(p)) for p in ps],
            }
            for month, of_month in groupby(in_year, key=lambda p: blog.local(p.published).month)
            for ps in [list(of_month)]
        ]
        years.append({"name": str(year), "url": f"{urls.home}{year}/", "count": len(in_year), "months": months})
    return years


def _comment_view(urls: BloggerUrls, post: Post, comment: Comment, top: bool) -> dict[str, Any]:
    blog = urls.blog
    url = author_uri(urls, comment.author, comment.author_url)
    return {
        "id": comment.id,
        "author": comment.display_author,
        "author_url": url,
        "is_blog_author": is_blog_author(blog, comment.author),
        "avatar": "//resources.blogblog.com/img/blank.gif" if url is None else "//www.blogger.com/img/blogger_logo_round_35.png",
        "display_time": display_time(blog, comment.published),
        "permalink": urls.comment_permalink(post, comment),
        "body": comment_html(comment.body),
        "pid": stable_digits(comment.display_author, length=9),
        "top": top,
        "replies": [],
    }


def _threaded(urls: BloggerUrls, post: Post) -> list[dict[str, Any]]:
    """Top-level comments, each with every reply below it flattened into one thread, by date."""
    tops = []
    for top in post.comments:
        view = _comment_view(urls, post, top, top=True)
        below = sorted((c for c, _ in top.walk() if c is not top), key=lambda c: c.published)
        view["replies"] = [_comment_view(urls, post, c, top=False) for c in below]
        tops.append(view)
    return tops


def _classic(urls: BloggerUrls, post: Post) -> list[dict[str, Any]]:
    """Every comment in one flat list, oldest first: the classic layout knows no threads."""
    every = sorted((c for c, _ in post.walk()), key=lambda c: (c.published, c.id))
    return [_comment_view(urls, post, c, top=False) for c in every]


def _count_label(count: int) -> str:
    return f"{count} comment{'s' if count != 1 else ''}:" if count else "No comments:"


# --- list pages -------------------------------------------------------------------------------


def _page_date(blog: Blog, moment: datetime) -> str:
    return quote(blog.local(moment).isoformat(timespec="seconds"), safe=":")


def _choose(req: Req, blog: Blog, posts: list[Post], per_page: int) -> list[Post]:
    """The posts one list page shows, newest first, honouring Blogger's date paging."""
    newest = sorted(posts, key=lambda p: p.published, reverse=True)
    upper, lower = req.date_param("updated-max", blog.tz), req.date_param("updated-min", blog.tz)
    if lower is not None and req.query.get("reverse-paginate") == "true":
        later = [p for p in reversed(newest) if p.published > lower][:per_page]
        return sorted(later, key=lambda p: p.published, reverse=True)
    return [p for p in newest if upper is None or p.published < upper][:per_page]


def _pager(urls: BloggerUrls, posts: list[Post], shown: list[Post], list_url: str, per_page: int) -> dict[str, str | None]:
    blog = urls.blog
    if not shown:
        return {"newer": None, "older": None}
    first, last = shown[0], shown[-1]
    older = any(p.published < last.published for p in posts)
    newer = any(p.published > first.published for p in posts)
    return {
        "older": f"{list_url}?updated-max={_page_date(blog, last.published)}&max-results={per_page}" if older else None,
        "newer": f"{list_url}?updated-min={_page_date(blog, first.published)}&max-results={per_page}&reverse-paginate=true" if newer else None,
    }


def _days(urls: BloggerUrls, shown: list[Post]) -> list[dict[str, Any]]:
    views = [_post_view(urls, p) for p in shown]
    return [{"header": header, "posts": list(group)} for header, group in groupby(views, key=lambda v: v["date_header"])]


def _listing(req: Req, blog: Blog, posts: list[Post], list_url: str, heading: str | None, title: str) -> Page:
    try:
        per_page = req.int_param("max-results", HOME_POSTS, hi=500)
        shown = _choose(req, blog, posts, per_page)
    except ValueError as err:
        return bad_request(f"Invalid query: {err}")
    urls = BloggerUrls(req, blog)
    page = html_page(
        "blogger/list.html",
        blog=_blog_view(urls),
        sidebar=_sidebar(urls),
        days=_days(urls, shown),
        pager=_pager(urls, posts, shown, list_url, per_page),
        heading=heading,
        canonical=req.url(req.path),
        og_title=title,
        page_title=title,
    )
    page.last_modified = max((p.modified for p in blog.posts), default=None)
    return page


def home(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    """The home page and /search: the same list, paged through /search as Blogger does."""
    return _listing(req, blog, blog.posts, f"{req.blog_home(blog)}search", None, blog.name)


def label_page(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    label = match.group("label")
    posts = [p for p in blog.posts if label in p.labels]
    if not posts:
        return not_found("No posts with this label")
    url = _label_url(BloggerUrls(req, blog), label)
    heading = f"Showing posts with label {label}. Show all posts"
    return _listing(req, blog, posts, url, heading, f"{blog.name}: {label}")


def archive(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    """Monthly (/YYYY/MM/) or yearly (/YYYY/) archive: every post of the period."""
    year, month = int(match.group("year")), match.group("month")

    def in_period(p: Post) -> bool:
        local = blog.local(p.published)
        return local.year == year and (month is None or local.month == int(month))

    posts = [p for p in blog.posts if in_period(p)]
    if not posts:
        return not_found("No posts in this period")
    urls = BloggerUrls(req, blog)
    shown = sorted(posts, key=lambda p: p.published, reverse=True)
    page = html_page(
        "blogger/list.html",
        blog=_blog_view(urls),
        sidebar=_sidebar(urls),
        days=_days(urls, shown),
        pager={"newer": None, "older": None},
        heading=None,
        canonical=req.url(req.path),
        og_title=f"{blog.name}: {year}" + (f"/{month}" if month else ""),
        page_title=blog.name,
    )
    page.last_modified = max(p.modified for p in posts)
    return page


def post_page(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = blog.post_by_slug(match.group("slug"))
    if post is None or blog.post_path(post) != f"/{blog.slug}/{match.group(0)}":
        return not_found("Sorry, the page you were looking for in this blog does not exist.")
    urls = BloggerUrls(req, blog)
    ordered = blog.newest_first()
    at = ordered.index(post)
    comments = _classic(urls, post) if blog.comment_markup == "classic" else _threaded(urls, post)
    page = html_page(
        "blogger/item.html",
        blog=_blog_view(urls),
        sidebar=_sidebar(urls),
        post=_post_view(urls, post),
        markup=blog.comment_markup,
        comments=comments,
        count_label=_count_label(post.comment_count()),
        pager={
            "newer": urls.post_page(ordered[at - 1]) if at > 0 else None,
            "older": urls.post_page(ordered[at + 1]) if at + 1 < len(ordered) else None,
        },
        canonical=urls.post_page(post),
        og_title=post.title,
        page_title=f"{blog.name}: {post.title}",
    )
    page.last_modified = post.last_activity()
    return page


def sitemap(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    """Blogger's /sitemap.xml: an index of pages, each a urlset of posts (newest first)."""
    urls, posts = BloggerUrls(req, blog), blog.newest_first()
    pages = max(1, -(-len(posts) // SITEMAP_PAGE))
    if "page" not in req.query:
        root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
        for number in range(1, pages + 1):
            entry = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
            etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = f"{urls.home}sitemap.xml?page={number}"
        return xml_page(root, "application/xml; charset=UTF-8", max((p.modified for p in posts), default=None))
    try:
        number = req.int_param("page", 1, hi=pages)
    except ValueError:
        return not_found("No such sitemap page")
    chunk = posts[(number - 1) * SITEMAP_PAGE : number * SITEMAP_PAGE]
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for post in chunk:
        entry = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = urls.post_page(post)
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = post.modified.isoformat().replace("+00:00", "Z")
    return xml_page(root, "application/xml; charset=UTF-8", max((p.modified for p in chunk), default=None))


ROUTES = [
    (re.compile(r""), home),
    (re.compile(r"search/?"), home),
    (re.compile(r"search/label/(?P<label>[^/]+)"), label_page),
    (re.compile(r"(?P<year>[0-9]{4})(?:/(?P<month>[0-9]{2}))?/?"), archive),
    (re.compile(r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<slug>[^/]+)\.html"), post_page),
    (re.compile(r"sitemap\.xml"), sitemap),
    (re.compile(r"favicon\.ico"), lambda req, blog, m: extras.favicon(req)),
    *blogger_feeds.FEED_ROUTES,
]


def handle(req: Req, blog: Blog, rest: str) -> Page | None:
    """The page for ``rest`` (the path below ``/<slug>/``), or None when Blogger has none."""
    return route(ROUTES, req, blog, rest)
