"""One record per post and per comment, whatever number of sources described them.

A crawl may meet one post several times: in the posts feed, through the REST API, on its
own page, in a sitemap, in an archive listing. Each source knows some fields best (a feed's
date is an exact instant, a page's byline names an author the feed left out). When the
crawl finishes, ``merge_records`` folds every description of one post or comment into one
record and writes them in a stable order, so the same site crawled twice — fast or polite,
in any order — gives the same records (``crawled`` times aside).

Identity: a post is the same post when it has the same platform id (Blogger postId,
WordPress id) on the same blog, else the same canonical URL; a comment is its post plus its
comment id. Two posts that share a slug in different months have different URLs and ids, so
they stay two. A comment keeps its post: its ``post_url`` is rewritten to the URL its merged
post ends up with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from crawlers.markup.dates import BASIS_RANK
from crawlers.urls import canonical_url, is_saved_query_name, is_under


def merge_records(records: Iterable[dict[str, Any]], blog_url: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """The merged records in a stable order, and how many descriptions were folded in.

    ``blog_url`` (the crawl's root) decides which URL a post keeps when its sources disagree:
    the one under the root the crawl fetched from (a mirror's copy rather than the original
    host its feed still names)."""
    posts: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for record in records:
        (comments if record.get("type") == "comment" else posts).append(record)
    merged_posts, url_of, folded = _merge_posts(posts, blog_url)
    merged_comments, folded_comments = _merge_comments(comments, url_of)
    ordered_posts = sorted(merged_posts, key=lambda p: (p.get("published") or "", p["url"]))
    order = {p["url"]: i for i, p in enumerate(ordered_posts)}
    ordered_comments = sorted(merged_comments, key=lambda c: (
        order.get(c["post_url"], len(order)), c["post_url"], c.get("position") or 0, str(c.get("id"))))
    return ordered_posts + ordered_comments, folded + folded_comments


def _post_keys(post: dict[str, Any]) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if post.get("platform_id"):
        keys.append(("id", str(post.get("blog_url")), str(post["platform_id"])))
    if post.get("url"):
        keys.append(("url", canonical_url(post["url"])))
    return keys


def _merge_posts(posts: list[dict[str, Any]], blog_url: str | None
                 ) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """Posts folded by platform id or canonical URL; also every URL seen → the URL kept."""
    groups: list[list[dict[str, Any]]] = []
    group_of: dict[tuple[str, ...], int] = {}
    for post in posts:
        keys = _post_keys(post)
        found = sorted({group_of[k] for k in keys if k in group_of})
        if not found:
            groups.append([post])
            index = len(groups) - 1
        else:  # a record may join two groups (id from one, URL from the other): fold them
            index = found[0]
            for other in found[1:]:
                groups[index].extend(groups[other])
                groups[other] = []
                for key, at in list(group_of.items()):
                    if at == other:
                        group_of[key] = index
            groups[index].append(post)
        for key in keys:
            group_of[key] = index
    merged, url_of, folded = [], {}, 0
    for group in filter(None, groups):
        post = _fold_post(group, blog_url)
        merged.append(post)
        folded += len(group) - 1
        for member in group:
            if member.get("url"):
                url_of[canonical_url(member["url"])] = post["url"]
    return merged, url_of, folded


def _fold_post(group: list[dict[str, Any]], blog_url: str | None) -> dict[str, Any]:
    post = _fold_all(group)
    urls = [m["url"] for m in group if m.get("url")]
    in_scope = [u for u in urls if blog_url and is_under(u, blog_url)]
    post["url"] = min(in_scope or urls, key=_url_preference) if urls else post.get("url")
    labels = {label for m in group for label in m.get("labels") or []}
    post["labels"] = sorted(labels)
    counts = [m["comment_count"] for m in group if m.get("comment_count") is not None]
    post["comment_count"] = max(counts) if counts else None
    return post


def _url_preference(url: str) -> tuple[bool, int, str]:
    """Which of a post's URLs to keep: not a saved copy's name for a query URL (wget saves
    WordPress's ``/?p=501`` shortlink as ``index.html%3Fp=501.html`` and points every link to
    the post there), then the shortest, then the first in order."""
    return (is_saved_query_name(url), len(url), url)


def _merge_comments(comments: list[dict[str, Any]], url_of: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for comment in comments:
        post_url = url_of.get(canonical_url(comment["post_url"]), comment["post_url"]) if comment.get("post_url") else ""
        comment = {**comment, "post_url": post_url}
        groups.setdefault((canonical_url(post_url) if post_url else "", str(comment.get("id"))), []).append(comment)
    return [_fold_all(members) for members in groups.values()], sum(len(m) - 1 for m in groups.values())


def _fold_all(members: list[dict[str, Any]]) -> dict[str, Any]:
    """Every description of one record folded into one, in an order of their content."""
    if len(members) == 1:
        return members[0]
    ordered = sorted(members, key=_content_key)
    record = dict(ordered[0])
    for other in ordered[1:]:
        record = _fold(record, other)
    return record


def _content_key(record: dict[str, Any]) -> str:
    """An order for the descriptions of one record that does not depend on the order the
    crawl met them in (the crawl time left out), so folding them gives the same record."""
    return json.dumps({k: v for k, v in record.items() if k != "crawled"}, sort_keys=True, default=str)


def _fold(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Two descriptions of one record: empty fields filled, the better date and author kept."""
    out = dict(kept)
    for name, value in other.items():
        if out.get(name) in (None, "", []) and value not in (None, "", []):
            out[name] = value
    if BASIS_RANK.get(other.get("published_basis"), 0) > BASIS_RANK.get(kept.get("published_basis"), 0) \
            and other.get("published"):
        out["published"], out["published_basis"] = other["published"], other["published_basis"]
    # the shown name belongs to the author it was shown for: they travel together
    named = kept.get("author") not in (None, "", "Anonymous") or other.get("author") in (None, "", "Anonymous")
    if named and kept.get("author") not in (None, ""):
        out["author"], out["author_shown"] = kept["author"], kept.get("author_shown")
    elif other.get("author") not in (None, ""):
        out["author"], out["author_shown"] = other["author"], other.get("author_shown")
    if len(other.get("html") or "") > len(kept.get("html") or "") * 1.5:  # a feed's summary vs the full post
        out["html"] = other["html"]
    if kept.get("position") is not None and other.get("position") is not None:
        out["position"] = min(kept["position"], other["position"])
    return out
