"""The WordPress REST API: where it lives, its URLs, paging headers and the objects it returns.

A WordPress page advertises its API root in ``<link rel="https://api.w.org/" href=…>`` and in
a ``Link: <…>; rel="https://api.w.org/"`` header. With pretty permalinks the root is
``<home>/wp-json/`` (``<home>/index.php/wp-json/`` with PATHINFO permalinks); with plain
permalinks it is ``<home>/index.php?rest_route=/`` and every route goes into that query
parameter (``?rest_route=/wp/v2/posts&page=2``). Collections are paged: ``X-WP-Total`` and
``X-WP-TotalPages`` (counted before permission filtering, so the last page can be short) and
``Link: <…>; rel="next"``. Objects follow core's schema: a post's ``date_gmt`` is UTC without
an offset; ``_embed`` adds ``_embedded.author`` (an error object instead when the users
endpoint is closed) and ``_embedded["wp:term"]``; a comment has ``parent`` (0 at top level),
``author_name`` ("" for a nameless one) and ``date_gmt``.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawlers.markup.dates import iso_utc
from crawlers.markup.text import plain

API_REL = "https://api.w.org/"
_LINK = re.compile(r"<([^>]+)>\s*;([^,]*(?:,(?!\s*<)[^,]*)*)")


def header_links(value: str | bytes | None) -> dict[str, str]:
    """``rel`` → URL of a ``Link`` header (``<url>; rel="next", <url>; rel="https://api.w.org/"``)."""
    text = value.decode("latin-1") if isinstance(value, bytes) else (value or "")
    out: dict[str, str] = {}
    for url, params in _LINK.findall(text):
        rel = re.search(r"rel\s*=\s*\"?([^\";]+)\"?", params)
        if rel:
            for name in rel[1].split():
                out.setdefault(name, url.strip())
    return out


def api_url(root: str, route: str, **params: Any) -> str:
    """The URL of ``route`` (``wp/v2/posts``) under an API root, with query ``params``.

    ``…/wp-json/`` → ``…/wp-json/wp/v2/posts?page=1``; ``…/index.php?rest_route=/`` →
    ``…/index.php?rest_route=/wp/v2/posts&page=1`` (plain permalinks)."""
    parts = urlsplit(root)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    if "rest_route" in query:
        base = "/" + "/".join(filter(None, [query["rest_route"].strip("/"), route.strip("/")]))
        # the route's slashes stay readable, as WordPress writes them in its own links
        q = f"rest_route={base}" + (f"&{extra}" if extra else "")
        return urlunsplit((parts.scheme, parts.netloc, parts.path, q, ""))
    path = re.sub(r"/wp-json/index\.html?$", "/wp-json/", parts.path)  # a saved copy's name for the root
    path = path if path.endswith("/") else path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path + route.strip("/"), extra, ""))


def home_of_api(root: str) -> str:
    """The blog's home for an API root: ``…/wp-json/``, ``…/index.php/wp-json/``,
    ``…/index.php?rest_route=/`` and ``…/?rest_route=/`` all → ``…/``."""
    parts = urlsplit(root)
    path = parts.path
    if "rest_route" not in parts.query:
        path = re.sub(r"(?:index\.php/)?wp-json(?:/|/index\.html?)?$", "", path)
    path = re.sub(r"index\.php$", "", path)
    return urlunsplit((parts.scheme, parts.netloc, path if path.endswith("/") else path + "/", "", ""))


def total_pages(headers: Any) -> int | None:
    value = headers.get("X-WP-TotalPages")
    text = value.decode("latin-1").strip() if isinstance(value, bytes) else str(value or "").strip()
    return int(text) if text.isdigit() else None


def total_items(headers: Any) -> int | None:
    value = headers.get("X-WP-Total")
    text = value.decode("latin-1").strip() if isinstance(value, bytes) else str(value or "").strip()
    return int(text) if text.isdigit() else None


def rendered(node: Any) -> str:
    return (node or {}).get("rendered", "") if isinstance(node, dict) else str(node or "")


def gmt(value: str | None) -> str | None:
    """WordPress ``*_gmt`` fields are UTC without an offset."""
    return iso_utc(value + "Z" if value and not value.endswith("Z") else value)


def embedded_author(obj: dict[str, Any]) -> dict[str, Any]:
    """The post's author from ``_embed``; empty when the users endpoint answered an error
    (``{"code": "rest_user_invalid_id", …}``) or nothing was embedded."""
    authors = (obj.get("_embedded") or {}).get("author") or [{}]
    author = authors[0] if isinstance(authors[0], dict) else {}
    return {} if "code" in author or not author.get("name") else author


def post_from_rest(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields of a post from one object of ``/wp/v2/posts`` (``_embed`` when given)."""
    embedded = obj.get("_embedded") or {}
    author = embedded_author(obj)
    terms = [t.get("name") for group in embedded.get("wp:term", []) if isinstance(group, list)
             for t in group if isinstance(t, dict) and t.get("name")]
    published = gmt(obj.get("date_gmt"))
    return {
        "url": obj.get("link"),
        "platform_id": str(obj["id"]) if obj.get("id") is not None else None,
        "title": htmllib.unescape(plain(rendered(obj.get("title")))),
        "author": author.get("name"),
        "author_url": author.get("link") or author.get("url") or None,
        "published": published or iso_utc(obj.get("date")),
        "published_basis": "instant" if published else ("local" if obj.get("date") else None),
        "updated": gmt(obj.get("modified_gmt")) or iso_utc(obj.get("modified")),
        "labels": [htmllib.unescape(str(t)) for t in terms],
        "html": rendered(obj.get("content")),
    }


def author_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("author")
    return str(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None


def comment_from_rest(obj: dict[str, Any]) -> dict[str, Any]:
    """A comment from one object of ``/wp/v2/comments``. A nameless comment's ``author_name``
    is "" there; WordPress prints it as "Anonymous" (``get_comment_author``), and so do we."""
    parent = obj.get("parent")
    published = gmt(obj.get("date_gmt"))
    return {
        "id": str(obj["id"]) if obj.get("id") is not None else None,  # none: set aside by validation
        "parent_id": str(parent) if parent else None,
        "author": (obj.get("author_name") or "").strip() or "Anonymous",
        "author_url": obj.get("author_url") or None,
        "published": published or iso_utc(obj.get("date")),
        "published_basis": "instant" if published else ("local" if obj.get("date") else None),
        "html": rendered(obj.get("content")),
    }


def is_people_comment(obj: dict[str, Any]) -> bool:
    """A comment by a person (``type`` "comment"), not a pingback or trackback."""
    return obj.get("type") in (None, "", "comment")
