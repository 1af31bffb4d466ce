"""The Elasticsearch requests behind "who": documents grouped by person.

``who_queries`` gives the query of each people request: every concept required in one
document, then one per concept. Each is asked once (``ranked_docs_body``: its best
documents as ids, scores and authors only); people.py groups them by person and ranks
people from them. Alongside, ``quote_sources_body`` fetches the strongest joint documents
whole, for the quotations they follow. Only the documents shown as evidence are then
fetched whole, with snippets (``evidence_body``).
"""

from __future__ import annotations

from dataclasses import replace

from shrinksearch.search.builder import (
    SOURCE_EXCLUDES,
    Context,
    Filters,
    highlight,
    query_clause,
)
from shrinksearch.search.expand import Expansion
from shrinksearch.search.query import ParsedQuery

EVIDENCE_PER_PERSON = 3
QUOTE_SOURCES = 5  # strongest joint documents whose quotations are followed
RANKED_DOCS = 1000  # best documents read per request (id, score, author): who the people are


def ranked_docs_body(query: dict) -> dict:
    """The best documents for ``query``, ids, scores and authors only (cheap to read).

    Every person among them, with their best documents, in one request: each person's
    first is their best, as ``collapse`` on ``author_key`` would find (it took a request
    of its own, and anonymous documents, each their own person, another); people whose
    best document ranks below the first RANKED_DOCS are too weak to be shown. Sorted by
    score alone, so Elasticsearch can skip documents that cannot make the cut."""
    return {
        "size": RANKED_DOCS,
        "_source": False,
        "docvalue_fields": ["author_key"],
        "track_total_hits": False,
        "query": query,
    }


def quote_sources_body(query: dict) -> dict:
    """The strongest documents showing every concept, whole: the quotations they follow."""
    return {
        "size": QUOTE_SOURCES,
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "query": query,
    }


def evidence_body(ids: list[str], expansions: list[Expansion]) -> dict:
    """Documents ``ids`` whole, with snippets marking every concept (their scores are
    known from the ranked documents: no query to score them again)."""
    return {
        "size": len(ids),
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "query": {"ids": {"values": ids}},
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

