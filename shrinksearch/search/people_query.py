"""The Elasticsearch requests behind "who": documents grouped by person.

``who_queries`` gives the query of each people request: every concept required in one
document, then one per concept. Each is asked as a pair (``people_bodies``: named people
collapsed by ``author_key``, anonymous documents one by one) plus its ranked documents
(``ranked_docs_body``: ids and authors only, for each person's further documents).
people.py ranks people from the answers; only then are the documents it shows fetched
whole, with snippets (``evidence_body``), for the people on the page.
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
RANKED_DOCS = 1000  # best named documents read (id and author only) for people's further documents

_ANONYMOUS = {"term": {"author_key": ANONYMOUS_KEY}}


def people_bodies(query: dict, expansions: list[Expansion]) -> list[dict]:
    """Two requests: named people with their best document, and anonymous documents one by one.

    Named people come from ``collapse`` on ``author_key`` (one group per person, in order of
    their best document). Collapse rather than a terms aggregation ordered by score: that
    needs a script, and the embedded node has no scripting module. No ``inner_hits``: they
    run the whole query again for each of the 200 groups (seconds on a 100k-document index);
    a person's next best documents come from ``ranked_docs_body`` instead. "Anonymous" is
    many different people, so its documents are not collapsed.
    """
    named = {
        "size": PEOPLE_PER_CONCEPT,
        "_source": False,
        "track_total_hits": False,
        "query": {"bool": {"must": [query], "must_not": [_ANONYMOUS]}},
        "collapse": {"field": "author_key"},
    }
    anonymous_docs = {
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "size": ANONYMOUS_DOCS,
        "query": {"bool": {"must": [query], "filter": [_ANONYMOUS]}},
        "highlight": highlight(expansions),
    }
    return [named, anonymous_docs]


def ranked_docs_body(query: dict) -> dict:
    """The best named documents for ``query``, ids, scores and authors only (cheap to read)."""
    return {
        "size": RANKED_DOCS,
        "_source": False,
        "docvalue_fields": ["author_key"],
        "track_total_hits": False,
        "query": {"bool": {"must": [query], "must_not": [_ANONYMOUS]}},
    }


def documents_body(ids: list[str]) -> dict:
    """Whole documents by id (the quoting documents whose quotations are followed)."""
    return {"size": len(ids), "_source": {"excludes": SOURCE_EXCLUDES}, "query": {"ids": {"values": ids}}}


def evidence_body(query: dict, expansions: list[Expansion], ids: list[str]) -> dict:
    """Documents ``ids`` as ``query`` scores them (a filter does not score), with snippets."""
    return {
        "size": len(ids),
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "query": {"bool": {"must": [query], "filter": [{"ids": {"values": ids}}]}},
        "highlight": highlight(expansions),
    }


def who_queries(parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, context: Context | None = None) -> list[dict]:
    """The query of each people request: every concept required, then one per concept.

    A person may discuss one concept in a post and the other in a comment; people.py
    combines the per-concept groups into a person-level AND.
    """
    filters = filters.merged(parsed)
    context = context or [{} for _ in expansions]
    queries = [query_clause(parsed, expansions, filters, context)]
    if len(expansions) > 1:
        for expansion, ctx in zip(expansions, context):
            single = replace(parsed, concepts=(expansion.concept,), match_all=True, words=expansion.concept.terms)
            queries.append(query_clause(single, [expansion], filters, [ctx], own=expansions))
    return queries


def who_bodies(parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, context: Context | None = None) -> list[dict]:
    """People requests (pairs, see ``people_bodies``) for each of ``who_queries``."""
    return [body for query in who_queries(parsed, expansions, filters, context) for body in people_bodies(query, expansions)]
