"""The records that flow through the pipeline: the contract between its stages.

crawlers/ writes one JSON object per line, ``{"type": "post", ...}`` or
``{"type": "comment", ...}`` (fields of ``RawPost`` / ``RawComment``); the flows read them
back with ``parse_raw_record`` (a malformed line raises ``pydantic.ValidationError`` and is
set aside in the rejects file with the reason). Cleaning and enrichment turn each into one
``Document``: one Elasticsearch document per post and per comment, sharing one schema.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter


def _as_utc(value: datetime | None) -> datetime | None:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


def post_doc_id(post_url: str) -> str:
    """Stable document id of a post: derived from its canonical URL only."""
    return "p-" + _digest(post_url)


def comment_doc_id(post_url: str, comment_id: str) -> str:
    """Stable document id of a comment: its post's canonical URL plus the platform's comment id."""
    return "c-" + _digest(f"{post_url}#{comment_id}")


# ---------------------------------------------------------------------------------------
# What the crawlers emit (JSON Lines)
# ---------------------------------------------------------------------------------------


DateBasis = Literal["instant", "local", "day"]
PUBLISHED_BASIS = (
    "How exact 'published' is: 'instant' (its zone was known: feed, API, epoch, a datetime with an offset), "
    "'local' (a wall-clock time shown without its zone, stored as if UTC), 'day' (a date without a time)."
)
AUTHOR_SHOWN = "The name as the page showed it, when it differs from 'author' (e.g. 'Anónimo' for Anonymous)."


class _Raw(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    blog_name: str = Field(min_length=1, description="Human name of the blog.")
    blog_url: str = Field(min_length=1, description="Home page URL of the blog.")
    platform: Literal["blogger", "wordpress", "generic"]
    source: str | None = Field(None, description="Name of the sources.yaml entry, if any.")
    crawled: UtcDatetime = Field(description="When the crawler fetched it (UTC).")


class RawPost(_Raw):
    type: Literal["post"] = "post"
    url: str = Field(min_length=1, description="Canonical URL of the post.")
    platform_id: str | None = Field(None, description="The platform's own id (Blogger postId, WordPress id).")
    title: str = ""
    author: str | None = None
    author_shown: str | None = Field(None, description=AUTHOR_SHOWN)
    author_url: str | None = None
    published: UtcDatetime | None = None
    published_basis: DateBasis | None = Field(None, description=PUBLISHED_BASIS)
    updated: UtcDatetime | None = None
    labels: list[str] = Field(default_factory=list)
    html: str = Field(description="Body HTML as served (sanitised later).")
    comment_count: int | None = Field(None, ge=0, description="Comments the platform declares for the post (feed, API or page header); None when it says nothing.")


class RawComment(_Raw):
    type: Literal["comment"] = "comment"
    id: str = Field(min_length=1, description="Stable comment id (the platform's id, or a hash when it has none).")
    post_url: str = Field(min_length=1, description="Canonical URL of the post it is under.")
    post_title: str = ""
    parent_id: str | None = Field(None, description="Comment id it replies to; None for a top-level comment.")
    author: str | None = None
    author_shown: str | None = Field(None, description=AUTHOR_SHOWN)
    author_url: str | None = None
    published: UtcDatetime | None = None
    published_basis: DateBasis | None = Field(None, description=PUBLISHED_BASIS)
    html: str = Field(description="Body HTML as served.")
    position: int = Field(0, ge=0, description="0-based order of the comment in its thread.")


RawRecord = Annotated[RawPost | RawComment, Field(discriminator="type")]
_raw_adapter: TypeAdapter[RawPost | RawComment] = TypeAdapter(RawRecord)  # type: ignore[arg-type]  # mypy 1.19 misreads Annotated unions


def parse_raw_record(line: str | bytes) -> RawPost | RawComment:
    """Parse one JSON Lines record; raises pydantic.ValidationError with the reason."""
    return _raw_adapter.validate_json(line)


# ---------------------------------------------------------------------------------------
# What is indexed (one Elasticsearch document per post and per comment)
# ---------------------------------------------------------------------------------------


class ThemeTag(BaseModel):
    """One theme found in a document, with why."""

    theme: str = Field(description="Theme id from the taxonomy, e.g. 'transference'.")
    score: float = Field(ge=0)
    evidence: list[str] = Field(default_factory=list, description="Text spans (quoted from the document) that triggered it.")


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Literal["post", "comment"]
    blog: str
    blog_url: str
    platform: str
    url: str = Field(description="Canonical URL; for a comment, the post URL with a #fragment when known.")
    title: str = Field("", description="The post's title (comments carry their post's title).")
    author: str = Field(description="Display name ('Anonymous' when none).")
    author_shown: str | None = Field(None, description=AUTHOR_SHOWN)
    author_key: str = Field(description="Normalised key joining one person's spellings.")
    author_url: str | None = None
    author_role: Literal["blogger", "commenter"]
    post_id: str = Field(description="Document id of the post (a post's own id for posts).")
    parent_id: str | None = Field(None, description="Document id of the comment replied to.")
    position: int | None = None
    published: UtcDatetime | None = None
    published_basis: DateBasis | None = Field(None, description=PUBLISHED_BASIS)
    updated: UtcDatetime | None = None
    crawled: UtcDatetime
    text: str = Field(description="Cleaned text, own words only.")
    quoted_text: str = Field("", description="Text the comment quotes from others (kept apart).")
    html: str = Field("", description="Sanitised HTML.")
    labels: list[str] = Field(default_factory=list)
    lang: str | None = None
    duplicate_of: str | None = Field(None, description="Id of a near-duplicate seen earlier, if any.")
    themes: list[str] = Field(default_factory=list)
    theme_tags: list[ThemeTag] = Field(default_factory=list)
    embedding: list[float] | None = None
    taxonomy_version: str | None = None
    pipeline_version: str | None = None

    def to_source(self) -> dict:
        """The Elasticsearch _source (everything but the id, JSON-ready)."""
        return self.model_dump(mode="json", exclude={"id"}, exclude_none=True)
