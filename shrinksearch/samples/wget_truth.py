"""What a saved copy of a sample blog holds, read back from its files: the ground truth of a
crawl of the copy.

``held`` reads the files wget saved of one blog (``shrinksearch.samples.wget_mirror``): a
post is held when its own page was saved, or an entry of a saved feed or REST response
describes it; a comment when its post's saved page shows it (its anchor ``id="c<id>"`` /
``id="comment-<id>"`` is in the page) or a saved feed lists it. ``mirror_truth`` turns that
into the ``shrinksearch.samples.groundtruth`` format, with what the network says about each
held record (author, date, text and, where what holds a comment shows threading, its
parent), so ``groundtruth.check`` can compare a crawl of the copy with it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from lxml import etree

from shrinksearch.clean.html import html_to_text

from .network import Blog
from .wget_mirror import SavedBlog
from .wordpress_site import texturize

Source = Literal["page", "feed"]


@dataclass
class Held:
    """The posts and comments a saved copy of one blog holds, read back from its files:
    post id → where it is held, comment id → where it is held ("page": its post's saved page;
    "feed": an entry of a saved feed or REST response)."""

    posts: dict[str, set[Source]] = field(default_factory=dict)
    comments: dict[str, set[Source]] = field(default_factory=dict)

    def pages(self) -> set[str]:
        """Posts whose own page the copy holds."""
        return {post for post, where in self.posts.items() if "page" in where}


_COMMENT_ANCHOR = re.compile(r"""\bid=["'](?:c|comment-)(\d+)["']""")
_BLOGGER_ID = re.compile(r"\.post-(\d+)$")
_WORDPRESS_GUID = re.compile(r"[?&]p=(\d+)(?:#comment-(\d+))?$")


def held(saved: SavedBlog, blog: Blog, root: Path) -> Held:
    """What the files saved of ``blog`` hold: pages by the URL they came from, feeds and REST
    responses by the ids of their entries."""
    found = Held()
    paths = {blog.post_path(p): p for p in blog.posts}
    comment_ids = {c.id for p in blog.posts for c, _ in p.walk()}
    post_ids = {p.id for p in blog.posts}
    for file, url in saved.fetched.items():
        body = (root / file).read_bytes()
        kind = saved.media_types[file].split(";")[0].strip().lower()
        post = paths.get(urlsplit(url).path)
        if kind == "text/html" and post is not None:
            found.posts.setdefault(post.id, set()).add("page")
            mine = {c.id for c, _ in post.walk()}
            for comment_id in set(_COMMENT_ANCHOR.findall(body.decode("utf-8", "replace"))) & mine:
                found.comments.setdefault(comment_id, set()).add("page")
        elif kind.endswith("xml"):
            _held_in_feed(body, blog, post_ids, comment_ids, found)
        elif kind == "application/json":
            _held_in_rest(body, post_ids, comment_ids, found)
    return found


def _held_in_feed(body: bytes, blog: Blog, post_ids: set[str], comment_ids: set[str], found: Held) -> None:
    tree = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    if tree is None:
        return
    ids = [e.text or "" for e in tree.iter("{http://www.w3.org/2005/Atom}id", "guid")]
    links = {urlsplit(e.text or "").path for e in tree.iter("link") if e.getparent() is not None and e.getparent().tag == "item"}
    for value in ids:
        value = value.strip()
        blogger, wordpress = _BLOGGER_ID.search(value), _WORDPRESS_GUID.search(value)
        if blogger and blogger[1] in post_ids:
            found.posts.setdefault(blogger[1], set()).add("feed")
        elif blogger and blogger[1] in comment_ids:
            found.comments.setdefault(blogger[1], set()).add("feed")
        elif wordpress and wordpress[2] in comment_ids:
            found.comments.setdefault(wordpress[2], set()).add("feed")
        elif wordpress and not wordpress[2] and wordpress[1] in post_ids:
            found.posts.setdefault(wordpress[1], set()).add("feed")
    for post in blog.posts:
        if blog.post_path(post) in links:
            found.posts.setdefault(post.id, set()).add("feed")


def _held_in_rest(body: bytes, post_ids: set[str], comment_ids: set[str], found: Held) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        return
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict) or "id" not in item:
            continue
        key = str(item["id"])
        if "author_name" in item and key in comment_ids:
            found.comments.setdefault(key, set()).add("feed")
        elif item.get("type") == "post" and key in post_ids:
            found.posts.setdefault(key, set()).add("feed")


def mirror_truth(saved: SavedBlog, blog: Blog, root: Path) -> dict[str, Any]:
    """Ground truth for a crawl of the copy of ``blog`` (``shrinksearch.samples.groundtruth``
    format, paths under the served copy): every post and comment it holds, with the author,
    date and text the network gave them and, where what holds a comment shows threading,
    its parent as the platform serves it."""
    holds = held(saved, blog, root)
    posts, comments = [], []
    for post in sorted(blog.posts, key=lambda p: (p.published, p.id)):
        if post.id not in holds.posts:
            continue
        mine = [(c, p) for c, p in post.walk() if c.id in holds.comments]
        posts.append({"url": blog.post_path(post), "title": _shown_title(blog, post.title),
                      "author": blog.author(post.author).name, "published": _iso(post.published),
                      "text_has": _first_words(post.body), "comments": len(mine)})
        for comment, _ in mine:
            entry: dict[str, Any] = {"post": blog.post_path(post), "id": comment.id,
                                     "author": _shown_name(comment.display_author), "published": _iso(comment.published),
                                     "text_has": _first_words(comment.body)}
            if _threading_shown(blog, holds.comments[comment.id]):
                entry["parent"] = blog.served_parent(post, comment)
            comments.append(entry)
    return {"structure_from": "the sample network, saved by shrinksearch.samples.wget_mirror (GNU Wget 1.21 rules)",
            "start": f"/{blog.slug}/", "posts": posts, "comments": comments}


def _threading_shown(blog: Blog, where: set[Source]) -> bool:
    """Whether what holds a comment says what it replies to: every page but Blogger's classic
    (flat) comments, and Blogger's feeds (``link rel=related``); WordPress's comment RSS does not."""
    page = "page" in where and not (blog.platform == "blogger" and blog.comment_markup == "classic")
    return page or ("feed" in where and blog.platform == "blogger")


def _shown_title(blog: Blog, title: str) -> str:
    """The title as the platform prints it (WordPress curls apostrophes)."""
    return html.unescape(texturize(title)) if blog.platform == "wordpress" else title


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _first_words(body: str, count: int = 8) -> str:
    return " ".join(html_to_text(body).split()[:count])


def _shown_name(name: str) -> str | None:
    """The name a crawl can read: a blank one (a static blog printing " ") names nobody."""
    return name.strip() or None
