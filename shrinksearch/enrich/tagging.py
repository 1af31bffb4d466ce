"""Tag documents with taxonomy themes, each with a score and the evidence that triggered it.

Scoring, per theme::

    raw   = sum over distinct matched entries k of  weight(k) * (1 + ln(occurrences of k))
    score = raw / max(1, sqrt(words / LENGTH_UNIT))

An entry is one term (all its inflections count as the same entry), phrase or pattern of
the theme; terms weigh 1 (a single common word proves little), phrases and patterns 2.
Distinct entries add up fully while repeats of one entry add only logarithmically, so the
score grows with the variety of evidence. Texts up to ``LENGTH_UNIT`` words are not
penalised; beyond that the score is divided by the square root of the length in units, so a
long post needs proportionally more evidence than a short comment. A theme is tagged when
``score >= MIN_SCORE``: one phrase or pattern in a comment ("my therapist is on vacation"),
but not one passing word in a long post.
"""

from __future__ import annotations

import math
from collections import defaultdict

from shrinksearch import __version__
from shrinksearch.enrich.evidence import Spans
from shrinksearch.enrich.matching import Match
from shrinksearch.enrich.stemming import words
from shrinksearch.enrich.taxonomy import Taxonomy
from shrinksearch.records import Document, ThemeTag

# Bump the suffix whenever scoring or matching rules change (documents record it).
PIPELINE_VERSION = f"{__version__}+tagger.1"

WEIGHTS = {"term": 1.0, "phrase": 2.0, "pattern": 2.0}
LENGTH_UNIT = 150  # words; about a long comment
MIN_SCORE = 2.0
MAX_EVIDENCE = 3  # spans kept per theme
_STRENGTH = {"pattern": 0, "phrase": 1, "term": 2}  # which evidence is quoted first


def length_norm(word_count: int) -> float:
    """Divisor applied to raw scores: 1 up to LENGTH_UNIT words, then sqrt of the units."""
    return max(1.0, math.sqrt(word_count / LENGTH_UNIT))


def theme_score(matches: list[Match], word_count: int) -> float:
    """Score of one theme from its matches in a text of ``word_count`` words."""
    occurrences: dict[tuple[str, str], int] = defaultdict(int)
    for match in matches:
        occurrences[(match.kind, match.key)] += 1
    raw = sum(WEIGHTS[kind] * (1 + math.log(count)) for (kind, _), count in occurrences.items())
    return raw / length_norm(word_count)


def _evidence(matches: list[Match], spans: Spans) -> list[str]:
    """Up to MAX_EVIDENCE non-overlapping spans, the strongest kinds of match first."""
    taken: list[tuple[int, int]] = []
    for match in sorted(matches, key=lambda m: (_STRENGTH[m.kind], m.start)):
        if any(lo < match.end and match.start < hi for lo, hi in taken):
            continue  # already quoted within an earlier span
        left, right = spans.bounds(match.start, match.end)
        if any(lo < right and left < hi for lo, hi in taken):
            continue  # would repeat much of an earlier span
        taken.append((left, right))
        if len(taken) == MAX_EVIDENCE:
            break
    return [spans.text[lo:hi].strip() for lo, hi in sorted(taken)]


def tag_text(text: str, taxonomy: Taxonomy) -> list[ThemeTag]:
    """Themes of a text scoring at least MIN_SCORE, best first, with evidence spans."""
    by_theme: dict[str, list[Match]] = defaultdict(list)
    for match in taxonomy.matcher.find(text):
        by_theme[match.theme].append(match)
    word_count = len(words(text))
    spans = Spans(text)
    tags = [
        ThemeTag(theme=theme_id, score=round(score, 3), evidence=_evidence(matches, spans))
        for theme_id, matches in by_theme.items()
        if (score := theme_score(matches, word_count)) >= MIN_SCORE
    ]
    return sorted(tags, key=lambda tag: (-tag.score, tag.theme))


def tagging_text(doc: Document) -> str:
    """What is tagged: a post's title and text; a comment's own words only.

    A comment's title is its post's, and its quoted text is someone else's words.
    """
    if doc.kind == "post" and doc.title:
        return f"{doc.title}\n\n{doc.text}"
    return doc.text


def tag_document(doc: Document, taxonomy: Taxonomy) -> Document:
    """A copy of ``doc`` with themes, theme_tags, taxonomy_version and pipeline_version set.

    Replaces any earlier tags, so re-enriching after a taxonomy change is just calling it again.
    """
    tags = tag_text(tagging_text(doc), taxonomy)
    return doc.model_copy(
        update={
            "themes": [tag.theme for tag in tags],
            "theme_tags": tags,
            "taxonomy_version": taxonomy.version,
            "pipeline_version": PIPELINE_VERSION,
        }
    )
