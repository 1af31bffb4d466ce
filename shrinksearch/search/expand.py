"""Concept expansion: from the user's words to every wording the taxonomy knows for them.

"vacations" stems to the same Snowball stem as the ``therapist-absence`` theme's term
"vacation", so the concept grows that theme's terms and phrases (holiday, time off,
rescheduled sessions, …) and the theme id itself (documents the enricher tagged); the
themes the taxonomy lists as ``related`` are added for ranking only. The index's hunspell
analyzer then matches each wording's own inflections.

Only a word that *names* a theme (its id, or a piece of its label: "vacations" in
"Therapist absence and vacations") takes in the theme's other wordings as equals; a word
that is merely one of its members ("clozapine" among the antipsychotics, "solitary" among
the prison words) brings its siblings in for ranking only.

A wording of several words is split into *parts* at the taxonomy's words and phrases, and
every part but one is required: "therapist vacations" is a therapist (psychotherapy) *and* a
vacation (therapist-absence), while "time off" or "weight gain" stay whole because the
taxonomy knows them as phrases. Quoted phrases are taken literally: never expanded.

Within one question, a theme two concepts both name cannot tell them apart ("vacations
and coverage" are both therapist-absence): for those concepts it only ranks, and each
must match by its own words.

**Expansion by sense.** A word that is a theme's own name ("transference", "vacations")
has that one sense. Any other word takes in a theme's wordings only when the question's
other words support that sense: when another concept of the question belongs to the same theme,
to one the taxonomy relates to it, or to the same area of the taxonomy (its group, or a
group its themes are related to), or when the question has no other concept to go by.
"dependence" next to "Xanax" and "benzodiazepines" is not *dependency on the therapist*:
that theme is left out of the wordings (its tags only add a little to the score, so a
literal match always wins), and the expansion says which themes were used and why.
Pure code over the loaded taxonomy; no Elasticsearch here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import Stemmer

from shrinksearch.search.query import STOP_WORDS, Concept, Term

MAX_CONCEPT_WORDS = 3  # a longer group is a clause: only its taxonomy terms become concepts
USER_WEIGHT = 1.0
THEME_WEIGHT = 0.6
RELATED_WEIGHT = 0.25

Tier = Literal["user", "theme", "related"]


class ThemeLike(Protocol):
    """What expansion needs of a taxonomy theme (``shrinksearch.enrich`` provides it)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def terms(self) -> Sequence[str]: ...
    @property
    def phrases(self) -> Sequence[str]: ...
    @property
    def related(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Variant:
    """One wording to look for: a single word, words in any order, or an exact phrase."""

    text: str
    phrase: bool
    weight: float
    source: str  # "user" or the theme id it came from
    tier: Tier = "user"


@dataclass(frozen=True)
class Part:
    """One required piece of a wording, with everything that counts as saying it."""

    text: str
    variants: tuple[Variant, ...]
    themes: tuple[str, ...] = ()  # tagged with one of these = says it
    ranking_themes: tuple[str, ...] = ()  # related or shared themes: rank, never match
    weak_themes: tuple[str, ...] = ()  # senses the question does not support: a little score only
    member_themes: tuple[str, ...] = ()  # themes the words belong to (not named by them)

    def tier(self, *tiers: Tier) -> list[Variant]:
        return [v for v in self.variants if v.tier in tiers]


@dataclass(frozen=True)
class Wording:
    """One alternative wording of a concept: all its parts are required."""

    term: Term
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Sense:
    """Why a theme was, or was not, used to expand a concept."""

    theme: str
    used: bool
    reason: str


@dataclass(frozen=True)
class Expansion:
    """A concept: any of its wordings (alternatives, "lithium or valproate")."""

    concept: Concept
    wordings: tuple[Wording, ...]
    senses: tuple[Sense, ...] = ()

    @property
    def label(self) -> str:
        return self.concept.label

    @property
    def direct_themes(self) -> list[str]:
        return list(dict.fromkeys(t for w in self.wordings for p in w.parts for t in p.themes))

    @property
    def related_themes(self) -> list[str]:
        return list(dict.fromkeys(t for w in self.wordings for p in w.parts for t in p.ranking_themes))

    @property
    def theme_ids(self) -> list[str]:
        return self.direct_themes + [t for t in self.related_themes if t not in self.direct_themes]

    def to_dict(self) -> dict:
        """What the concept was expanded to, for the API and `--json`."""
        return {
            "concept": self.label,
            "parts": [[p.text for p in w.parts] for w in self.wordings],
            "themes": self.direct_themes,
            "ranking_themes": self.related_themes,
            "wordings": list(dict.fromkeys(v.text for w in self.wordings for p in w.parts for v in p.tier("user", "theme"))),
            "senses": [{"theme": x.theme, "used": x.used, "reason": x.reason} for x in self.senses],
        }


class Expander:
    """Expands concepts against one taxonomy (build once, reuse for every query)."""

    def __init__(self, themes: Iterable[ThemeLike]) -> None:
        self.themes = {theme.id: theme for theme in themes}
        self._by_stem = self._index_wordings()
        self._near = self._near_themes()
        self._strong_names = {t.id: {stem_key(n) for n in _names(t)[:-1]} for t in self.themes.values()}

    def expand_all(self, concepts: Iterable[Concept]) -> list[Expansion]:
        """Each concept expanded; themes named by more than one concept only rank, and a
        theme the question's other concepts give no support to is not used (see the module
        docstring)."""
        concepts = list(concepts)
        named = [set(self._concept_themes(c)) for c in concepts]
        shared = {t for i, themes in enumerate(named) for t in themes if any(t in o for j, o in enumerate(named) if j != i)}
        others = [set().union(*(o for j, o in enumerate(named) if j != i)) for i in range(len(concepts))]
        return [self.expand(c, shared, others[i], others[i]) for i, c in enumerate(concepts)]

    def expand(self, concept: Concept, shared: set[str] = frozenset(), others: set[str] = frozenset(),  # type: ignore[assignment]
               context: set[str] | None = None) -> Expansion:
        """One concept; ``shared`` themes only rank, ``others`` (other concepts') are left out,
        and ``context`` (the themes of the question's other concepts; none given: no other
        concept to go by) decides which senses are supported."""
        senses: dict[str, Sense] = {}
        wordings = tuple(self._wording(t, shared, others, context, senses) for t in concept.terms)
        return Expansion(concept, wordings, tuple(senses.values()))

    def concepts_of(self, concepts: Iterable[Concept]) -> list[Concept]:
        """The concepts worth a clause of their own: short groups (list items, "a and b")
        as typed, and out of a longer clause ("when the therapist has strong feelings about a
        client") only the runs of words the taxonomy knows. A clause is a sentence, not a
        concept; its other words still count as words (the recall floor)."""
        out: list[Concept] = []
        for concept in concepts:
            if len(concept.terms) > 1 or concept.terms[0].phrase or len(concept.terms[0].text.split()) <= MAX_CONCEPT_WORDS:
                out.append(concept)
                continue
            out += [Concept((Term(text),)) for text, found in self.segment(concept.terms[0].text) if found]
        return list(dict.fromkeys(out))

    def _sense(self, theme_id: str, text: str, context: set[str] | None) -> Sense:
        # A word that *is* the theme's name (its id or a piece of its label: "transference",
        # "vacations") has one sense; any other wording of it needs the question's support.
        if stem_key(text) in self._strong_names.get(theme_id, set()):
            return Sense(theme_id, True, f"{self.themes[theme_id].label}: named")
        return self.supports(theme_id, context)

    def supports(self, theme_id: str, context: set[str] | None) -> Sense:
        """Whether the question's other themes (``context``) support expanding to ``theme_id``."""
        label = self.themes[theme_id].label
        if not context:
            return Sense(theme_id, True, f"{label}: no other concept in the question points elsewhere")
        backing = sorted(context & self._near.get(theme_id, {theme_id}))
        if backing:
            return Sense(theme_id, True, f"{label}: supported by {', '.join(self.themes[t].label for t in backing)}")
        return Sense(theme_id, False, f"{label}: nothing else in the question is about it")

    # --- one wording ---------------------------------------------------------------

    def _wording(self, term: Term, shared: set[str], others: set[str], context: set[str] | None,
                 senses: dict[str, Sense]) -> Wording:
        if term.phrase:  # quoted: exactly these words
            return Wording(term, (Part(term.text, (Variant(term.text, True, USER_WEIGHT, "user"),)),))
        parts = []
        for text, found in self.segment(term.text):
            judged = {t: senses.setdefault(t, self._sense(t, text, context)) for t, _ in found}
            kept = [(t, is_name) for t, is_name in found if judged[t].used]
            unsupported = [t for t, _ in found if not judged[t].used]
            parts.append(self._part(text, kept, shared, others, unsupported))
        return Wording(term, tuple(parts))

    def _part(self, text: str, found: list[tuple[str, bool]], shared: set[str], others: set[str],
              unsupported: Sequence[str] = ()) -> Part:
        named = [t for t, is_name in found if is_name]
        matching = [t for t in named if t not in shared]
        ranking = [t for t in named if t in shared] + [t for t, is_name in found if not is_name]
        ranking += [r for t in named for r in self.themes[t].related if r in self.themes and r not in others]
        ranking = [t for t in dict.fromkeys(ranking) if t not in matching]
        members = [t for t, is_name in found if not is_name and t not in shared and t not in matching]
        variants = [Variant(text, False, USER_WEIGHT, "user")]  # unquoted: its words, near or not
        variants += self._theme_variants(matching, THEME_WEIGHT, "theme")
        variants += self._theme_variants(ranking, RELATED_WEIGHT, "related")
        weak = tuple(t for t in dict.fromkeys(unsupported) if t not in matching and t not in ranking)
        return Part(text, _dedupe(variants), tuple(matching), tuple(ranking), weak, tuple(members))

    def segment(self, text: str) -> list[tuple[str, list[tuple[str, bool]]]]:
        """The wording cut into runs of words, each with the themes it names or belongs to
        (theme id, whether the run *names* the theme): the longest known run wins
        ("lithium weight gain" → lithium | weight gain)."""
        words = [w for w in _WORDS.findall(text.lower().replace("-", " ")) if w not in STOP_WORDS]
        stems = _stemmer().stemWords(words)
        runs: list[tuple[str, list[tuple[str, bool]]]] = []
        i = 0
        while i < len(words):
            j = next((j for j in range(len(words), i, -1) if tuple(stems[i:j]) in self._by_stem), i + 1)
            runs.append((" ".join(words[i:j]), list(self._by_stem.get(tuple(stems[i:j]), {}).items())))
            i = j
        return runs

    def _concept_themes(self, concept: Concept) -> list[str]:
        return [t for term in concept.terms if not term.phrase for _, found in self.segment(term.text) for t, _ in found]

    def _near_themes(self) -> dict[str, set[str]]:
        """Theme id -> the themes whose presence in a question supports it: itself, the
        themes it is related to (either way round), and every theme of its group or of a
        group one of those belongs to."""
        related = {t: set(self.themes[t].related) & set(self.themes) for t in self.themes}
        for t, rel in list(related.items()):
            for r in rel:
                related[r] = related[r] | {t}
        groups: dict[str, set[str]] = {}
        for t, theme in self.themes.items():
            groups.setdefault(getattr(theme, "group", None) or t, set()).add(t)
        group_of = {t: getattr(theme, "group", None) or t for t, theme in self.themes.items()}
        near: dict[str, set[str]] = {}
        for t in self.themes:
            close = {t} | related[t]
            near[t] = close | {u for c in close for u in groups[group_of[c]]}
        return near

    def _index_wordings(self) -> dict[tuple[str, ...], dict[str, bool]]:
        # stem sequence -> {theme id: whether the wording names the theme}. A theme's id and
        # label name it ("vacations": Therapist absence and vacations); its terms and
        # phrases are members ("clozapine" is an antipsychotic, not a name for them all).
        index: dict[tuple[str, ...], dict[str, bool]] = {}
        for theme in self.themes.values():
            for wording, is_name in [*((n, True) for n in _names(theme)), *((w, False) for w in [*theme.terms, *theme.phrases])]:
                key = stem_key(wording)
                if key:
                    entry = index.setdefault(key, {})
                    entry[theme.id] = entry.get(theme.id, False) or is_name
        return index

    def _theme_variants(self, theme_ids: list[str], weight: float, tier: Tier) -> list[Variant]:
        out: list[Variant] = []
        for theme_id in theme_ids:
            theme = self.themes[theme_id]
            out += [Variant(t, " " in t.strip(), weight, theme_id, tier) for t in theme.terms]
            out += [Variant(p, True, weight, theme_id, tier) for p in theme.phrases]
        return out


_LABEL_SPLIT = re.compile(r"\s+and\s+|,|\(|\)|/")
_LEADING = re.compile(r"^(?:the|other|general)\s+")


def _names(theme: ThemeLike) -> list[str]:
    """What names a theme: its id, each piece of its label ("Lithium and mood
    stabilisers" → lithium, mood stabilisers), and, last, its first term, the headword the
    taxonomy lists first ("dependency" for dependency-on-therapist)."""
    pieces = [_LEADING.sub("", p.strip().lower()) for p in _LABEL_SPLIT.split(theme.label)]
    return [theme.id.replace("-", " "), *(p for p in pieces if p), *theme.terms[:1]]


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
    """Snowball stems of a wording's words, stop words left out (as the query parser and
    the index do): what two wordings must share to be the same."""
    words = [w for w in _WORDS.findall(text.lower().replace("-", " ")) if w not in STOP_WORDS]
    return tuple(_stemmer().stemWords(words))
