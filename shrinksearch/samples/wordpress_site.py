"""What a WordPress sample blog's pages, feeds and REST API agree on: URLs, numeric ids of
users and terms, and WordPress's ways of printing titles and dates.

Users are numbered 1.. in the blog file's author order; the one category is
"Uncategorized" (term 1, as on a fresh install); every label is a tag, numbered from 2 in
order of first use (oldest post first) so adding a post never renumbers existing tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .network import Blog, Comment, Post
from .pages import Req, slugify, stable_digits

WP_VERSION = "6.5.3"
UNCATEGORIZED = 1


@dataclass(frozen=True)
class Term:
    id: int
    name: str
    slug: str
    taxonomy: str


class WpSite:
    """URLs and ids of one WordPress blog on this host."""

    def __init__(self, req: Req, blog: Blog) -> None:
        self.req, self.blog = req, blog
        self.home = req.blog_home(blog)
        self.api = f"{self.home}wp-json/"

    # --- URLs ---------------------------------------------------------------------------

    def post_url(self, post: Post) -> str:
        return self.req.url(self.blog.post_path(post))

    def comment_url(self, post: Post, comment: Comment) -> str:
        return f"{self.post_url(post)}#comment-{comment.id}"

    def shortlink(self, post: Post) -> str:
        return f"{self.home}?p={post.id}"

    def author_url(self, key: str) -> str:
        return f"{self.home}author/{key}/"

    def tag_url(self, term: Term) -> str:
        return f"{self.home}tag/{term.slug}/"

    def rest(self, route: str) -> str:
        return f"{self.api}{route}"

    def avatar(self, name: str, size: int) -> str:
        return f"https://secure.gravatar.com/avatar/{stable_digits(name, length=32)}?s={size}&d=mm&r=g"

    # --- ids ------------------------------------------------------------------------------

    def user_id(self, key: str) -> int:
        return [a.key for a in self.blog.authors].index(key) + 1

    def commenter_user_id(self, name: str) -> int:
        """Bloggers comment as logged-in users; everyone else is user 0."""
        for author in self.blog.authors:
            if author.name == name:
                return self.user_id(author.key)
        return 0

    def tags(self) -> list[Term]:
        labels: list[str] = []
        for post in sorted(self.blog.posts, key=lambda p: (p.published, p.id)):
            labels.extend(label for label in post.labels if label not in labels)
        return [Term(i + 2, label, slugify(label), "post_tag") for i, label in enumerate(labels)]

    def post_tags(self, post: Post) -> list[Term]:
        return [t for t in self.tags() if t.name in post.labels]

    def categories(self) -> list[Term]:
        return [Term(UNCATEGORIZED, "Uncategorized", "uncategorized", "category")]


def texturize(text: str) -> str:
    """Titles as WordPress renders them: HTML-escaped, apostrophes curled (&#8217;)."""
    return escape(text, quote=False).replace("'", "&#8217;")


def post_classes(site: WpSite, post: Post) -> str:
    tags = " ".join(f"tag-{t.slug}" for t in site.post_tags(post))
    return f"post-{post.id} post type-post status-publish format-standard hentry category-uncategorized {tags} entry".replace("  ", " ")
