"""What a search returns: hits, facets, people, threads — plain dataclasses, JSON-ready.

Built from Elasticsearch responses here so the service stays a sequence of requests.
Snippets are Elasticsearch highlight fragments produced with ``encoder: html``: the
document's text is escaped and only ``<em>``/``</em>`` are markup. Everything else
(titles, names, text) is raw crawled text and must be escaped by whoever renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Hit:
    """One post or comment in a ranking."""

    id: str
    kind: str
    url: str
    post_url: str
    post_id: str
    parent_id: str | None
    title: str
    author: str
    author_key: str
    author_role: str
    blog: str
    published: str | None
    score: float | None
    snippets: list[str]
    themes: list[str]
    concepts: list[str] = field(default_factory=list)  # which concepts it showed ("who")
    text: str | None = None  # the whole text, in thread views only
    quoted_text: str | None = None  # what a comment quotes from others (internal: quote links)
    quoted_in: list[dict] = field(default_factory=list)  # documents quoting this one ("who")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FacetValue:
    value: str
    count: int
    label: str


@dataclass
class SearchResult:
    """A page of ranked documents with facets and how the query was understood."""

    query: dict
    expansions: list[dict]
    total: int
    offset: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    mode: str = "lexical"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Person:
    """Someone who writes about the concepts, with the documents that show it."""

    key: str
    name: str
    role: str
    blogs: list[str]
    anonymous: bool
    score: float
    concept_scores: dict[str, float]
    evidence: list[Hit]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class WhoResult:
    """People ranked by how strongly they discuss every concept of the question."""

    query: dict
    expansions: list[dict]
    people: list[Person]
    note: str = (
        "Anonymous comments are not merged: 'Anonymous' is many different people, so each "
        "anonymous comment is its own person (key anonymous@<document id>). A post whose page "
        "names no author is its blog's author's (key blog@<blog>, shown as 'the author of <blog>')."
    )

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ThreadNode:
    """A comment and the replies to it."""

    comment: Hit
    replies: list[ThreadNode] = field(default_factory=list)


@dataclass
class Thread:
    """A post with its comments, replies nested under the comment they answer."""

    post: Hit
    comments: list[ThreadNode]
    total_comments: int

    def to_dict(self) -> dict:
        return asdict(self)


def hit_from_es(raw: dict[str, Any], with_text: bool = False) -> Hit:
    """A Hit from one Elasticsearch hit (search, inner hits or get)."""
    src = raw.get("_source", {})
    url = src.get("url", "")
    highlight = raw.get("highlight", {})
    return Hit(
        id=raw["_id"],
        kind=src.get("kind", ""),
        url=url,
        post_url=url.split("#", 1)[0],
        post_id=src.get("post_id", raw["_id"]),
        parent_id=src.get("parent_id"),
        title=src.get("title", ""),
        author=src.get("author", ""),
        author_key=src.get("author_key", ""),
        author_role=src.get("author_role", ""),
        blog=src.get("blog", ""),
        published=src.get("published"),
        score=raw.get("_score"),
        snippets=list(highlight.get("text", [])),
        themes=list(src.get("themes", [])),
        text=src.get("text") if with_text else None,
        quoted_text=src.get("quoted_text") if with_text else None,
    )


def facets_from_es(aggs: dict[str, Any], theme_label: Callable[[str], str] = str) -> dict[str, list[FacetValue]]:
    """Facet counts from the aggregations of ``builder.facet_aggs``; theme values are
    labelled with ``theme_label`` (the taxonomy's labels)."""
    out: dict[str, list[FacetValue]] = {}
    for name, agg in aggs.items():
        out[name] = [_facet_value(name, bucket, theme_label) for bucket in agg.get("buckets", [])]
    return out


def _facet_value(name: str, bucket: dict[str, Any], theme_label: Callable[[str], str]) -> FacetValue:
    if name == "year":
        year = bucket["key_as_string"][:4]
        return FacetValue(year, bucket["doc_count"], year)
    if name == "theme":
        return FacetValue(str(bucket["key"]), bucket["doc_count"], theme_label(str(bucket["key"])))
    label = str(bucket["key"])
    names = bucket.get("name", {}).get("buckets", [])
    if names:  # an author facet shows the display name, filters by the key
        label = names[0]["key"]
    return FacetValue(str(bucket["key"]), bucket["doc_count"], label)
