"""Ranking people for "who" questions, from the same document ranking as a search.

Input: the response to ``people_query.ranked_docs_body`` — the best documents for the
question (with its recall floor) as ids, scores, authors and the concepts each shows —
grouped here by person. Ranking needs no more; ``fill_in`` puts the whole documents (with
snippets) in place for the evidence shown.

A person's strength is their best document's score plus a little for the next ones (how
strongly, not how much), relative to the strongest person. It is multiplied by
``1 + COVERAGE_WEIGHT × coverage``, the share of the question's concepts their documents
show between them (a post on transference and a comment on vacations cover both): people
who discuss every concept come first, then most, then the rest — nobody is filtered out.
Whoever wrote the best document for the question is never below third.

People quoted by the strongest documents share in those documents' scores and concepts
(see quotes.py): a commenter whose words a post on both concepts takes up is part of that
discussion.

Who a document is by (``person_key``): its author; a post whose page names no author is
its blog's, shown as "the author of <blog>" (key ``blog@<blog>``); "Anonymous" comments are
not one person, so each anonymous comment is its own (``anonymous@<document id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from shrinksearch.search import builder
from shrinksearch.search.builder import ANONYMOUS_KEY, CONCEPT_NAME
from shrinksearch.search.people_query import EVIDENCE_PER_PERSON
from shrinksearch.search.results import Hit, Person

DECAY = 0.1  # the 2nd document adds a tenth of its score, the 3rd a hundredth
COVERAGE_WEIGHT = 1.0  # covering every concept doubles a person's strength
QUOTE_SHARE = 0.9  # what a quoted document gets of the quoting document's score
TOP_AUTHOR_RANK = 3  # the author of the best document is never below this rank
MAX_EVIDENCE = 4
EVIDENCE_FLOOR = 0.25  # evidence scoring under a quarter of the person's best is left out
BLOG_PREFIX = "blog@"
ANONYMOUS_PREFIX = "anonymous@"


class Bare(NamedTuple):
    """A document known by id, score, author and the concepts it shows, until ``fill_in``
    puts it whole. Hundreds per question: a tuple, not a ``Hit``."""

    id: str
    score: float | None
    author_key: str
    kind: str
    blog: str
    concepts: frozenset[int] = frozenset()


def person_key(doc_id: str, author_key: str, kind: str, blog: str) -> str:
    """Who a document is by (see the module docstring)."""
    if author_key and author_key != ANONYMOUS_KEY:
        return author_key
    if kind == "post" and blog:
        return f"{BLOG_PREFIX}{blog}"
    return f"{ANONYMOUS_PREFIX}{doc_id}"


def key_of(hit: Hit | Bare) -> str:
    return person_key(hit.id, hit.author_key, hit.kind, hit.blog)


def display_name(key: str, fallback: str) -> str:
    """How a person is shown: "the author of <blog>" for an unnamed blogger."""
    if key.startswith(BLOG_PREFIX):
        return f"the author of {key[len(BLOG_PREFIX):]}"
    return fallback


@dataclass
class Group:
    """One person's matching documents, best first."""

    key: str
    hits: list[Hit | Bare] = field(default_factory=list)
    concepts: set[int] = field(default_factory=set)  # every concept any of their documents shows
    shows: dict[str, set[int]] = field(default_factory=dict)  # document id -> concepts it shows

    @property
    def strength(self) -> float:
        return sum((DECAY**i) * (h.score or 0.0) for i, h in enumerate(self.hits[:EVIDENCE_PER_PERSON]))

    def add(self, hit: Hit | Bare, concepts: frozenset[int] | set[int] = frozenset()) -> None:
        """Add a document, keeping the better score if it is already there."""
        self.concepts |= set(concepts)
        self.shows.setdefault(hit.id, set()).update(concepts)
        same = [h for h in self.hits if h.id == hit.id]
        if same and (same[0].score or 0.0) >= (hit.score or 0.0):
            return
        self.hits = sorted([h for h in self.hits if h.id != hit.id] + [hit], key=lambda h: -(h.score or 0.0))


Groups = dict[str, Group]


def parse_ranked(response: dict[str, Any], concepts: int = 0) -> tuple[Groups, list[Bare]]:
    """People (with their best documents and the concepts they cover) and the documents in
    rank order. Each document's score is ranked as a search ranks it: multiplied by
    ``1 + COVERAGE_WEIGHT × (share of the concepts it shows)`` (builder.coverage_rescore)."""
    groups: Groups = {}
    docs = sorted((_covered(_bare(raw), concepts) for raw in response["hits"]["hits"]), key=lambda d: -(d.score or 0.0))
    for doc in docs:
        key = key_of(doc)
        group = groups.setdefault(key, Group(key))
        group.concepts |= doc.concepts
        if len(group.hits) < EVIDENCE_PER_PERSON:
            group.hits.append(doc)
            group.shows[doc.id] = set(doc.concepts)
    return groups, docs


def _covered(doc: Bare, concepts: int) -> Bare:
    if concepts < 2 or doc.score is None:
        return doc
    return doc._replace(score=doc.score * (1 + builder.COVERAGE_WEIGHT * len(doc.concepts) / concepts))


def _bare(raw: dict[str, Any]) -> Bare:
    fields = raw.get("fields", {})
    concepts = frozenset(int(n[len(CONCEPT_NAME):]) for n in _matched(raw) if n.startswith(CONCEPT_NAME))
    return Bare(raw["_id"], raw.get("_score"), _first(fields, "author_key"), _first(fields, "kind"),
                _first(fields, "blog"), concepts)


def _matched(raw: dict[str, Any]) -> list[str]:
    return list(raw.get("matched_queries") or [])  # a list, or a dict of names to scores when asked


def _first(fields: dict[str, Any], name: str) -> str:
    values = fields.get(name) or [""]
    return str(values[0])


def add_quoted(groups: Groups, docs: list[Bare], links: list[tuple[Hit, Hit]]) -> None:
    """Credit each quoted document with a share of its quoting document's score and its concepts."""
    by_id = {d.id: d for d in docs}
    for source, quoted in links:
        ranked = by_id.get(source.id)
        if ranked is None or key_of(quoted) == key_of(source):
            continue
        credited = replace(quoted, score=QUOTE_SHARE * (ranked.score or 0.0), quoted_in=[_ref(source)])
        groups.setdefault(key_of(quoted), Group(key_of(quoted))).add(credited, ranked.concepts)


def _ref(hit: Hit) -> dict[str, str]:
    return {"id": hit.id, "title": hit.title, "author": hit.author, "url": hit.url, "kind": hit.kind}


Ranked = tuple[str, float, float]
"""A person's key, score and coverage (share of the concepts their documents show)."""


def rank_people(groups: Groups, docs: list[Bare], concepts: int, limit: int) -> list[Ranked]:
    """The ``limit`` people who discuss the question most strongly (see the module docstring)."""
    best = max((g.strength for g in groups.values()), default=0.0) or 1.0
    scored = []
    for key, group in groups.items():
        coverage = len(group.concepts) / concepts if concepts else 1.0
        scored.append((key, group.strength / best * (1 + COVERAGE_WEIGHT * coverage), coverage))
    scored.sort(key=lambda s: (-round(s[1], 6), s[0]))
    return _top_author_kept(scored, key_of(docs[0]) if docs else None)[:limit]


def _top_author_kept(scored: list[Ranked], top_author: str | None) -> list[Ranked]:
    """The author of the best document moved up to TOP_AUTHOR_RANK if ranked below it."""
    at = next((i for i, s in enumerate(scored) if s[0] == top_author), None)
    if at is None or at < TOP_AUTHOR_RANK:
        return scored
    moved = scored[at]
    rest = scored[:at] + scored[at + 1:]
    return rest[: TOP_AUTHOR_RANK - 1] + [moved] + rest[TOP_AUTHOR_RANK - 1:]


def unfetched(groups: Groups, people: list[Person]) -> list[str]:
    """Ids of the documents shown as these people's evidence that are still bare."""
    shown = {h.id for p in people for h in p.evidence}
    bare = {h.id for p in people if p.key in groups for h in groups[p.key].hits if isinstance(h, Bare)}
    return [i for i in dict.fromkeys(h.id for p in people for h in p.evidence) if i in bare and i in shown]


def fill_in(groups: Groups, fetched: list[Hit], keys: list[str]) -> None:
    """Put whole documents in place of bare ones in these people's groups, keeping each
    document's score and concepts."""
    by_id = {h.id: h for h in fetched}
    for group in (groups[k] for k in keys if k in groups):
        group.hits = [_filled(h, by_id) if isinstance(h, Bare) else h for h in group.hits]


def _filled(bare: Bare, by_id: dict[str, Hit]) -> Hit | Bare:
    whole = by_id.get(bare.id)
    return replace(whole, score=bare.score, text=None, quoted_text=None) if whole else bare


def describe(groups: Groups, labels: list[str], ranked: list[Ranked]) -> list[Person]:
    """The ranked people, each with the documents that show what they discuss."""
    return [_person(groups[key], score, coverage, labels) for key, score, coverage in ranked]


def _person(group: Group, score: float, coverage: float, labels: list[str]) -> Person:
    evidence = _evidence(group, labels)
    first = evidence[0] if evidence else None
    return Person(
        key=group.key,
        name=display_name(group.key, first.author if first and first.author else group.key),
        role="blogger" if any(h.author_role == "blogger" or h.kind == "post" for h in evidence) else "commenter",
        blogs=list(dict.fromkeys(h.blog for h in evidence if h.blog)),
        anonymous=group.key.startswith(ANONYMOUS_PREFIX),
        score=round(score, 4),
        concept_scores={label: 1.0 if i in group.concepts else 0.0 for i, label in enumerate(labels)},
        evidence=evidence,
    )


def _evidence(group: Group, labels: list[str]) -> list[Hit]:
    # Documents that show several concepts come first; each says which concepts it shows.
    # Weak ones (a passing "away" in a thank-you note) are left out next to strong ones.
    # A weak one stays when it shows a concept the stronger ones do not.
    shown = [_as_hit(h, [labels[i] for i in sorted(group.shows.get(h.id, ())) if i < len(labels)]) for h in group.hits]
    ordered = sorted(shown, key=lambda h: (-len(h.concepts), -(h.score or 0.0)))
    best = max((h.score or 0.0) for h in ordered) if ordered else 0.0
    kept: list[Hit] = []
    for hit in ordered:
        new = set(hit.concepts) - {c for k in kept for c in k.concepts}
        if (hit.score or 0.0) >= EVIDENCE_FLOOR * best or new:
            kept.append(hit)
    return [replace(h, text=None, quoted_text=None) for h in kept[:MAX_EVIDENCE]]


def _as_hit(hit: Hit | Bare, concepts: list[str]) -> Hit:
    """A ``Hit`` to show, saying which concepts it shows."""
    if isinstance(hit, Hit):
        return replace(hit, concepts=concepts)
    return Hit(id=hit.id, kind=hit.kind, url="", post_url="", post_id=hit.id, parent_id=None, title="", author="",
               author_key=hit.author_key, author_role="", blog=hit.blog, published=None, score=hit.score,
               snippets=[], themes=[], concepts=concepts)
