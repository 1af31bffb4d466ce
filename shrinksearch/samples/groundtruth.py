"""Ground truth for crawls of saved sites: what a complete crawl must find, and the check.

Each fixture of ``tests/fixtures/real_markup/<variant>/`` is a small saved site (``site/``,
served as a static copy by ``shrinksearch.samples.mirror``) whose markup reproduces a real
blog's structure with our own text, plus ``truth.yaml``:

```yaml
structure_from: adbar/trafilatura tests/eval/… (what real page the markup follows)
start: /2017/06/a-post.html     # where the crawl starts, on the served copy
platform: blogger               # optional: detected from the start page when left out
posts:
  - url: /2017/06/a-post.html   # path on the served copy (or an absolute URL)
    title: Our own title
    author: Dr. Example         # null: the page names nobody
    published: "2017-06-10"     # an ISO prefix of the UTC value; null: no date
    text_has: [words of the post]
    text_lacks: [sidebar words]  # boilerplate that must stay out
    comments: 3                  # how many comments it has
comments:
  - post: /2017/06/a-post.html
    id: "123"                   # optional: the platform's id
    author: Anonymous
    author_shown: Anónimo       # optional
    published: "2017-06-10T18:12"
    parent: null                # the id of the comment it replies to
    text_has: words of the comment
```

``check`` compares the records of a crawl with the truth, field by field, and returns a
``Verdict``: every mismatch as one readable line, and the counts the extraction benchmark
turns into precision, recall and per-field coverage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from shrinksearch.clean.html import html_to_text

FIELDS = ("author", "published", "parent", "text")


@dataclass
class Verdict:
    """The outcome of one fixture: mismatches, and counts for precision/recall/coverage."""

    problems: list[str] = field(default_factory=list)
    expected: Counter[str] = field(default_factory=Counter)
    """Posts and comments the truth lists (``post``, ``comment``)."""
    found: Counter[str] = field(default_factory=Counter)
    """Records the crawl wrote (``post``, ``comment``)."""
    matched: Counter[str] = field(default_factory=Counter)
    """Records matched to a truth entry (``post``, ``comment``)."""
    fields_right: Counter[str] = field(default_factory=Counter)
    """Matched records whose field was right (``comment.author``, ``post.published`` …)."""
    fields_checked: Counter[str] = field(default_factory=Counter)

    def fail(self, message: str) -> None:
        self.problems.append(message)


def load_truth(fixture: Path) -> dict[str, Any]:
    """The ``truth.yaml`` of one fixture directory."""
    return yaml.safe_load((fixture / "truth.yaml").read_text(encoding="utf-8"))


def record_text(record: dict[str, Any]) -> str:
    return " ".join(html_to_text(record.get("html") or "").split())


def check(records: list[dict[str, Any]], truth: dict[str, Any], base_url: str) -> Verdict:
    """Compare a crawl's ``records`` with ``truth`` (paths resolved against ``base_url``)."""
    verdict = Verdict()
    posts = [r for r in records if r.get("type") == "post"]
    comments = [r for r in records if r.get("type") == "comment"]
    verdict.found.update(post=len(posts), comment=len(comments))
    _check_urls(records, verdict)
    by_url = _unique(posts, lambda p: p.get("url"), "post", verdict)
    for expected in truth.get("posts") or []:
        _check_post(expected, by_url, comments, base_url, verdict)
    extra = set(by_url) - {urljoin(base_url + "/", p["url"]) for p in truth.get("posts") or []}
    for url in sorted(extra):
        verdict.fail(f"post not in the truth: {url}")
    _unique(comments, lambda c: (c.get("post_url"), c.get("id")), "comment", verdict)
    unclaimed = list(comments)
    for expected in truth.get("comments") or []:
        _check_comment(expected, unclaimed, base_url, verdict)
    for leftover in unclaimed:
        verdict.fail(f"comment not in the truth: {leftover.get('post_url')} #{leftover.get('id')} "
                     f"by {leftover.get('author')!r}: {record_text(leftover)[:60]!r}")
    return verdict


def _check_urls(records: list[dict[str, Any]], verdict: Verdict) -> None:
    for record in records:
        for name in ("url", "post_url", "blog_url"):
            value = record.get(name)
            if value is not None and not str(value).startswith(("http://", "https://")):
                verdict.fail(f"relative {name}: {value!r}")


def _unique(records: list[dict[str, Any]], key: Any, kind: str, verdict: Verdict) -> dict[Any, dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for record in records:
        k = key(record)
        if k in seen:
            verdict.fail(f"duplicate {kind}: {k}")
        seen[k] = record
    return seen


def _check_post(expected: dict[str, Any], by_url: dict[str, dict[str, Any]], comments: list[dict[str, Any]],
                base_url: str, verdict: Verdict) -> None:
    url = urljoin(base_url + "/", expected["url"])
    verdict.expected["post"] += 1
    post = by_url.get(url)
    if post is None:
        verdict.fail(f"post missing: {url}")
        return
    verdict.matched["post"] += 1
    where = f"post {expected['url']}"
    if "title" in expected:
        _field(verdict, where, "post.title", post.get("title") or None, expected["title"])
    for name in ("author", "published"):
        if name in expected:
            _field(verdict, where, f"post.{name}", post.get(name), expected[name], prefix=name == "published")
    _text(verdict, where, "post.text", post, expected)
    if "comments" in expected:
        found = sum(c.get("post_url") == url for c in comments)
        _field(verdict, where, "post.comments", found, expected["comments"])


def _check_comment(expected: dict[str, Any], unclaimed: list[dict[str, Any]], base_url: str, verdict: Verdict) -> None:
    post_url = urljoin(base_url + "/", expected["post"])
    verdict.expected["comment"] += 1
    candidates = [c for c in unclaimed if c.get("post_url") == post_url]
    if expected.get("id") is not None:
        candidates = [c for c in candidates if str(c.get("id")) == str(expected["id"])]
    if expected.get("text_has"):
        candidates = [c for c in candidates if _has(record_text(c), expected["text_has"])] or (
            candidates if expected.get("id") is not None else [])
    where = f"comment {expected.get('id') or repr(expected.get('text_has'))[:40]} on {expected['post']}"
    if not candidates:
        verdict.fail(f"{where}: missing")
        return
    comment = candidates[0]
    unclaimed.remove(comment)
    verdict.matched["comment"] += 1
    for name in ("author", "author_shown", "published"):
        if name in expected:
            _field(verdict, where, f"comment.{name}", comment.get(name), expected[name], prefix=name == "published")
    if "parent" in expected:
        _field(verdict, where, "comment.parent", comment.get("parent_id"),
               None if expected["parent"] is None else str(expected["parent"]))
    _text(verdict, where, "comment.text", comment, expected)


def _field(verdict: Verdict, where: str, name: str, got: Any, want: Any, prefix: bool = False) -> None:
    verdict.fields_checked[name] += 1
    right = (got is None and want is None) or (
        got is not None and want is not None and (str(got).startswith(str(want)) if prefix else got == want))
    if right:
        verdict.fields_right[name] += 1
    else:
        verdict.fail(f"{where}: {name.split('.')[-1]} is {got!r}, expected {want!r}")


def _has(text: str, wanted: str | list[str]) -> bool:
    folded = text.casefold()
    return all(" ".join(w.split()).casefold() in folded for w in ([wanted] if isinstance(wanted, str) else wanted))


def _text(verdict: Verdict, where: str, name: str, record: dict[str, Any], expected: dict[str, Any]) -> None:
    if "text_has" not in expected and "text_lacks" not in expected:
        return
    text = record_text(record)
    verdict.fields_checked[name] += 1
    problems = []
    if expected.get("text_has") and not _has(text, expected["text_has"]):
        problems.append(f"lacks {expected['text_has']!r}")
    lacks = expected.get("text_lacks") or []
    for unwanted in [lacks] if isinstance(lacks, str) else lacks:
        if " ".join(unwanted.split()).casefold() in text.casefold():
            problems.append(f"has boilerplate {unwanted!r}")
    if problems:
        verdict.fail(f"{where}: text {'; '.join(problems)} (text: {text[:80]!r}…)")
    else:
        verdict.fields_right[name] += 1
