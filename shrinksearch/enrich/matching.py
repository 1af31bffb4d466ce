"""Find where a taxonomy's terms, phrases and patterns occur in a text.

Terms are compared by stem, phrases as sequences of stems (so "rescheduled sessions"
matches the phrase "reschedule session"), patterns as regular expressions over the
lowercased text. Every match keeps its character span in the original text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from shrinksearch.enrich.stemming import Token, stems, tokenize

if TYPE_CHECKING:
    from shrinksearch.enrich.taxonomy import Theme

MatchKind = Literal["term", "phrase", "pattern"]


@dataclass(frozen=True)
class Match:
    """One occurrence of a theme's term, phrase or pattern; ``key`` is the taxonomy entry."""

    theme: str
    kind: MatchKind
    key: str
    start: int
    end: int


def lower_keeping_offsets(text: str) -> str:
    """Lowercase, except characters whose lowercase is longer (offsets must not shift)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


class Matcher:
    """Indexes of a list of themes, built once, used for every text."""

    def __init__(self, themes: Iterable[Theme]) -> None:
        self._terms: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        self._patterns: list[tuple[str, str, re.Pattern[str]]] = []
        for theme in themes:
            self._add(theme)

    def _add(self, theme: Theme) -> None:
        for term in theme.terms:
            owners = self._terms[stems(term)[0]]
            # "suicide", "suicidal" share a stem: one entry, keyed by the first one listed.
            if all(theme_id != theme.id for theme_id, _ in owners):
                owners.append((theme.id, term))
        for phrase in theme.phrases:
            sequence = stems(phrase)
            self._phrases[sequence[0]].append((sequence, theme.id, phrase))
        for pattern in theme.patterns:
            self._patterns.append((theme.id, pattern, re.compile(pattern)))

    def find(self, text: str) -> list[Match]:
        """Every match in ``text``, ordered by position."""
        tokens = tokenize(text)
        found = [*self._word_matches(tokens), *self._pattern_matches(text)]
        return sorted(found, key=lambda match: (match.start, match.end, match.theme))

    def _word_matches(self, tokens: list[Token]) -> Iterable[Match]:
        for i, token in enumerate(tokens):
            for theme_id, term in self._terms.get(token.stem, ()):
                yield Match(theme_id, "term", term, token.start, token.end)
            for sequence, theme_id, phrase in self._phrases.get(token.stem, ()):
                window = tokens[i : i + len(sequence)]
                if tuple(t.stem for t in window) == sequence:
                    yield Match(theme_id, "phrase", phrase, token.start, window[-1].end)

    def _pattern_matches(self, text: str) -> Iterable[Match]:
        lowered = lower_keeping_offsets(text)
        for theme_id, source, pattern in self._patterns:
            for hit in pattern.finditer(lowered):
                if hit.end() > hit.start():
                    yield Match(theme_id, "pattern", source, hit.start(), hit.end())
