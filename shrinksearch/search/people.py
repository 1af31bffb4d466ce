"""Ranking people for "who" questions: a person-level AND over concepts.

Input: the responses to ``people_query.ranked_docs_body`` for each of ``who_queries`` — the
best documents with every concept required in the same document ("joint"), then those of
each concept — as ids, scores and authors, grouped here by person. Ranking needs no more;
``fill_in`` puts the whole documents (with snippets) in place for the evidence shown. A person
counts only if they discuss *every* concept, in one document or across several (a post on
transference, a comment on vacations). Their strength per concept is their best
document's score plus a little for the next ones (how strongly, not how much), divided by
the best strength anyone has for that concept, so a concept with rare words does not
drown the others. The strengths combine by their geometric mean (times their number), so
someone who barely touches one concept ranks below someone who discusses both; the joint
strength, for those who bring the concepts together in one document, is added on top.

People quoted by the strongest joint documents share in those documents' scores (see
quotes.py): a commenter whose words a post on both concepts takes up is part of that
discussion.

"Anonymous" is not one person: each anonymous document is grouped on its own, under the
key ``anonymous@<document id>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from shrinksearch.search.builder import ANONYMOUS_KEY
from shrinksearch.search.people_query import EVIDENCE_PER_PERSON
from shrinksearch.search.results import Hit, Person

DECAY = 0.25  # the 2nd document adds a quarter of its score, the 3rd a sixteenth
JOINT_WEIGHT = 1.5  # both concepts in one document is the clearest sign of discussing both
QUOTE_SHARE = 0.6  # what a quoted document gets of the quoting document's score
MAX_EVIDENCE = 4
EVIDENCE_FLOOR = 0.25  # evidence scoring under a quarter of the person's best is left out

Groups = dict[str, "Group"]


class Bare(NamedTuple):
    """A document known by id, score and author only, until ``fill_in`` puts it whole.

    Thousands per question (the ranked documents of every request): a tuple, not a
    ``Hit``, as building those was most of the Python time of a "who" at 100k."""

    id: str
    score: float | None
    author_key: str


@dataclass
class Group:
    """One person's matching documents in one response, best first."""

    key: str
    hits: list[Hit | Bare] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return sum((DECAY**i) * (h.score or 0.0) for i, h in enumerate(self.hits))

    def add(self, hit: Hit | Bare) -> None:
        """Add a document, keeping the better score if it is already there."""
        same = [h for h in self.hits if h.id == hit.id]
        if same and (same[0].score or 0.0) >= (hit.score or 0.0):
            return
        self.hits = sorted([h for h in self.hits if h.id != hit.id] + [hit], key=lambda h: -(h.score or 0.0))


def person_key(hit: Hit | Bare) -> str:
    """Who wrote it: the author key, or, for anonymous documents, the document itself."""
    return f"anonymous@{hit.id}" if hit.author_key == ANONYMOUS_KEY else hit.author_key


def parse_responses(responses: list[dict[str, Any]]) -> list[Groups]:
    """Groups per response: [joint, concept 1, concept 2, …] (see ``people_query.ranked_docs_body``)."""
    return [_groups(response) for response in responses]


def _groups(response: dict[str, Any]) -> Groups:
    groups: Groups = {}
    for raw in response["hits"]["hits"]:  # best first: each person's first is their best
        author = _author_key(raw)
        key = author if author != ANONYMOUS_KEY else f"anonymous@{raw['_id']}"  # person_key, inlined: 3,000 a question
        group = groups.get(key)
        if group is None:
            groups[key] = Group(key, [Bare(raw["_id"], raw.get("_score"), author)])
        elif len(group.hits) < EVIDENCE_PER_PERSON:
            group.hits.append(Bare(raw["_id"], raw.get("_score"), author))
    return groups


def _author_key(raw: dict[str, Any]) -> str:
    try:
        return str(raw["fields"]["author_key"][0])
    except KeyError:  # a document without an author key is nobody's
        return ""


def _as_hit(hit: Hit | Bare) -> Hit:
    """A ``Hit`` to show: a bare document as one with only its id, score and author."""
    if isinstance(hit, Hit):
        return hit
    return Hit(id=hit.id, kind="", url="", post_url="", post_id=hit.id, parent_id=None, title="", author="",
               author_key=hit.author_key, author_role="", blog="", published=None, score=hit.score,
               snippets=[], themes=[])


def unfetched(pairs: list[Groups], people: list[Person]) -> list[str]:
    """Ids of the documents shown as these people's evidence that one of their groups
    holds bare (a quoted document may be whole in one group, bare in another)."""
    shown = {h.id for p in people for h in p.evidence}
    bare = {h.id for h in _hits_of(pairs, [p.key for p in people]) if isinstance(h, Bare) and h.id in shown}
    return [i for i in dict.fromkeys(h.id for p in people for h in p.evidence) if i in bare]


def fill_in(pairs: list[Groups], fetched: list[Hit], keys: list[str]) -> None:
    """Put whole documents in place of bare ones in these people's groups, keeping each
    group's score for them."""
    by_id = {h.id: h for h in fetched}
    for groups in pairs:
        for group in (groups[k] for k in keys if k in groups):
            group.hits = [_filled(h, by_id) if isinstance(h, Bare) else h for h in group.hits]


def _hits_of(pairs: list[Groups], keys: list[str]) -> list[Hit | Bare]:
    return [h for groups in pairs for k in keys if k in groups for h in groups[k].hits]


def _filled(bare: Bare, by_id: dict[str, Hit]) -> Hit | Bare:
    whole = by_id.get(bare.id)
    return replace(whole, score=bare.score, text=None, quoted_text=None) if whole else bare


def add_quoted(pairs: list[Groups], links: list[tuple[Hit, Hit]]) -> None:
    """Credit each quoted document with a share of its quoting document's score, per response."""
    for groups in pairs:
        scores = {h.id: h.score or 0.0 for g in groups.values() for h in g.hits}
        for source, quoted in links:
            if source.id not in scores or person_key(quoted) == person_key(source):
                continue
            credited = replace(quoted, score=QUOTE_SHARE * scores[source.id], quoted_in=[_ref(source)])
            groups.setdefault(person_key(quoted), Group(person_key(quoted))).add(credited)


def _ref(hit: Hit) -> dict[str, str]:
    return {"id": hit.id, "title": hit.title, "author": hit.author, "url": hit.url, "kind": hit.kind}


Ranked = tuple[str, float, dict[str, float]]
"""A person's key, score and strength per concept."""


def rank_people(pairs: list[Groups], labels: list[str], limit: int) -> list[Ranked]:
    """The ``limit`` people who discuss every concept most strongly (see the module
    docstring); ranking needs only the documents' scores (``describe`` shows them)."""
    joint, per_concept = pairs[0], pairs[1:] or [pairs[0]]
    keys = set.intersection(*(set(g) for g in per_concept))
    maxima = [_max_strength(g) for g in per_concept]
    joint_max = _max_strength(joint)
    scored = [(k, *_scores(k, joint, per_concept, maxima, joint_max, labels)) for k in keys]
    scored.sort(key=lambda s: (-round(s[1], 4), s[0]))
    return scored[:limit]


def describe(pairs: list[Groups], labels: list[str], ranked: list[Ranked]) -> list[Person]:
    """The ranked people, each with the documents that show what they discuss."""
    joint, per_concept = pairs[0], pairs[1:] or [pairs[0]]
    return [_person(k, score, concept_scores, joint, per_concept, labels) for k, score, concept_scores in ranked]


def balanced_sum(strengths: list[float]) -> float:
    """k times the geometric mean of k strengths: the sum when they are equal, less when
    one concept is barely touched ("and" means both, not mostly one)."""
    product = 1.0
    for s in strengths:
        product *= s
    return len(strengths) * product ** (1 / len(strengths))


def _max_strength(groups: Groups) -> float:
    return max((g.strength for g in groups.values()), default=0.0) or 1.0


def _scores(key: str, joint: Groups, per_concept: list[Groups], maxima: list[float], joint_max: float,
            labels: list[str]) -> tuple[float, dict[str, float]]:
    """A person's score and their strength per concept (each relative to the strongest)."""
    concept_scores = {label: groups[key].strength / m for label, groups, m in zip(labels, per_concept, maxima)}
    score = balanced_sum(list(concept_scores.values()))
    if len(per_concept) > 1 and key in joint:
        score += JOINT_WEIGHT * joint[key].strength / joint_max
    return score, concept_scores


def _person(key: str, score: float, concept_scores: dict[str, float], joint: Groups, per_concept: list[Groups],
            labels: list[str]) -> Person:
    evidence = _evidence(key, joint, per_concept, labels)
    return Person(
        key=key,
        name=evidence[0].author if evidence else key,
        role="blogger" if any(h.author_role == "blogger" for h in evidence) else "commenter",
        blogs=list(dict.fromkeys(h.blog for h in evidence)),
        anonymous=key.startswith("anonymous@"),
        score=round(score, 4),
        concept_scores={k: round(v, 4) for k, v in concept_scores.items()},
        evidence=evidence,
    )


def _evidence(key: str, joint: Groups, per_concept: list[Groups], labels: list[str]) -> list[Hit]:
    # Documents that show several concepts come first; each says which concepts it shows.
    # Weak ones (a passing "away" in a thank-you note) are left out next to strong ones.
    found: dict[str, Hit] = {}
    for hit in joint[key].hits if key in joint else []:
        found[hit.id] = replace(_as_hit(hit), concepts=list(labels))
    for label, groups in zip(labels, per_concept):
        for hit in map(_as_hit, groups[key].hits):
            kept = found.setdefault(hit.id, replace(hit, concepts=[]))
            if label not in kept.concepts:
                kept.concepts.append(label)
            kept.quoted_in = kept.quoted_in or hit.quoted_in
            if hit.snippets and (not kept.snippets or not hit.quoted_in):  # own matches beat the quote
                kept.snippets = hit.snippets
    ordered = sorted(found.values(), key=lambda h: (-len(h.concepts), -(h.score or 0.0)))
    best = max((h.score or 0.0) for h in ordered) if ordered else 0.0
    strong = [h for h in ordered if (h.score or 0.0) >= EVIDENCE_FLOOR * best]
    return [replace(h, text=None, quoted_text=None) for h in strong[:MAX_EVIDENCE]]
