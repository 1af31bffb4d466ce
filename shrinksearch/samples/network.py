"""The sample blog network as typed objects: load, validate, count, and change at runtime.

Each ``blogs/*.yaml`` file is one blog (format: docs/contracts.md section 4). ``load_network``
reads a directory of them into a ``Network`` of pydantic models and refuses bad data with a
one-line message naming the file. The server renders straight from these objects, so
``Network.add_post`` / ``add_comment`` on the live object change what the server answers
(feeds, ETags, ``modified_after``) — that is how incremental-crawl tests add content.

``expected_counts`` says what a complete crawl must find: posts and comments per blog and,
per post, each comment's parent *as the platform serves it* (Blogger threads one level deep).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shrinksearch.exceptions import UsageError

BLOGS_DIR = Path(__file__).resolve().parent / "blogs"
"""Where the shipped sample blogs live."""

Platform = Literal["blogger", "wordpress", "generic"]
DIGITS = r"^[0-9]+$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _utc(value: datetime) -> datetime:
    """Naive datetimes in the YAML are taken as UTC; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Author(BaseModel):
    """One of a blog's own writers."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)


class Comment(BaseModel):
    """A comment and, nested, the replies to it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=DIGITS)
    author: str = Field(description='Display name; may be empty (a nameless comment), shown as the platform shows those.')
    author_url: str | None = None
    published: datetime
    body: str = Field(min_length=1)
    replies: list[Comment] = Field(default_factory=list)
    removed: bool = Field(False, description="Removed by its author, shown as Blogger's placeholder (Network.remove_comment).")

    @property
    def display_author(self) -> str:
        """The name pages and feeds print: platforms show a nameless comment as "Anonymous"."""
        return self.author or "Anonymous"

    @field_validator("published")
    @classmethod
    def _published_utc(cls, value: datetime) -> datetime:
        return _utc(value)

    def walk(self, parent: Comment | None = None) -> Iterator[tuple[Comment, Comment | None]]:
        """This comment and every reply below it, depth first, each with its parent."""
        yield self, parent
        for reply in self.replies:
            yield from reply.walk(self)


class Post(BaseModel):
    """One post with its comment thread."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=DIGITS)
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    author: str
    published: datetime
    updated: datetime | None = None
    labels: list[str] = Field(default_factory=list)
    body: str = Field(min_length=1)
    comments: list[Comment] = Field(default_factory=list)
    robots: str | None = Field(None, description='Directives of the page\'s <meta name="robots">, e.g. "noindex".')
    robots_header: str | None = Field(None, description="Directives sent as the page's X-Robots-Tag header.")

    @field_validator("published", "updated")
    @classmethod
    def _dates_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Post:
        self.updated = self.updated or self.published
        if self.updated < self.published:
            raise ValueError(f"post {self.id}: updated is before published")
        for comment, parent in self.walk():
            earliest = parent.published if parent else self.published
            if comment.published < earliest:
                raise ValueError(f"post {self.id}: comment {comment.id} is dated before what it answers")
        return self

    @property
    def modified(self) -> datetime:
        """When the post itself last changed (its own ``updated``, never its comments)."""
        return self.updated or self.published

    def walk(self) -> Iterator[tuple[Comment, Comment | None]]:
        """Every comment, in thread order (depth first), each with the comment it replies to."""
        for comment in self.comments:
            yield from comment.walk(None)

    def comment_count(self) -> int:
        return sum(1 for _ in self.walk())

    def last_activity(self) -> datetime:
        """The latest of the post's own update and its comments: what a page showing both shows."""
        return max([self.modified, *(c.published for c, _ in self.walk())])


class Blog(BaseModel):
    """One blog: its writers, posts and how its platform presents them."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    platform: Platform
    tagline: str = ""
    blog_id: str = Field(pattern=DIGITS)
    comment_markup: Literal["threaded", "classic"] = "threaded"
    utc_offset: str = Field("-05:00", pattern=r"^[+-][0-9]{2}:[0-9]{2}$", description="The blog's local time, as its platform shows dates.")
    authors: list[Author] = Field(min_length=1)
    posts: list[Post] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Blog:
        keys = [a.key for a in self.authors]
        _require_unique(keys, "author key")
        _require_unique([p.id for p in self.posts], "post id")
        _require_unique([p.slug for p in self.posts], "post slug")
        _require_unique([c.id for p in self.posts for c, _ in p.walk()], "comment id")
        for post in self.posts:
            if post.author not in keys:
                raise ValueError(f"post {post.id}: author {post.author!r} is not one of {keys}")
        return self

    # --- lookups ------------------------------------------------------------------

    @property
    def tz(self) -> timezone:
        sign = -1 if self.utc_offset.startswith("-") else 1
        hours, minutes = (int(part) for part in self.utc_offset[1:].split(":"))
        return timezone(sign * timedelta(hours=hours, minutes=minutes))

    def local(self, moment: datetime) -> datetime:
        """A UTC moment in the blog's own time zone."""
        return moment.astimezone(self.tz)

    def author(self, key: str) -> Author:
        return next(a for a in self.authors if a.key == key)

    def author_names(self) -> set[str]:
        return {a.name for a in self.authors}

    def post(self, post_id: str) -> Post | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def post_by_slug(self, slug: str) -> Post | None:
        return next((p for p in self.posts if p.slug == slug), None)

    def newest_first(self) -> list[Post]:
        return sorted(self.posts, key=lambda p: (p.published, p.id), reverse=True)

    def comment(self, comment_id: str) -> tuple[Post, Comment, Comment | None] | None:
        """The post, comment and parent for a comment id, if it exists."""
        for post in self.posts:
            for comment, parent in post.walk():
                if comment.id == comment_id:
                    return post, comment, parent
        return None

    def served_parent(self, post: Post, comment: Comment) -> str | None:
        """The parent id the platform shows: Blogger threads only one level deep, so a reply
        to a reply hangs under the top-level comment there; other platforms nest freely."""
        chain = _ancestry(post, comment.id)
        if not chain:
            return None
        return chain[0].id if self.platform == "blogger" else chain[-1].id

    def post_path(self, post: Post) -> str:
        """The post's page, as its platform lays out URLs (contracts.md section 5)."""
        when = self.local(post.published)
        if self.platform == "blogger":
            return f"/{self.slug}/{when:%Y/%m}/{post.slug}.html"
        if self.platform == "wordpress":
            return f"/{self.slug}/{when:%Y/%m/%d}/{post.slug}/"
        return f"/{self.slug}/posts/{post.slug}.html"


def _ancestry(post: Post, comment_id: str) -> list[Comment]:
    """The chain of comments above ``comment_id``, top-level first; empty for a top-level one."""

    def search(comments: list[Comment], above: list[Comment]) -> list[Comment] | None:
        for c in comments:
            if c.id == comment_id:
                return above
            found = search(c.replies, [*above, c])
            if found is not None:
                return found
        return None

    return search(post.comments, []) or []


def _require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


class Network:
    """All sample blogs, by slug. Safe to change while the server reads it (copy on write)."""

    def __init__(self, blogs: list[Blog]) -> None:
        _require_unique([b.slug for b in blogs], "blog slug")
        self.blogs: dict[str, Blog] = {b.slug: b for b in sorted(blogs, key=lambda b: b.slug)}
        self.revision = 0
        """Bumped by every change, so whoever caches rendered pages knows when to stop."""
        self.gone: dict[str, int] = {}
        """Paths of removed posts and the status they answer (404 or 410)."""
        self.page_robots: dict[str, tuple[str | None, str | None]] = {}
        """Robots directives of any page by path: (meta content, X-Robots-Tag); see set_robots."""
        self._lock = threading.Lock()

    def blog(self, slug: str) -> Blog:
        try:
            return self.blogs[slug]
        except KeyError:
            raise UsageError(f"no sample blog {slug!r}; known: {', '.join(self.blogs)}") from None

    def add_post(self, blog_slug: str, post: Post | dict[str, Any]) -> Post:
        """Publish a new post (with any comments it carries) on a blog; returns it."""
        with self._lock:
            blog = self.blog(blog_slug)
            new = post if isinstance(post, Post) else Post.model_validate(post)
            self.blogs[blog_slug] = _with_posts(blog, [*blog.posts, new])
            self.revision += 1
            return new

    def add_comment(
        self, blog_slug: str, post_id: str, comment: Comment | dict[str, Any], parent_id: str | None = None
    ) -> Comment:
        """Add a comment under a post (or, with ``parent_id``, as a reply); returns it."""
        with self._lock:
            blog = self.blog(blog_slug)
            old = blog.post(post_id)
            if old is None:
                raise UsageError(f"blog {blog_slug!r} has no post {post_id!r}")
            new = comment if isinstance(comment, Comment) else Comment.model_validate(comment)
            data = old.model_dump()
            if parent_id is None:
                data["comments"].append(new.model_dump())
            elif not _append_reply(data["comments"], parent_id, new.model_dump()):
                raise UsageError(f"post {post_id!r} has no comment {parent_id!r} to reply to")
            posts = [Post.model_validate(data) if p.id == post_id else p for p in blog.posts]
            self.blogs[blog_slug] = _with_posts(blog, posts)
            self.revision += 1
            return new


    def remove_comment(self, blog_slug: str, comment_id: str, placeholder: bool = False) -> None:
        """Delete a comment (trashed, unapproved, deleted: gone from every page and feed; its
        replies move up to its place), or with ``placeholder`` on a Blogger blog, mark it
        removed by its author: still listed, with Blogger's notice instead of the text."""
        with self._lock:
            blog = self.blog(blog_slug)
            found = blog.comment(comment_id)
            if found is None:
                raise UsageError(f"blog {blog_slug!r} has no comment {comment_id!r}")
            data = found[0].model_dump()
            if placeholder and blog.platform == "blogger":
                _mark_removed(data["comments"], comment_id)
            else:
                data["comments"] = _without(data["comments"], comment_id)
            posts = [Post.model_validate(data) if p.id == found[0].id else p for p in blog.posts]
            self.blogs[blog_slug] = _with_posts(blog, posts)
            self.revision += 1

    def remove_post(self, blog_slug: str, post_id: str, status: int = 410) -> str:
        """Delete a post with its comments; its page then answers ``status`` (410 Gone or
        404). Returns the page's path."""
        if status not in (404, 410):
            raise UsageError("a removed post answers 404 or 410")
        with self._lock:
            blog = self.blog(blog_slug)
            post = blog.post(post_id)
            if post is None:
                raise UsageError(f"blog {blog_slug!r} has no post {post_id!r}")
            self.blogs[blog_slug] = _with_posts(blog, [p for p in blog.posts if p.id != post_id])
            path = blog.post_path(post)
            self.gone[path] = status
            self.revision += 1
            return path


    def set_robots(self, path: str, meta: str | None = None, header: str | None = None) -> None:
        """Give the page at ``path`` (any query) robots directives: ``meta`` in a
        ``<meta name="robots">``, ``header`` as ``X-Robots-Tag``. (A post's own are its
        ``robots`` and ``robots_header`` fields.)"""
        with self._lock:
            self.page_robots[path] = (meta, header)
            self.revision += 1


REMOVED_NOTICE = "This comment has been removed by the author."
"""What Blogger shows instead of a comment its author removed."""


def _mark_removed(comments: list[dict[str, Any]], comment_id: str) -> None:
    for c in comments:
        if c["id"] == comment_id:
            c.update(removed=True, body=f"<span class='deleted-comment'>{REMOVED_NOTICE}</span>")
            return
        _mark_removed(c["replies"], comment_id)


def _without(comments: list[dict[str, Any]], comment_id: str) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for c in comments:
        if c["id"] == comment_id:
            kept.extend(c["replies"])
        else:
            kept.append({**c, "replies": _without(c["replies"], comment_id)})
    return kept


def _append_reply(comments: list[dict[str, Any]], parent_id: str, reply: dict[str, Any]) -> bool:
    for c in comments:
        if c["id"] == parent_id:
            c["replies"].append(reply)
            return True
        if _append_reply(c["replies"], parent_id, reply):
            return True
    return False


def _with_posts(blog: Blog, posts: list[Post]) -> Blog:
    """A new Blog with these posts, checked like a loaded one (unique ids, known authors)."""
    try:
        return Blog.model_validate({**blog.model_dump(), "posts": [p.model_dump() for p in posts]})
    except ValidationError as err:
        raise UsageError(f"cannot change blog {blog.slug!r}: {_first_error(err)}") from None


# --- loading ---------------------------------------------------------------------------


def load_blog(path: Path) -> Blog:
    """One blog file, validated; a bad file raises UsageError naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise UsageError(f"{path}: cannot read sample blog ({err.__class__.__name__}: {err})") from None
    try:
        return Blog.model_validate(data)
    except ValidationError as err:
        raise UsageError(f"{path}: invalid sample blog: {_first_error(err)}") from None


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    extra = f" ({err.error_count()} problems in all)" if err.error_count() > 1 else ""
    return f"{where or 'blog'}: {first['msg']}{extra}"


def load_network(dir: Path | str | None = None, extra_dirs: Iterable[Path | str] = ()) -> Network:  # noqa: A002
    """Every ``*.yaml`` blog in ``dir`` (default: the shipped ``samples/blogs``), plus those
    in ``extra_dirs`` (tests add small fixture blogs this way)."""
    folders = [Path(dir) if dir is not None else BLOGS_DIR, *(Path(d) for d in extra_dirs)]
    files = [f for folder in folders for f in sorted(folder.glob("*.yaml"))]
    if not files:
        raise UsageError(f"no sample blogs (*.yaml) in {', '.join(map(str, folders))}; pass a directory that has some")
    return Network([load_blog(f) for f in files])


# --- what a complete crawl must find ----------------------------------------------------


@dataclass(frozen=True)
class BlogCounts:
    """One blog's content as its platform serves it."""

    platform: str
    posts: int
    comments: int
    threads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """post id -> {comment id -> parent comment id as served, None at top level}."""
    comment_authors: dict[str, str] = field(default_factory=dict)
    """comment id -> the name pages and feeds print ("Anonymous" for a nameless comment, whose
    WordPress REST ``author_name`` is "")."""


@dataclass(frozen=True)
class ExpectedCounts:
    posts: int
    comments: int
    blogs: dict[str, BlogCounts]


def blog_counts(blog: Blog) -> BlogCounts:
    """What a complete crawl finds (a comment its author removed is not content any more)."""
    threads = {p.id: {c.id: blog.served_parent(p, c) for c, _ in p.walk() if not c.removed} for p in blog.posts}
    authors = {c.id: c.display_author for p in blog.posts for c, _ in p.walk() if not c.removed}
    return BlogCounts(blog.platform, len(blog.posts), len(authors), threads, authors)


def expected_counts(network: Network | None = None) -> ExpectedCounts:
    """Posts and comments per blog (and in all), with each post's thread structure."""
    net = network if network is not None else load_network()
    blogs = {slug: blog_counts(b) for slug, b in net.blogs.items()}
    return ExpectedCounts(
        posts=sum(b.posts for b in blogs.values()),
        comments=sum(b.comments for b in blogs.values()),
        blogs=blogs,
    )
