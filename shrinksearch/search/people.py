"""Ranking people for "who" questions: a person-level AND over concepts.

Input: the responses of ``builder.who_bodies`` — one pair with every concept required in
the same document ("joint"), then a pair per concept — each grouped by person. A person counts
only if they discuss *every* concept, in one document or across several (a post on
transference, a comment on vacations). Their score per concept is their best document's
score plus a little for the next ones, divided by the best such score anyone has for that
concept (so a concept with rare words does not drown the others); the joint score, for
those who bring the concepts together in one document, is added the same way.

"Anonymous" is not one person: each anonymous document is grouped on its own, under the
key ``anonymous@<document id>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shrinksearch.search.results import Hit, Person, hit_from_es

DECAY = 0.5  # the 2nd document counts half, the 3rd a quarter: depth helps, volume doesn't rule
JOINT_WEIGHT = 1.0
MAX_EVIDENCE = 4


@dataclass
class Group:
    """One person's matching documents in one response, best first."""

    key: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return sum((DECAY**i) * (h.score or 0.0) for i, h in enumerate(self.hits))


def groups_from_responses(named: dict[str, Any], anonymous: dict[str, Any]) -> dict[str, Group]:
    """Person key -> their documents, from the two ``builder.people_bodies`` responses."""
    groups: dict[str, Group] = {}
    for raw in named["hits"]["hits"]:
        inner = raw.get("inner_hits", {}).get("docs", {}).get("hits", {}).get("hits", [])
        key = raw["fields"]["author_key"][0]
        groups[key] = Group(key, [hit_from_es(h) for h in inner] or [hit_from_es(raw)])
    for raw in anonymous["hits"]["hits"]:
        key = f"anonymous@{raw['_id']}"
        groups[key] = Group(key, [hit_from_es(raw)])
    return groups


def rank_people(responses: list[dict[str, Any]], labels: list[str], limit: int) -> list[Person]:
    """People who discuss every concept, strongest first (see the module docstring).

    ``responses`` come in pairs (named, anonymous): every concept jointly, then each concept.
    """
    pairs = [groups_from_responses(responses[i], responses[i + 1]) for i in range(0, len(responses), 2)]
    joint, per_concept = pairs[0], pairs[1:] or [pairs[0]]
    keys = set.intersection(*(set(g) for g in per_concept))
    maxima = [_max_strength(g) for g in per_concept]
    joint_max = _max_strength(joint)
    people = [_person(k, joint, per_concept, maxima, joint_max, labels) for k in keys]
    people.sort(key=lambda p: (-p.score, p.key))
    return people[:limit]


def _max_strength(groups: dict[str, Group]) -> float:
    return max((g.strength for g in groups.values()), default=0.0) or 1.0


def _person(
    key: str,
    joint: dict[str, Group],
    per_concept: list[dict[str, Group]],
    maxima: list[float],
    joint_max: float,
    labels: list[str],
) -> Person:
    concept_scores = {label: groups[key].strength / m for label, groups, m in zip(labels, per_concept, maxima)}
    score = sum(concept_scores.values())
    if len(per_concept) > 1 and key in joint:
        score += JOINT_WEIGHT * joint[key].strength / joint_max
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


def _evidence(key: str, joint: dict[str, Group], per_concept: list[dict[str, Group]], labels: list[str]) -> list[Hit]:
    # Documents that show several concepts come first; each says which concepts it shows.
    found: dict[str, Hit] = {}
    for hit in joint[key].hits if key in joint else []:
        found[hit.id] = hit
        hit.concepts = list(labels)
    for label, groups in zip(labels, per_concept):
        for hit in groups[key].hits:
            kept = found.setdefault(hit.id, hit)
            if label not in kept.concepts:
                kept.concepts.append(label)
    ordered = sorted(found.values(), key=lambda h: (-len(h.concepts), -(h.score or 0.0)))
    return ordered[:MAX_EVIDENCE]
