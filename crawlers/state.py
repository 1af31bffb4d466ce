"""Incremental crawl state of one blog: what the last finished crawl saw.

A small JSON file under ``settings.data_dir/state/``: per feed/API URL its HTTP validators
(ETag, Last-Modified) and feed ``updated``; per post URL its ``updated`` and the comment ids
already collected. An incremental crawl sends conditional requests, skips posts that did not
change and emits only comments it has not seen. The file is rewritten (atomically) only when
a crawl finishes, so a killed crawl never marks unseen records as seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.extensions import write_json_atomically


@dataclass
class PostState:
    updated: str | None = None
    published: str | None = None
    comments: set[str] = field(default_factory=set)


@dataclass
class CrawlState:
    path: Path | None = None
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    posts: dict[str, PostState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> CrawlState:
        """The state saved at ``path`` (empty when there is none yet)."""
        if path is None or not path.exists():
            return cls(path=path)
        data = json.loads(path.read_text(encoding="utf-8"))
        posts = {
            url: PostState(p.get("updated"), p.get("published"), set(p.get("comments", [])))
            for url, p in data.get("posts", {}).items()
        }
        return cls(path=path, validators=data.get("validators", {}), posts=posts)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomically(self.path, self.to_json())

    def to_json(self) -> dict[str, Any]:
        posts = {u: {"updated": p.updated, "published": p.published, "comments": sorted(p.comments)}
                 for u, p in self.posts.items()}
        return {"validators": self.validators, "posts": posts}

    # --- questions the spiders ask --------------------------------------------------
    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for ``url`` from its last response."""
        seen = self.validators.get(url, {})
        headers = {}
        if seen.get("etag"):
            headers["If-None-Match"] = seen["etag"]
        if seen.get("last_modified"):
            headers["If-Modified-Since"] = seen["last_modified"]
        return headers

    def post_changed(self, url: str, updated: str | None, published: str | None) -> bool:
        """Whether a post is new or changed: its ``updated`` differs from the last crawl's
        (when both are known; feeds and pages do not always carry it), else its ``published``."""
        known = self.posts.get(url)
        if known is None:
            return True
        if updated and known.updated:
            return updated != known.updated
        return published != known.published

    def known_comments(self, url: str) -> set[str]:
        known = self.posts.get(url)
        return set(known.comments) if known else set()

    # --- what the crawl records -----------------------------------------------------
    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        seen = self.validators.setdefault(url, {})
        seen.pop("etag", None), seen.pop("last_modified", None)
        seen.update({k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v})

    def remember_lastmod(self, url: str, lastmod: str | None) -> None:
        """A sitemap's ``lastmod`` for a page (it moves when comments are added)."""
        if lastmod:
            self.validators.setdefault(url, {})["lastmod"] = lastmod

    def lastmod(self, url: str) -> str | None:
        return self.validators.get(url, {}).get("lastmod")

    def remember_post(self, url: str, updated: str | None, published: str | None) -> None:
        state = self.posts.setdefault(url, PostState())
        state.updated, state.published = updated, published

    def remember_comment(self, post_url: str, comment_id: str) -> None:
        self.posts.setdefault(post_url, PostState()).comments.add(comment_id)
