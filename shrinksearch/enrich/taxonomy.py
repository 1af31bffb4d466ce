"""The psychiatric theme taxonomy (``index_config/themes.yaml``): load, validate, look up.

The YAML format is docs/contracts.md section 3. Besides tagging documents, the taxonomy is
what query understanding uses to expand a user's word into themes: ``expand_concept``
("vacations" -> therapist-absence), then each theme's ``terms``, ``phrases`` and
``related`` for query-time synonyms.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from shrinksearch.enrich.matching import Matcher
from shrinksearch.enrich.stemming import words
from shrinksearch.settings import get_settings

KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# libyaml's safe loader when PyYAML has it (its wheels do): ten times faster than the pure
# Python one, which was most of a CLI search's start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
THEMES_FILE = "themes.yaml"


class Theme(BaseModel):
    """One theme: what it covers and the words, phrases and patterns that signal it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=KEBAB, description="Stable kebab-case id, stored on documents.")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    group: str = Field(pattern=KEBAB, description="Facet the theme is shown under.")
    terms: list[str] = Field(min_length=1, description="Single words, matched after stemming.")
    phrases: list[str] = Field(default_factory=list, description="Word sequences, matched after stemming.")
    patterns: list[str] = Field(default_factory=list, description="Regexes over lowercased text.")
    related: list[str] = Field(default_factory=list, description="Ids of themes to expand to.")

    @field_validator("terms")
    @classmethod
    def _single_words(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if len(words(term)) != 1:
                raise ValueError(f"term {term!r} is not one word; put it in phrases")
        return terms

    @field_validator("phrases")
    @classmethod
    def _several_words(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if len(words(phrase)) < 2:
                raise ValueError(f"phrase {phrase!r} has fewer than two words; put it in terms")
        return phrases

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"pattern {pattern!r} is not a valid regex: {err}") from err
            if pattern != pattern.lower() and not re.search(r"\\[A-Z]", pattern):
                raise ValueError(f"pattern {pattern!r} has capitals but runs on lowercased text")
        return patterns


class Taxonomy(BaseModel):
    """A versioned list of themes with unique ids and resolvable ``related`` links."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, description="Bumped on any change; stored on documents.")
    themes: list[Theme] = Field(min_length=1)
    _by_id: dict[str, Theme] = PrivateAttr(default_factory=dict)
    _matcher: Matcher = PrivateAttr()

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, version: Any) -> Any:
        # YAML reads `version: 1` as an int; the contract says a string.
        return str(version) if isinstance(version, int) else version

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        ids = [theme.id for theme in self.themes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate theme ids: {', '.join(duplicates)}")
        for theme in self.themes:
            unknown = [r for r in theme.related if r not in ids or r == theme.id]
            if unknown:
                raise ValueError(f"theme {theme.id!r} relates to unknown or itself: {', '.join(unknown)}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {theme.id: theme for theme in self.themes}
        self._matcher = Matcher(self.themes)

    @property
    def matcher(self) -> Matcher:
        """Term/phrase/pattern indexes of all themes (built once at load)."""
        return self._matcher

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> Theme:
        """The theme with this id; KeyError naming it otherwise."""
        try:
            return self._by_id[theme_id]
        except KeyError:
            raise KeyError(f"no theme {theme_id!r} in taxonomy version {self.version}") from None

    def groups(self) -> dict[str, list[Theme]]:
        """Themes by group, in file order."""
        grouped: dict[str, list[Theme]] = {}
        for theme in self.themes:
            grouped.setdefault(theme.group, []).append(theme)
        return grouped

    def related_themes(self, theme_id: str) -> list[Theme]:
        return [self._by_id[r] for r in self.get(theme_id).related]

    def expand_concept(self, word_or_phrase: str) -> list[Theme]:
        """Themes a user's word or phrase belongs to, in the order they occur in it.

        Matched like documents are (stems, stemmed phrases, patterns); a theme's own id or
        label typed as is ("therapist-absence", "Therapist absence and vacations") gives
        just that theme.
        """
        wanted = word_or_phrase.strip().casefold()
        direct = [t for t in self.themes if wanted in (t.id, t.label.casefold(), t.id.replace("-", " "))]
        if direct:  # a theme named outright means that theme, not what its words also touch
            return direct
        found = [match.theme for match in self._matcher.find(word_or_phrase)]
        return [self._by_id[theme_id] for theme_id in dict.fromkeys(found)]


def default_taxonomy_path() -> Path:
    return get_settings().index_config_dir / THEMES_FILE


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate the taxonomy (default: settings.index_config_dir / themes.yaml).

    Raises pydantic.ValidationError naming the bad theme and field, or OSError.
    """
    source = Path(path) if path is not None else default_taxonomy_path()
    return parse_taxonomy(source.read_text(encoding="utf-8"))


def parse_taxonomy(text: str) -> Taxonomy:
    """Validate taxonomy YAML given as text (pure: no file access)."""
    return Taxonomy.model_validate(yaml.load(text, Loader=_YAML_LOADER))


@lru_cache(maxsize=4)
def _cached(path: Path) -> Taxonomy:
    return load_taxonomy(path)


def expand_concept(word_or_phrase: str, taxonomy: Taxonomy | None = None) -> list[Theme]:
    """Which themes a user's word belongs to (default taxonomy loaded once per process)."""
    chosen = taxonomy if taxonomy is not None else _cached(default_taxonomy_path())
    return chosen.expand_concept(word_or_phrase)
