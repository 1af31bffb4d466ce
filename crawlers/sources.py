"""The list of blogs to crawl (``crawlers/sources.yaml``, path from settings.sources_file).

Each entry: a name, a start URL, the platform when known (else detected), allow/deny URL
regexes and a schedule hint for the flows. Entries are grouped (``default``, ``samples``).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from shrinksearch.exceptions import CrawlError, UsageError

from .detect import PLATFORMS


class Source(BaseModel):
    """One blog to crawl."""

    name: str = Field(min_length=1, description="Unique name, used for state and output files.")
    url: str = Field(min_length=1, description="Home page of the blog.")
    platform: str | None = Field(default=None, description="blogger | wordpress | generic; detected when unset.")
    title: str | None = Field(default=None, description="Human name of the blog (else taken from the site).")
    allow: list[str] = Field(default_factory=list, description="Regexes a followed URL must match (any).")
    deny: list[str] = Field(default_factory=list, description="Regexes a followed URL must not match.")
    schedule: str | None = Field(default=None, description="Schedule hint for the flows, e.g. 'daily'.")
    group: str = "default"

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str | None) -> str | None:
        if value is not None and value not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        return value

    @field_validator("allow", "deny")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


def load_sources(path: Path) -> list[Source]:
    """Every entry of a sources file, in file order; a bad file raises ``CrawlError``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return [
            Source(group=group, **entry)
            for group, entries in (data.get("groups") or {}).items()
            for entry in entries or []
        ]
    except FileNotFoundError:
        raise CrawlError(f"sources file {path} not found; set SHRINKSEARCH_SOURCES_FILE") from None
    except (yaml.YAMLError, ValidationError, TypeError, AttributeError) as err:
        first = str(err).splitlines()[0]
        raise CrawlError(f"sources file {path} is invalid ({first}); fix the entry") from None


def find_source(name: str, path: Path) -> Source:
    """The entry called ``name``; a ``UsageError`` listing the known names otherwise."""
    sources = load_sources(path)
    for source in sources:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in sources)
    raise UsageError(f"no source named {name!r} in {path}; known: {known}")
