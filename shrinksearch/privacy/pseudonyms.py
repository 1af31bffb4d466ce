"""Pseudonymised commenters (``SHRINKSEARCH_PSEUDONYMIZE_COMMENTERS=true``), applied at clean
time, and the tombstone check of the clean stage.

A commenter's name becomes ``Commenter <tag>``, where the tag is an HMAC of their author key
with the installation's secret (``keys``): stable across runs and blogs, so "who" still
groups one person's comments, and not reversible without the secret. Their profile URL is
dropped; e-mail addresses and URLs in their text become ``[email <tag>]`` / ``[link <tag>]``.
Wherever a post or comment of the same blog names a pseudonymised commenter, the name is
replaced by the same pseudonym. Bloggers (post authors, and their own comments) keep their
names. As in 4CAT's pseudonymisation, this is a choice for research use: the text stays
searchable, the people in it are not named.

To find names in later runs, the names seen per blog are kept in ``commenters.json`` in the
privacy directory (mode 0600, never in the index); ``forget`` removes a forgotten author's.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from shrinksearch.clean.authors import ANONYMOUS_KEY, author_key
from shrinksearch.pipeline.jsonl import iter_lines
from shrinksearch.records import Document, RawComment, RawPost, parse_raw_record
from shrinksearch.settings import Settings, privacy_path

from .identity import Identity
from .keys import PrivacyKeys
from .tombstones import Matcher, forgotten_matcher

NAMES_FILE = "commenters.json"
MIN_NAME_CHARS = 3  # shorter names ("Jo", "K") would replace ordinary words

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
_TRAILING = ".,;:!?)]}'\""
_TAG = re.compile(r"(<[^>]*>)")


@dataclass
class BlogNames:
    """The people of one blog: post authors keep their names, commenters do not."""

    bloggers: set[str] = field(default_factory=set)
    commenters: set[str] = field(default_factory=set)

    def pseudonymised(self) -> set[str]:
        blogger_keys = {author_key(name) for name in self.bloggers}
        return {name for name in self.commenters if author_key(name) not in blogger_keys}


class NameRegistry:
    """``<privacy dir>/commenters.json``: per blog URL, the bloggers' and commenters' names."""

    def __init__(self, privacy_dir: Path) -> None:
        self.path = privacy_dir / NAMES_FILE

    def load(self) -> dict[str, BlogNames]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {blog: BlogNames(set(v.get("bloggers", [])), set(v.get("commenters", []))) for blog, v in data.items()}

    def save(self, names: dict[str, BlogNames]) -> None:
        data = {blog: {"bloggers": sorted(n.bloggers), "commenters": sorted(n.commenters)} for blog, n in sorted(names.items())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)

    def forget(self, matcher: Matcher) -> int:
        """Drop the names a forgotten author went by; how many."""
        names = self.load()
        dropped = 0
        for blog, people in names.items():
            for group in (people.bloggers, people.commenters):
                gone = {n for n in group if matcher.matches(Identity(blog_url=blog, author=n, author_key=author_key(n)))}
                group -= gone
                dropped += len(gone)
        if dropped:
            self.save(names)
        return dropped


def collect_names(sources: Iterable[Path], known: dict[str, BlogNames]) -> dict[str, BlogNames]:
    """``known`` plus the post authors and commenters of the raw records in ``sources``."""
    names = {blog: BlogNames(set(n.bloggers), set(n.commenters)) for blog, n in known.items()}
    post_authors: dict[str, str | None] = {}
    comments: list[tuple[str, str, str]] = []
    for path in sources:
        for _, line in iter_lines(path):
            try:
                record = parse_raw_record(line)
            except ValidationError:
                continue
            people = names.setdefault(record.blog_url, BlogNames())
            if isinstance(record, RawPost):
                post_authors[record.url] = record.author
                if record.author:
                    people.bloggers.add(record.author.strip())
            elif record.author and author_key(record.author) != ANONYMOUS_KEY:
                comments.append((record.blog_url, record.post_url, record.author.strip()))
    for blog, post_url, name in comments:
        if author_key(name) != author_key(post_authors.get(post_url)):  # not the post's own author
            names[blog].commenters.add(name)
    return names


class Pseudonymizer:
    """Replaces commenters' names and addresses in cleaned documents."""

    def __init__(self, keys: PrivacyKeys, names: dict[str, BlogNames]) -> None:
        self.keys = keys
        self._mentions: dict[str, tuple[re.Pattern[str], dict[str, str]] | None] = {}
        self._blogger_keys = {blog: {author_key(n) for n in people.bloggers} for blog, people in names.items()}
        for blog, people in names.items():
            wanted = sorted((n for n in people.pseudonymised() if len(n) >= MIN_NAME_CHARS), key=len, reverse=True)
            if not wanted:
                self._mentions[blog] = None
                continue
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)", re.IGNORECASE)
            self._mentions[blog] = (pattern, {n.casefold(): keys.pseudonym(author_key(n)) for n in wanted})

    def apply(self, doc: Document) -> Document:
        """The document with its commenter pseudonymised and named commenters replaced."""
        update: dict[str, object] = {}
        if doc.author_role == "commenter" and doc.author_key != ANONYMOUS_KEY \
                and doc.author_key not in self._blogger_keys.get(doc.blog_url, ()):
            pseudonym = self.keys.pseudonym(doc.author_key)
            update = {"author": pseudonym, "author_key": author_key(pseudonym), "author_url": None,
                      "text": self._addresses(doc.text), "quoted_text": self._addresses(doc.quoted_text),
                      "html": self._addresses(doc.html)}
        mentions = self._mentions.get(doc.blog_url)
        if mentions is not None:
            for name in ("text", "quoted_text"):
                update[name] = self._names(str(update.get(name, getattr(doc, name))), mentions)
            update["html"] = self._names_in_html(str(update.get("html", doc.html)), mentions)
        return doc.model_copy(update=update) if update else doc

    def _addresses(self, text: str) -> str:
        text = _EMAIL.sub(lambda m: f"[email {self.keys.pseudonym_tag(m.group(0).lower(), 'email')}]", text)
        return _URL.sub(self._link, text)

    def _link(self, match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        return f"[link {self.keys.pseudonym_tag(stripped, 'url')}]" + url[len(stripped):]

    @staticmethod
    def _names(text: str, mentions: tuple[re.Pattern[str], dict[str, str]]) -> str:
        pattern, pseudonyms = mentions
        return pattern.sub(lambda m: pseudonyms[m.group(0).casefold()], text)

    def _names_in_html(self, html: str, mentions: tuple[re.Pattern[str], dict[str, str]]) -> str:
        """Names in the text between tags (never inside a tag, whose names are HTML's)."""
        return "".join(part if part.startswith("<") else self._names(part, mentions) for part in _TAG.split(html))


@dataclass
class CleanPrivacy:
    """What the clean stage asks of each record: forgotten? and, if kept, pseudonymised."""

    forgotten: Matcher | None = None
    pseudonyms: Pseudonymizer | None = None

    def apply(self, raw: RawPost | RawComment, doc: Document) -> Document | None:
        """The document to keep, or ``None`` when it (or its author, blog or post) is forgotten."""
        if self.forgotten is not None and self.forgotten.matches_object(raw.model_dump(mode="json")):
            return None
        if self.pseudonyms is not None:
            doc = self.pseudonyms.apply(doc)
        return doc if self.keeps(doc) else None

    def keeps(self, doc: Document) -> bool:
        return self.forgotten is None or not self.forgotten.matches_object(doc.model_dump(mode="json", include=_IDENTITY))


_IDENTITY = {"id", "kind", "url", "blog_url", "author", "author_key", "post_id"}


def clean_privacy(settings: Settings, sources: Iterable[Path] = ()) -> CleanPrivacy | None:
    """The clean stage's privacy for this installation (``None``: nothing to do).

    With pseudonyms on, the names of ``sources`` join the registry first, so a comment can
    name a commenter who wrote in an earlier run or later in the same file."""
    privacy_dir = privacy_path(settings)
    forgotten = forgotten_matcher(settings)
    if not settings.pseudonymize_commenters:
        return CleanPrivacy(forgotten) if forgotten is not None else None
    keys = PrivacyKeys.load(privacy_dir, create=True)
    assert keys is not None
    registry = NameRegistry(privacy_dir)
    names = collect_names(sources, registry.load())
    if forgotten is not None:  # a forgotten author's name is not learnt again
        for blog, people in names.items():
            people.commenters = {n for n in people.commenters
                                 if not forgotten.matches(Identity(blog_url=blog, author=n, author_key=author_key(n)))}
    registry.save(names)
    return CleanPrivacy(forgotten, Pseudonymizer(keys, names))


def forgotten_only(settings: Settings) -> CleanPrivacy | None:
    """Only the tombstone check (the index stage, re-enrich, full-reindex, migrate)."""
    forgotten = forgotten_matcher(settings)
    return CleanPrivacy(forgotten) if forgotten is not None else None
