"""What authors deleted upstream, found by a crawl, so it leaves the index too.

A crawl that reads a post's whole comment thread compares it with the comment ids the
incremental state remembers for that post: a known comment the platform no longer lists
(deleted, trashed, unapproved) or lists as removed (Blogger's ``blogger.contentRemoved``
placeholder) is deleted. A known post the blog's listings no longer show is checked with a
``HEAD`` request once the crawl is otherwise done: ``404``/``410`` deletes it with its
comments. (Only when the crawl read most of the listings — a crawl that got ``304 Not
Modified`` everywhere checks nothing.) A page that now says ``noindex`` counts as deleted too
(``crawlers.robots_meta``). WordPress does not say which post lost a comment: when its
site-wide comment count (``X-WP-Total``) falls below what the state knows, the ids of every
comment are listed (``_fields=id,post,link``, 100 a page) and compared.

Deletions are removed from the crawl state at once and written, when the crawl finishes, to
``<output>.deletions.jsonl`` (``{"deleted": "post" | "comment", ...}``: URLs and ids, no
content), which ``shrinksearch.privacy.deletions`` applies to the index and the data
directory. Stats: ``shrinksearch/deleted/<post|comment>_<reason>`` (reasons: ``http_404``,
``http_410``, ``noindex``; ``unlisted``, ``removed``), counted from that file.

Listings read from pages are trusted less than feeds and APIs: a page may show only the first
of several pages of comments, or a markup the crawler no longer reads. Absence on a page
counts only when the page shows fewer than ``PAGE_COMPLETE_BELOW`` comments; and a listing
that would delete more than half of a post's known comments (at least 3) is not trusted at
all (``shrinksearch/deletion_checks/untrusted_listing``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from crawlers.markup.text import plain
from crawlers.urls import canonical_url
from shrinksearch.pipeline.jsonl import atomic_writer, write_line

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawlers.state import CrawlState

PAGE_COMPLETE_BELOW = 50
"""A page with this many comments or more may be one page of several (WordPress's default
``comments_per_page``): what it does not show is not taken as deleted."""
MAX_POST_CHECKS = 100
"""HEAD requests per crawl for posts missing from the listings (the rest wait for the next)."""
LISTED_SHARE = 0.5
"""Share of the known posts the crawl must have seen listed before checking the others."""
REMOVED_NOTICES = (
    "This comment has been removed by the author.",
    "This comment has been removed by a blog administrator.",
)
"""Blogger's placeholders for a removed comment (its feeds also say ``blogger.contentRemoved``:
a spider that reads that flag sets ``removed`` on the comment)."""


def deletions_path(output: Path) -> Path:
    """Where a crawl writing ``output`` lists what it found deleted upstream."""
    return output.with_name(output.name.removesuffix(".jsonl") + ".deletions.jsonl")


def is_removed(comment: dict[str, Any]) -> bool:
    """Whether a parsed comment is a placeholder for one its author or the blog removed."""
    if comment.get("removed"):
        return True
    return plain(comment.get("html")) in REMOVED_NOTICES


@dataclass
class DeletionTracker:
    """What one crawl saw listed and found deleted (kept in JOBDIR across a pause)."""

    blog_url: str
    known_posts: set[str] = field(default_factory=set)
    listed_posts: set[str] = field(default_factory=set)
    gone_posts: dict[str, str] = field(default_factory=dict)
    gone_comments: dict[tuple[str, str], str] = field(default_factory=dict)
    checks_sent: bool = False

    def unlisted_known_posts(self) -> list[str]:
        """Known posts not listed this crawl, when the crawl listed most of the others."""
        if not self.known_posts:
            return []
        listed = len(self.known_posts & self.listed_posts)
        if listed < LISTED_SHARE * len(self.known_posts):
            return []
        missing = self.known_posts - self.listed_posts - set(self.gone_posts)
        return sorted(missing)[:MAX_POST_CHECKS]

    def post_gone(self, url: str, reason: str, state: CrawlState | None = None) -> None:
        canon = canonical_url(url)
        if canon in self.known_posts and canon not in self.gone_posts:
            self.gone_posts[canon] = reason
            if state is not None:
                state.posts.pop(canon, None)
                state.validators.pop(canon, None)

    def lines(self) -> Iterator[dict[str, Any]]:
        for url, reason in sorted(self.gone_posts.items()):
            yield {"deleted": "post", "blog_url": self.blog_url, "url": url, "reason": reason}
        for (post_url, comment_id), reason in sorted(self.gone_comments.items()):
            if post_url not in self.gone_posts:
                yield {"deleted": "comment", "blog_url": self.blog_url, "post_url": post_url, "id": comment_id,
                       "reason": reason}


def tracker_of(spider: Any) -> DeletionTracker | None:
    """The deletion tracker of a ``BlogSpider`` (``None`` for other spiders)."""
    return spider.deletions if isinstance(spider, UpstreamDeletions) else None


class UpstreamDeletions:
    """Mixed into ``BlogSpider``: the hooks the spiders call, the check of unlisted posts
    when the crawl is idle, and the deletions file when it finishes."""

    blog_url: str
    crawl_state: CrawlState
    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        crawler.signals.connect(spider.deletions_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.deletions_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.deletions_closed, signal=signals.spider_closed)
        return spider

    @property
    def deletions(self) -> DeletionTracker:
        saved = getattr(self, "state", None)  # JOBDIR's spider state, when there is one
        if isinstance(saved, dict) and "shrinksearch_deletions" in saved:  # a resumed crawl's
            tracker: DeletionTracker = saved["shrinksearch_deletions"]
            return tracker
        if not hasattr(self, "_deletions"):
            self._deletions = DeletionTracker(self.blog_url, set(self.crawl_state.posts))
        if isinstance(saved, dict):
            saved["shrinksearch_deletions"] = self._deletions
        return self._deletions

    # --- hooks the spiders call ------------------------------------------------------
    def note_listed(self, url: str) -> None:
        """A listing (feed, API, sitemap) showed this post."""
        self.deletions.listed_posts.add(canonical_url(url))

    def listed_thread(self, post_url: str, comments: list[dict[str, Any]], from_page: bool) -> list[dict[str, Any]]:
        """A post's whole comment thread as the platform lists it now: placeholders of
        removed comments are left out, and known comments it lacks are deleted."""
        url = canonical_url(post_url)
        self.note_listed(url)
        kept = [c for c in comments if not is_removed(c)]
        known = self.crawl_state.known_comments(url)
        if not known or (from_page and len(comments) >= PAGE_COMPLETE_BELOW):
            return kept
        removed = {str(c.get("id")) for c in comments if is_removed(c)}
        missing = known - {str(c.get("id")) for c in kept}
        if len(missing) >= 3 and len(missing) > len(known) / 2:
            self.crawler.stats.inc_value("shrinksearch/deletion_checks/untrusted_listing")
            return kept
        for comment_id in missing:
            reason = "removed" if comment_id in removed else "unlisted"
            self.deletions.gone_comments[(url, comment_id)] = reason
            self.crawl_state.posts[url].comments.discard(comment_id)
        return kept

    # --- unlisted posts: are they gone? -------------------------------------------------
    def deletions_opened(self, spider: Any) -> None:
        self.deletions  # noqa: B018 - snapshot the known posts before this crawl adds any

    def deletions_idle(self, spider: Any) -> None:
        tracker = self.deletions
        if tracker.checks_sent:
            return
        tracker.checks_sent = True
        candidates = tracker.unlisted_known_posts()
        for url in candidates:
            self.crawler.engine.crawl(scrapy.Request(
                url, method="HEAD", callback=self.parse_post_check, errback=self.post_check_failed, dont_filter=True,
                meta={"handle_httpstatus_list": [404, 410]}, cb_kwargs={"post_url": url}))
        if candidates:
            self.crawler.stats.set_value("shrinksearch/deletion_checks/posts", len(candidates))
            raise DontCloseSpider

    def parse_post_check(self, response: Response, post_url: str) -> None:
        if response.status in (404, 410):
            self.deletions.post_gone(post_url, f"http_{response.status}", self.crawl_state)

    def post_check_failed(self, failure: Any) -> None:
        """A check that could not be made (robots.txt, a timeout) deletes nothing."""
        self.crawler.stats.inc_value("shrinksearch/deletion_checks/failed")

    # --- the deletions file -----------------------------------------------------------------
    def deletions_closed(self, spider: Any, reason: str) -> None:
        output = self.crawler.settings.get("SHRINKSEARCH_OUTPUT")
        if reason == "shutdown" or not output:
            return
        lines = list(self.deletions.lines())
        for line in lines:  # shrinksearch/deleted/post_http_410, .../comment_unlisted, ...
            self.crawler.stats.inc_value(f"shrinksearch/deleted/{line['deleted']}_{line['reason']}")
        path = deletions_path(Path(output))
        if not lines:
            path.unlink(missing_ok=True)
            return
        with atomic_writer(path) as out:
            for line in lines:
                write_line(out, line)
        self.crawler.stats.set_value("shrinksearch/deletions_file", str(path))


class WordpressDeletions:
    """Mixed into ``WordpressSpider``: when the site counts fewer comments than the state
    knows, list every comment id and compare."""

    blog_url: str
    crawl_state: CrawlState
    crawler: Crawler
    incremental: bool
    api: Any  # the spider's URL of a route under the API root the blog advertises

    def comments_count_check(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        """After page 1 of the site-wide comment listing (newest first) was read."""
        total = response.headers.get("X-WP-Total")
        if page != 1 or not self.incremental or total is None or not total.isdigit():
            return
        known = sum(len(p.comments) for p in self.crawl_state.posts.values())
        if int(total) < known:
            self.crawler.stats.inc_value("shrinksearch/deletion_checks/comment_sweeps")
            yield self.comment_ids_request(1, [])

    def comment_ids_request(self, page: int, so_far: list[list[str]]) -> scrapy.Request:
        url = self.api("comments", page=page, per_page=100, _fields="id,post,link")
        return scrapy.Request(url, callback=self.parse_comment_ids, cb_kwargs={"page": page, "so_far": so_far},
                              meta={"depth_reset": True})

    def parse_comment_ids(self, response: Response, page: int, so_far: list[list[str]]) -> Iterator[scrapy.Request]:
        try:
            data = json.loads(response.text)
        except ValueError:
            return
        if not isinstance(data, list):
            return
        so_far = so_far + [[canonical_url(str(c.get("link", ""))), str(c.get("id"))] for c in data if isinstance(c, dict)]
        pages = response.headers.get("X-WP-TotalPages")
        if pages and pages.isdigit() and page < int(pages):
            yield self.comment_ids_request(page + 1, so_far)
            return
        listed: dict[str, set[str]] = {}
        for post_url, comment_id in so_far:
            listed.setdefault(post_url, set()).add(comment_id)
        tracker = tracker_of(self)
        for post_url, post in self.crawl_state.posts.items():
            for comment_id in sorted(post.comments - listed.get(post_url, set())):
                if tracker is not None:
                    tracker.gone_comments[(post_url, comment_id)] = "unlisted"
                post.comments.discard(comment_id)
