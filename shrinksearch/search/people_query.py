"""The Elasticsearch requests behind "who": documents grouped by person.

``who_bodies`` asks once with every concept required in one document, then once per
concept; each ask is a pair (named people collapsed by ``author_key``; anonymous documents
one by one). people.py turns the answers into a ranking of people.
"""

from __future__ import annotations

from dataclasses import replace

from shrinksearch.search.builder import (
    ANONYMOUS_KEY,
    SOURCE_EXCLUDES,
    Context,
    Filters,
    highlight,
    query_clause,
)
from shrinksearch.search.expand import Expansion
from shrinksearch.search.query import ParsedQuery

PEOPLE_PER_CONCEPT = 200
EVIDENCE_PER_PERSON = 3
ANONYMOUS_DOCS = 100  # each anonymous document is its own person (see people.py)


def people_bodies(query: dict, expansions: list[Expansion]) -> list[dict]:
    """Two requests: named people's best documents, and anonymous documents one by one.

    Named people come from ``collapse`` on ``author_key`` (one group per person, groups in
    order of their best document, its next best as inner hits). Collapse rather than a
    terms aggregation ordered by score: that needs a script, and the embedded node has no
    scripting module. "Anonymous" is many different people, so its documents are not
    collapsed.
    """
    anonymous = {"term": {"author_key": ANONYMOUS_KEY}}
    common = {"_source": {"excludes": SOURCE_EXCLUDES}, "track_total_hits": False}
    named = {
        **common,
        "size": PEOPLE_PER_CONCEPT,
        "query": {"bool": {"must": [query], "must_not": [anonymous]}},
        "collapse": {
            "field": "author_key",
            "inner_hits": {
                "name": "docs",
                "size": EVIDENCE_PER_PERSON,
                "_source": {"excludes": SOURCE_EXCLUDES},
                "highlight": highlight(expansions),
            },
        },
    }
    anonymous_docs = {
        **common,
        "size": ANONYMOUS_DOCS,
        "query": {"bool": {"must": [query], "filter": [anonymous]}},
        "highlight": highlight(expansions),
    }
    return [named, anonymous_docs]


def who_bodies(parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, context: Context | None = None) -> list[dict]:
    """People requests (pairs, see ``people_bodies``): every concept required, then one per concept.

    A person may discuss one concept in a post and the other in a comment; people.py
    combines the per-concept groups into a person-level AND.
    """
    filters = filters.merged(parsed)
    context = context or [{} for _ in expansions]
    bodies = people_bodies(query_clause(parsed, expansions, filters, context), expansions)
    if len(expansions) > 1:
        for expansion, ctx in zip(expansions, context):
            single = replace(parsed, concepts=(expansion.concept,), match_all=True, words=expansion.concept.terms)
            bodies += people_bodies(query_clause(single, [expansion], filters, [ctx], own=expansions), expansions)
    return bodies
