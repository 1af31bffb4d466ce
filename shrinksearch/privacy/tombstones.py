"""What was forgotten, and the question every stage asks before keeping a record.

A ``Tombstone`` holds salted hashes (``keys.PrivacyKeys.hash``) of an author key, a blog URL
or a document id — never a name, a URL or any text — plus when it was made, by which command
and how much it removed. The ``TombstoneStore`` is one JSON file in the privacy directory.

A ``Matcher`` answers "is this record forgotten?" for raw crawl records, documents and any
line of the data directory (through ``identity.identify``). The crawlers, ``pipeline run``,
``re-enrich``, ``full-reindex`` and ``index migrate`` all ask one built from the store, so a
re-crawl never brings back what was forgotten. The same class, given plain values instead of
hashes, matches what the crawlers found deleted upstream (``deletions``).
"""

from __future__ import annotations

import fcntl
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from shrinksearch.clean.authors import ANONYMOUS_KEY, author_key
from shrinksearch.exceptions import ForgottenBlog, UsageError
from shrinksearch.pipeline.jsonl import atomic_writer
from shrinksearch.settings import Settings, privacy_path

from .identity import Identity, identify
from .keys import PrivacyKeys

TOMBSTONES_FILE = "tombstones.json"
Kind = Literal["author", "url", "blog"]
Hasher = Callable[[str, str], str]


class Tombstone(BaseModel):
    """One thing forgotten: hashes to match on, and what forgetting it removed."""

    id: str
    created: datetime
    kind: Kind
    authors: list[str] = Field(default_factory=list, description="Hashes of the author key (and of its pseudonym's key).")
    blogs: list[str] = Field(default_factory=list, description="Hashes of blog URLs (with an author: only there).")
    docs: list[str] = Field(default_factory=list, description="Hashes of a post's or a comment's document id.")
    documents: int = Field(0, description="Documents deleted from the index (all versions).")
    records: int = Field(0, description="Records removed from files under the data directory.")
    files: int = Field(0, description="Files under the data directory changed or deleted.")
    command: str = ""

    def same_selector(self, other: Tombstone) -> bool:
        return (self.kind, sorted(self.authors), sorted(self.blogs), sorted(self.docs)) == (
            other.kind, sorted(other.authors), sorted(other.blogs), sorted(other.docs))


def new_tombstone_id() -> str:
    return "t-" + secrets.token_hex(4)


class TombstoneStore:
    """The tombstones of one installation (``<privacy dir>/tombstones.json``)."""

    def __init__(self, privacy_dir: Path) -> None:
        self.dir = privacy_dir
        self.path = privacy_dir / TOMBSTONES_FILE

    @classmethod
    def from_settings(cls, settings: Settings) -> TombstoneStore:
        return cls(privacy_path(settings))

    def load(self) -> list[Tombstone]:
        if not self.path.exists():
            return []
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return [Tombstone.model_validate(t) for t in data.get("tombstones", [])]

    def save(self, tombstones: list[Tombstone]) -> None:
        payload = {"version": 1, "tombstones": [t.model_dump(mode="json") for t in tombstones]}
        with atomic_writer(self.path) as fh:
            json.dump(payload, fh, indent=1)
            fh.write("\n")

    @contextmanager
    def locked(self) -> Iterator[list[Tombstone]]:
        """The tombstones, for a change saved on leaving; one process at a time."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            tombstones = self.load()
            yield tombstones
            self.save(tombstones)

    def matcher(self, keys: PrivacyKeys | None = None) -> Matcher | None:
        """A matcher over every tombstone, or ``None`` when nothing was ever forgotten."""
        tombstones = self.load()
        if not tombstones:
            return None
        keys = keys or PrivacyKeys.load(self.dir)
        if keys is None:
            raise UsageError(f"{self.path} has tombstones but the secret beside it is gone; restore "
                             f"{self.dir / 'secret.key'} from a backup, or nothing forgotten stays forgotten")
        return Matcher.from_tombstones(tombstones, keys)


def forgotten_matcher(settings: Settings) -> Matcher | None:
    """The matcher of this installation's tombstones (``None``: nothing forgotten)."""
    return TombstoneStore.from_settings(settings).matcher()


@dataclass
class Matcher:
    """Does a record, document or data line fall under one of a set of selectors?

    ``hash`` turns (kind, value) into what the sets hold: the keyed hash for tombstones,
    the value itself for upstream deletions. ``pseudonym_key`` (when the installation has a
    secret) lets a tombstone made from a real name also match that commenter's pseudonymised
    documents, and one made from a pseudonym match the raw records behind it."""

    hash: Hasher
    authors: set[str] = field(default_factory=set)
    authors_in_blogs: set[tuple[str, str]] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)
    blogs: set[str] = field(default_factory=set)
    pseudonym_key: Callable[[str], str] | None = None
    _author_hashes: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _blog_hashes: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tombstones(cls, tombstones: Iterable[Tombstone], keys: PrivacyKeys) -> Matcher:
        matcher = cls(keys.hash, pseudonym_key=lambda key: author_key(keys.pseudonym(key)))
        for t in tombstones:
            if t.kind == "author" and t.blogs:
                matcher.authors_in_blogs |= {(a, b) for a in t.authors for b in t.blogs}
            elif t.kind == "author":
                matcher.authors |= set(t.authors)
            elif t.kind == "url":
                matcher.docs |= set(t.docs)
            else:
                matcher.blogs |= set(t.blogs)
        return matcher

    @classmethod
    def plain(cls, docs: Iterable[str] = (), blogs: Iterable[str] = ()) -> Matcher:
        """A matcher of document ids and blog URLs as they are (no hashing)."""
        return cls(lambda kind, value: value, docs=set(docs), blogs=set(blogs))

    def __bool__(self) -> bool:
        return bool(self.authors or self.authors_in_blogs or self.docs or self.blogs)

    # --- questions ------------------------------------------------------------------
    def matches(self, who: Identity | None) -> bool:
        if who is None:
            return False
        if self.docs and any(d and self.hash("doc", d) in self.docs for d in {who.doc_id, who.post_doc_id}):
            return True
        blog = self._blog_hash(who.blog_url) if who.blog_url and (self.blogs or self.authors_in_blogs) else None
        if blog is not None and blog in self.blogs:
            return True
        return self._author_matches(who, blog)

    def _blog_hash(self, blog_url: str) -> str:
        if blog_url not in self._blog_hashes:
            self._blog_hashes[blog_url] = self.hash("blog", blog_url)
        return self._blog_hashes[blog_url]

    def _author_matches(self, who: Identity, blog: str | None) -> bool:
        if not (self.authors or self.authors_in_blogs) or not who.author_key or who.author_key == ANONYMOUS_KEY:
            return False
        hashes = self._author_hashes.get(who.author_key)
        if hashes is None:  # remembered per key: a corpus repeats its authors
            hashes = {self.hash("author", who.author_key)}
            if self.pseudonym_key is not None:
                hashes.add(self.hash("author", self.pseudonym_key(who.author_key)))
            self._author_hashes[who.author_key] = hashes
        if hashes & self.authors:
            return True
        return blog is not None and any((h, blog) in self.authors_in_blogs for h in hashes)

    def matches_object(self, obj: Any) -> bool:
        """A decoded JSON line of any kind the pipeline writes."""
        return self.matches(identify(obj))

    def matches_source(self, doc_id: str, source: dict[str, Any]) -> bool:
        """An Elasticsearch hit (its id and ``_source``)."""
        return self.matches(identify({"id": doc_id, **source}))


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def refuse_forgotten_blog(settings: Settings, blog_url: str) -> None:
    """``ForgottenBlog`` when ``forget --blog`` forgot the blog at ``blog_url``: crawling it
    would only fetch what every stage then leaves out."""
    store = TombstoneStore.from_settings(settings)
    if not store.path.exists():
        return
    keys = PrivacyKeys.load(store.dir)
    blog = keys.hash("blog", blog_url) if keys is not None else None
    for tombstone in store.load():
        if tombstone.kind == "blog" and blog in tombstone.blogs:
            raise ForgottenBlog(f"{blog_url} was forgotten (tombstone {tombstone.id}); remove it from the sources, "
                                f"or lift the tombstone with `shrinksearch forget --undo {tombstone.id}`")
