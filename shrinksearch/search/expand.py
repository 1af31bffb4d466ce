"""Concept expansion: from the user's words to every wording the taxonomy knows for them.

"vacations" stems to the same Snowball stem as the ``therapist-absence`` theme's term
"vacation", so the concept grows that theme's terms and phrases (holiday, time off,
rescheduled sessions, …), the theme id itself (documents the enricher tagged), and, at a
lower weight, the themes the taxonomy lists as ``related``. The index's hunspell analyzer
then matches each wording's own inflections. Quoted phrases are taken literally: never
expanded. Pure code over the loaded taxonomy; no Elasticsearch here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import Stemmer

from shrinksearch.search.query import Concept, Term

USER_WEIGHT = 1.0
THEME_WEIGHT = 0.6
RELATED_WEIGHT = 0.25


class ThemeLike(Protocol):
    """What expansion needs of a taxonomy theme (``shrinksearch.enrich`` provides it)."""

    id: str
    label: str
    terms: Sequence[str]
    phrases: Sequence[str]
    related: Sequence[str]


@dataclass(frozen=True)
class Variant:
    """One wording to look for: a single word, words in any order, or an exact phrase."""

    text: str
    phrase: bool
    weight: float
    source: str  # "user" or the theme id it came from


@dataclass(frozen=True)
class Expansion:
    """A concept with every wording and theme id that counts as discussing it."""

    concept: Concept
    variants: tuple[Variant, ...]
    themes: tuple[tuple[str, float], ...]  # (theme id, weight): direct 1.0, related lower

    @property
    def label(self) -> str:
        return self.concept.label

    @property
    def theme_ids(self) -> list[str]:
        return [theme for theme, _ in self.themes]

    def to_dict(self) -> dict:
        """What the concept was expanded to, for the API and `--json`."""
        return {
            "concept": self.label,
            "themes": self.theme_ids,
            "wordings": [v.text for v in self.variants],
        }


class Expander:
    """Expands concepts against one taxonomy (build once, reuse for every query)."""

    def __init__(self, themes: Iterable[ThemeLike]) -> None:
        self.themes = {theme.id: theme for theme in themes}
        self._by_stem = self._index_wordings()

    def expand(self, concept: Concept) -> Expansion:
        """The concept's own wordings, plus those of the themes its words name."""
        direct = self._themes_for(concept)
        related = [r for t in direct for r in self.themes[t].related if r in self.themes and r not in direct]
        variants = _user_variants(concept) + self._theme_variants(direct, THEME_WEIGHT)
        variants += self._theme_variants(list(dict.fromkeys(related)), RELATED_WEIGHT)
        themes = [(t, 1.0) for t in direct] + [(t, RELATED_WEIGHT) for t in dict.fromkeys(related)]
        return Expansion(concept, _dedupe(variants), tuple(themes))

    def expand_all(self, concepts: Iterable[Concept]) -> list[Expansion]:
        return [self.expand(c) for c in concepts]

    def _index_wordings(self) -> dict[tuple[str, ...], list[str]]:
        # stem sequence -> theme ids, for the theme id, its terms and its phrases
        index: dict[tuple[str, ...], list[str]] = {}
        for theme in self.themes.values():
            for wording in [theme.id.replace("-", " "), *theme.terms, *theme.phrases]:
                key = stem_key(wording)
                if key and theme.id not in index.setdefault(key, []):
                    index[key].append(theme.id)
        return index

    def _themes_for(self, concept: Concept) -> list[str]:
        found: list[str] = []
        for term in concept.terms:
            if not term.phrase:  # quoted phrases mean exactly those words
                found.extend(self._themes_for_words(stem_key(term.text)))
        return list(dict.fromkeys(found))

    def _themes_for_words(self, stems: tuple[str, ...]) -> list[str]:
        # The longest runs of the user's words that name a theme wording, left to right:
        # "therapist vacations" → "vacation" (therapist-absence) when "therapist" names none.
        found: list[str] = []
        i = 0
        while i < len(stems):
            for j in range(len(stems), i, -1):
                if stems[i:j] in self._by_stem:
                    found.extend(self._by_stem[stems[i:j]])
                    i = j - 1
                    break
            i += 1
        return found

    def _theme_variants(self, theme_ids: list[str], weight: float) -> list[Variant]:
        out: list[Variant] = []
        for theme_id in theme_ids:
            theme = self.themes[theme_id]
            out += [Variant(t, phrase=" " in t.strip(), weight=weight, source=theme_id) for t in theme.terms]
            out += [Variant(p, phrase=True, weight=weight, source=theme_id) for p in theme.phrases]
        return out


def _user_variants(concept: Concept) -> list[Variant]:
    return [Variant(t.text.replace("-", " "), t.phrase, USER_WEIGHT, "user") for t in concept.terms]


def _dedupe(variants: list[Variant]) -> tuple[Variant, ...]:
    # The first (highest-weight) occurrence of a wording wins.
    seen: dict[tuple[str, ...], Variant] = {}
    for v in variants:
        seen.setdefault(stem_key(v.text), v)
    return tuple(seen.values())


_WORDS = re.compile(r"[a-z0-9']+")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stem_key(text: str) -> tuple[str, ...]:
    """Snowball stems of a wording's words: what two wordings must share to be the same."""
    words = _WORDS.findall(text.lower().replace("-", " "))
    return tuple(_stemmer().stemWords(words))
