"""The WordPress REST API (``/wp-json/``) of a sample blog, as WordPress 6.x answers it.

``wp/v2/posts`` (``page``, ``per_page`` 1-100 default 10, ``after``/``before``,
``modified_after``/``modified_before``, ``slug``, ``include``, ``author``, ``orderby``,
``order``, ``_embed``, ``_fields``), ``wp/v2/posts/<id>``, ``wp/v2/comments`` (``post``,
``parent``, ``after``/``before``, paging, order; newest first by default),
``wp/v2/comments/<id>``, ``wp/v2/users[/<id>]``, ``wp/v2/tags[/<id>]``,
``wp/v2/categories[/<id>]`` and the index ``/wp-json/``. Collections carry ``X-WP-Total``,
``X-WP-TotalPages`` and a ``Link`` header with ``rel="next"``/``"prev"``; errors are
WordPress's ``{"code", "message", "data": {"status"}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from .network import Blog, Comment, Post
from .pages import Page, Req, naive_iso, route, words
from .wordpress_site import UNCATEGORIZED, WP_VERSION, Term, WpSite, post_classes, texturize

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
EMBEDDED_REPLIES = 10
"""_embed includes the first page of a post's comments (the default per_page), not all of them."""


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None, last_modified: datetime | None = None) -> Page:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    base = {"Allow": "GET", "X-Content-Type-Options": "nosniff"}
    return Page(body, "application/json; charset=UTF-8", status, {**base, **(headers or {})}, last_modified, cacheable=status == 200)


def _error(code: str, message: str, status: int) -> Page:
    return _json({"code": code, "message": message, "data": {"status": status}}, status)


def _bad_param(name: str, reason: str) -> Page:
    return _json(
        {"code": "rest_invalid_param", "message": f"Invalid parameter(s): {name}", "data": {"status": 400, "params": {name: reason}, "details": {}}},
        400,
    )


# --- objects ---------------------------------------------------------------------------------


def _links(**rels: list[dict[str, Any]]) -> dict[str, Any]:
    return {rel.replace("__", ":").replace("_", "-"): value for rel, value in rels.items()}


def user_object(site: WpSite, key: str) -> dict[str, Any]:
    author, uid = site.blog.author(key), site.user_id(key)
    return {
        "id": uid,
        "name": author.name,
        "url": "",
        "description": "",
        "link": site.author_url(key),
        "slug": key,
        "avatar_urls": {str(s): site.avatar(author.name, s) for s in (24, 48, 96)},
        "meta": [],
        "_links": {"self": [{"href": site.rest(f"wp/v2/users/{uid}")}], "collection": [{"href": site.rest("wp/v2/users")}]},
    }


def term_object(site: WpSite, term: Term) -> dict[str, Any]:
    route_name = "tags" if term.taxonomy == "post_tag" else "categories"
    count = sum(1 for p in site.blog.posts if term.taxonomy == "category" or term.name in p.labels)
    link = site.tag_url(term) if term.taxonomy == "post_tag" else f"{site.home}category/{term.slug}/"
    data = {"id": term.id, "count": count, "description": "", "link": link, "name": term.name, "slug": term.slug, "taxonomy": term.taxonomy}
    if term.taxonomy == "category":
        data["parent"] = 0
    return {**data, "meta": [], "_links": {"self": [{"href": site.rest(f"wp/v2/{route_name}/{term.id}")}]}}


def post_object(site: WpSite, post: Post) -> dict[str, Any]:
    blog, uid = site.blog, site.user_id(post.author)
    return {
        "id": int(post.id),
        "date": naive_iso(post.published, blog.tz),
        "date_gmt": naive_iso(post.published, timezone.utc),
        "guid": {"rendered": site.shortlink(post)},
        "modified": naive_iso(post.modified, blog.tz),
        "modified_gmt": naive_iso(post.modified, timezone.utc),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": site.post_url(post),
        "title": {"rendered": texturize(post.title)},
        "content": {"rendered": post.body, "protected": False},
        "excerpt": {"rendered": f"<p>{words(post.body, 55)}</p>\n", "protected": False},
        "author": uid,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": {"footnotes": ""},
        "categories": [UNCATEGORIZED],
        "tags": [t.id for t in site.post_tags(post)],
        "class_list": post_classes(site, post).split(),
        "_links": _post_links(site, post, uid),
    }


def _post_links(site: WpSite, post: Post, uid: int) -> dict[str, Any]:
    return _links(
        self=[{"href": site.rest(f"wp/v2/posts/{post.id}"), "targetHints": {"allow": ["GET"]}}],
        collection=[{"href": site.rest("wp/v2/posts")}],
        about=[{"href": site.rest("wp/v2/types/post")}],
        author=[{"embeddable": True, "href": site.rest(f"wp/v2/users/{uid}")}],
        replies=[{"embeddable": True, "href": site.rest(f"wp/v2/comments?post={post.id}")}],
        wp__term=[
            {"taxonomy": "category", "embeddable": True, "href": site.rest(f"wp/v2/categories?post={post.id}")},
            {"taxonomy": "post_tag", "embeddable": True, "href": site.rest(f"wp/v2/tags?post={post.id}")},
        ],
        curies=[{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}],
    )


def comment_object(site: WpSite, post: Post, comment: Comment, parent: Comment | None) -> dict[str, Any]:
    blog = site.blog
    links = _links(
        self=[{"href": site.rest(f"wp/v2/comments/{comment.id}"), "targetHints": {"allow": ["GET"]}}],
        collection=[{"href": site.rest("wp/v2/comments")}],
        up=[{"embeddable": True, "post_type": "post", "href": site.rest(f"wp/v2/posts/{post.id}")}],
    )
    if parent is not None:
        links["in-reply-to"] = [{"embeddable": True, "href": site.rest(f"wp/v2/comments/{parent.id}")}]
    return {
        "id": int(comment.id),
        "post": int(post.id),
        "parent": int(parent.id) if parent else 0,
        "author": site.commenter_user_id(comment.author),
        "author_name": comment.author,
        "author_url": comment.author_url or "",
        "date": naive_iso(comment.published, blog.tz),
        "date_gmt": naive_iso(comment.published, timezone.utc),
        "content": {"rendered": comment.body.strip() + "\n"},
        "link": site.comment_url(post, comment),
        "status": "approved",
        "type": "comment",
        "author_avatar_urls": {str(s): site.avatar(comment.author, s) for s in (24, 48, 96)},
        "meta": [],
        "_links": links,
    }


def _embedded(site: WpSite, post: Post) -> dict[str, Any]:
    replies = sorted(post.walk(), key=lambda cp: (cp[0].published, cp[0].id), reverse=True)[:EMBEDDED_REPLIES]
    terms = [[term_object(site, t) for t in site.categories()], [term_object(site, t) for t in site.post_tags(post)]]
    embedded: dict[str, Any] = {"author": [user_object(site, post.author)], "wp:term": terms}
    if replies:
        embedded["replies"] = [[comment_object(site, post, c, p) for c, p in replies]]
    return embedded


# --- collections -------------------------------------------------------------------------------


class BadParam(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name


def _int(req: Req, name: str, default: int, lo: int = 1, hi: int | None = None) -> int:
    try:
        return req.int_param(name, default, lo, hi)
    except ValueError:
        limit = f" and {hi}" if hi else ""
        raise BadParam(name, f"{name} must be between {lo}{limit} (inclusive).") from None


def _date(req: Req, blog: Blog, name: str) -> datetime | None:
    try:
        return req.date_param(name, blog.tz)
    except ValueError:
        raise BadParam(name, "Invalid date.") from None


def _ids(req: Req, name: str) -> set[str] | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    values = {v.strip() for v in raw.split(",") if v.strip()}
    if not all(v.isdigit() for v in values):
        raise BadParam(name, f"{name}[0] is not of type integer.")
    return {str(int(v)) for v in values}


def _collection(req: Req, site: WpSite, items: list[Any], to_json: Callable[[Any], dict[str, Any]], route_name: str, strict_pages: bool) -> Page:
    per_page = _int(req, "per_page", DEFAULT_PER_PAGE, hi=MAX_PER_PAGE)
    number = _int(req, "page", 1)
    total = len(items)
    pages = -(-total // per_page)
    if strict_pages and number > max(pages, 1):
        return _error("rest_post_invalid_page_number", "The page number requested is larger than the number of pages available.", 400)
    chunk = items[(number - 1) * per_page : number * per_page]
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    links = _page_links(req, site, route_name, number, pages)
    if links:
        headers["Link"] = links
    data = [_fields(req, to_json(i)) for i in chunk]
    return _json(data, headers=headers)


def _page_links(req: Req, site: WpSite, route_name: str, number: int, pages: int) -> str:
    others = {k: v for k, v in req.query.items() if k != "page"}

    def href(n: int) -> str:
        return site.rest(route_name) + "?" + urlencode({**others, "page": n})

    links = []
    if number > 1:
        links.append(f'<{href(min(number - 1, max(pages, 1)))}>; rel="prev"')
    if number < pages:
        links.append(f'<{href(number + 1)}>; rel="next"')
    return ", ".join(links)


def _fields(req: Req, data: dict[str, Any]) -> dict[str, Any]:
    wanted = req.query.get("_fields")
    if not wanted:
        return data
    keep = {f.strip().split(".")[0] for f in wanted.split(",")}
    return {k: v for k, v in data.items() if k in keep}


def _order(req: Req, allowed: dict[str, Callable[[Any], Any]], default: str) -> tuple[Callable[[Any], Any], bool]:
    orderby, order = req.query.get("orderby", default), req.query.get("order", "desc")
    if orderby not in allowed:
        raise BadParam("orderby", f"orderby is not one of {', '.join(allowed)}.")
    if order not in ("asc", "desc"):
        raise BadParam("order", "order is not one of desc and asc.")
    return allowed[orderby], order == "desc"


def _between(moment: datetime, after: datetime | None, before: datetime | None) -> bool:
    return (after is None or moment > after) and (before is None or moment < before)


def posts(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    after, before = _date(req, blog, "after"), _date(req, blog, "before")
    m_after, m_before = _date(req, blog, "modified_after"), _date(req, blog, "modified_before")
    include, authors, slugs = _ids(req, "include"), _ids(req, "author"), req.query.get("slug")
    chosen = [
        p
        for p in blog.posts
        if _between(p.published, after, before)
        and _between(p.modified, m_after, m_before)
        and (include is None or p.id in include)
        and (authors is None or str(site.user_id(p.author)) in authors)
        and (slugs is None or p.slug in slugs.split(","))
    ]
    key, reverse = _order(req, {"date": lambda p: p.published, "modified": lambda p: p.modified, "id": lambda p: int(p.id), "title": lambda p: p.title, "slug": lambda p: p.slug}, "date")
    chosen.sort(key=key, reverse=reverse)
    embed = "_embed" in req.query

    def to_json(post: Post) -> dict[str, Any]:
        data = post_object(site, post)
        return {**data, "_embedded": _embedded(site, post)} if embed else data

    page = _collection(req, site, chosen, to_json, "wp/v2/posts", strict_pages=True)
    page.last_modified = max((p.modified for p in chosen), default=None)
    return page


def one_post(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    post = blog.post(match.group("id"))
    if post is None:
        return _error("rest_post_invalid_id", "Invalid post ID.", 404)
    site = WpSite(req, blog)
    data = post_object(site, post)
    if "_embed" in req.query:
        data["_embedded"] = _embedded(site, post)
    return _json(_fields(req, data), last_modified=post.modified)


def comments(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    post_ids, parents = _ids(req, "post"), _ids(req, "parent")
    after, before = _date(req, blog, "after"), _date(req, blog, "before")
    chosen = [
        (post, c, parent)
        for post in blog.posts
        if post_ids is None or post.id in post_ids
        for c, parent in post.walk()
        if (parents is None or (parent.id if parent else "0") in parents) and _between(c.published, after, before)
    ]
    by_date: Callable[[Any], Any] = lambda t: (t[1].published, int(t[1].id))
    key, reverse = _order(
        req,
        {"date": by_date, "date_gmt": by_date, "id": lambda t: int(t[1].id), "post": lambda t: int(t[0].id), "parent": lambda t: int(t[2].id) if t[2] else 0},
        "date_gmt",
    )
    chosen.sort(key=key, reverse=reverse)
    page = _collection(req, site, chosen, lambda t: comment_object(site, *t), "wp/v2/comments", strict_pages=False)
    page.last_modified = max((c.published for _, c, _ in chosen), default=None)
    return page


def one_comment(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    found = blog.comment(match.group("id"))
    if found is None:
        return _error("rest_comment_invalid_id", "Invalid comment ID.", 404)
    return _json(_fields(req, comment_object(WpSite(req, blog), *found)), last_modified=found[1].published)


def users(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    if match.group("id"):
        uid = int(match.group("id"))
        if not 1 <= uid <= len(blog.authors):
            return _error("rest_user_invalid_id", "Invalid user ID.", 404)
        return _json(_fields(req, user_object(site, blog.authors[uid - 1].key)))
    keys = [a.key for a in blog.authors]
    return _collection(req, site, keys, lambda k: user_object(site, k), "wp/v2/users", strict_pages=True)


def terms(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    kind = match.group("kind")
    every = site.tags() if kind == "tags" else site.categories()
    if match.group("id"):
        term = next((t for t in every if t.id == int(match.group("id"))), None)
        if term is None:
            return _error("rest_term_invalid", "Term does not exist.", 404)
        return _json(_fields(req, term_object(site, term)))
    post_ids, include = _ids(req, "post"), _ids(req, "include")
    chosen = [
        t
        for t in every
        if (include is None or str(t.id) in include)
        and (post_ids is None or any(p.id in post_ids and (kind == "categories" or t.name in p.labels) for p in blog.posts))
    ]
    return _collection(req, site, chosen, lambda t: term_object(site, t), f"wp/v2/{kind}", strict_pages=True)


def index(req: Req, blog: Blog, match: re.Match[str]) -> Page:
    site = WpSite(req, blog)
    routes = ["/wp/v2/posts", "/wp/v2/posts/(?P<id>[\\d]+)", "/wp/v2/comments", "/wp/v2/comments/(?P<id>[\\d]+)", "/wp/v2/users", "/wp/v2/tags", "/wp/v2/categories"]
    return _json(
        {
            "name": blog.name,
            "description": blog.tagline,
            "url": site.home.rstrip("/"),
            "home": site.home.rstrip("/"),
            "gmt_offset": blog.tz.utcoffset(None).total_seconds() / 3600,
            "timezone_string": "",
            "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"],
            "authentication": [],
            "routes": {r: {"namespace": "wp/v2", "methods": ["GET"], "endpoints": [{"methods": ["GET"], "args": {}}]} for r in routes},
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
            "generator": f"WordPress {WP_VERSION}",
        }
    )


ROUTES = [
    (re.compile(r""), index),
    (re.compile(r"wp/v2/posts"), posts),
    (re.compile(r"wp/v2/posts/(?P<id>[0-9]+)"), one_post),
    (re.compile(r"wp/v2/comments"), comments),
    (re.compile(r"wp/v2/comments/(?P<id>[0-9]+)"), one_comment),
    (re.compile(r"wp/v2/users(?:/(?P<id>[0-9]+))?"), users),
    (re.compile(r"wp/v2/(?P<kind>tags|categories)(?:/(?P<id>[0-9]+))?"), terms),
]


def handle(req: Req, blog: Blog, api_route: str) -> Page:
    """Answer ``/wp-json/<api_route>`` (also reached as ``/?rest_route=/<api_route>``)."""
    try:
        page = route(ROUTES, req, blog, api_route.strip("/"))
    except BadParam as err:
        return _bad_param(err.name, str(err))
    if page is None:
        return _error("rest_no_route", "No route was found matching the URL and request method.", 404)
    return page
