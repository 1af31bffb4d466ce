"""Know when a crawl missed something: what was found against what the platform declared.

Platforms say how much they hold: Blogger's ``openSearch:totalResults`` and ``thr:total``
per post, WordPress's ``X-WP-Total`` and per-post comment counts, a theme's "12 comments"
header. Spiders record blog-wide counts as the stats ``shrinksearch/declared/posts`` and
``shrinksearch/declared/comments`` (``BlogSpider.declare``) and per-post counts as each
post's ``comment_count``. ``assess`` compares them with the records the crawl wrote, adds
per-field coverage (author, date, parent), and says whether the crawl is good enough to call
finished: a full crawl that found no post, or far less than declared, is not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

SHORT_FACTOR = 0.5
"""A full crawl that finds less than this share of the declared posts or comments failed."""

MIN_DECLARED_TO_JUDGE = 4
"""Below this many declared comments, a shortfall is reported but does not fail the crawl."""


@dataclass
class Completeness:
    """Found against declared, per blog and per post, and how complete the records' fields are."""

    posts_found: int = 0
    posts_declared: int | None = None
    comments_found: int = 0
    comments_declared: int | None = None
    posts_short: list[dict[str, Any]] = field(default_factory=list)
    """Posts with fewer comments found than declared: url, found, declared (the worst first)."""
    coverage: dict[str, float | None] = field(default_factory=dict)
    """Share of records with an author, a date, and (comments) a parent that resolves."""
    problem: str | None = None
    """Why the crawl cannot count as finished (None when it can)."""

    def line(self) -> str:
        """One line for summaries: "posts 39/39 · comments 17/17 · author 100% · date 100% · parent 100%"."""
        parts = [f"posts {self.posts_found}/{_shown(self.posts_declared)}",
                 f"comments {self.comments_found}/{_shown(self.comments_declared)}"]
        parts += [f"{name} {_percent(share)}" for name, share in self.coverage.items()]
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shown(declared: int | None) -> str:
    return "?" if declared is None else str(declared)


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def assess(records: list[dict[str, Any]], stats: dict[str, Any], *, incremental: bool,
           tried: list[tuple[str, str]]) -> Completeness:
    """Completeness of one finished crawl's ``records`` given its Scrapy ``stats``.

    ``tried`` lists the requests the crawl made and what answered (URL, status), for the
    message of a crawl that found nothing. Incremental crawls write only what is new, so
    they are never judged against the declared totals."""
    posts = [r for r in records if r.get("type") == "post"]
    comments = [r for r in records if r.get("type") == "comment"]
    report = Completeness(posts_found=len(posts), comments_found=len(comments))
    report.posts_declared = stats.get("shrinksearch/declared/posts")
    per_post = [p["comment_count"] for p in posts if p.get("comment_count") is not None]
    declared_comments = [n for n in (stats.get("shrinksearch/declared/comments"), sum(per_post) if per_post else None)
                         if n is not None]
    report.comments_declared = max(declared_comments) if declared_comments else None
    report.posts_short = _posts_short(posts, comments)
    report.coverage = _coverage(posts, comments)
    if not incremental:
        report.problem = _problem(report, tried)
    return report


def _posts_short(posts: list[dict[str, Any]], comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = Counter(c.get("post_url") for c in comments)
    short = [{"url": p["url"], "found": found[p["url"]], "declared": p["comment_count"]}
             for p in posts if p.get("comment_count") is not None and found[p["url"]] < p["comment_count"]]
    return sorted(short, key=lambda s: (s["found"] - s["declared"], s["url"]))


def _coverage(posts: list[dict[str, Any]], comments: list[dict[str, Any]]) -> dict[str, float | None]:
    everything = posts + comments
    ids = {(c.get("post_url"), c.get("id")) for c in comments}
    replies = [c for c in comments if c.get("parent_id")]

    def share(hits: int, total: int) -> float | None:
        return hits / total if total else None

    return {
        "author": share(sum(bool(r.get("author")) for r in everything), len(everything)),
        "date": share(sum(bool(r.get("published")) for r in everything), len(everything)),
        "parent": share(sum((c.get("post_url"), c["parent_id"]) in ids for c in replies), len(replies)),
    }


def _problem(report: Completeness, tried: list[tuple[str, str]]) -> str | None:
    if report.posts_found == 0:
        return f"no posts found; tried {describe_tried(tried)}" if tried else "no posts found; nothing could be fetched"
    if report.posts_declared and report.posts_found < SHORT_FACTOR * report.posts_declared:
        return f"found {report.posts_found} of {report.posts_declared} posts the blog declares"
    declared = report.comments_declared or 0
    if declared >= MIN_DECLARED_TO_JUDGE and report.comments_found < SHORT_FACTOR * declared:
        return f"found {report.comments_found} of {declared} comments the blog declares"
    return None


def describe_tried(tried: list[tuple[str, str]], limit: int = 6) -> str:
    """"/ (404), /feeds/posts/default (404), /sitemap.xml (404) and 3 more": what answered what."""
    seen: dict[str, str] = {}
    for url, status in tried:
        parts = urlsplit(url)
        where = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        seen.setdefault(where, status)
    shown = [f"{where} ({status})" for where, status in list(seen.items())[:limit]]
    more = len(seen) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def tried_from_request_log(lines: list[str]) -> list[tuple[str, str]]:
    """(URL, what answered) from a crawl's request log (``crawlers.extensions.CrawlReport``):
    the status of each URL that got a response, "no response" for one that never got one (a redirect, a failure)."""
    answered: dict[str, str] = {}
    for line in lines:
        parts = line.split(" ", 2)
        if len(parts) != 3:
            continue
        _, event, url = parts
        url = url.strip()
        if event == "sent":
            answered.setdefault(url, "no response")
        elif event.startswith("got-"):
            answered[url] = event.removeprefix("got-")
    return [(url, status) for url, status in answered.items() if not url.endswith("/robots.txt")]
