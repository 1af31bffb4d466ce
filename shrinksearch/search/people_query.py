"""The Elasticsearch requests behind "who": the same document ranking as a search, read by person.

``ranked_docs_body`` asks the search's query and rescorers (recall floor, concepts,
proximity, aboutness; builder.py) for its best documents as ids, scores, authors and the
concepts each shows (the named concept clauses come back as ``matched_queries``); people.py groups them by person and ranks
people from them. Alongside, ``quote_sources_body`` fetches the strongest documents whole,
for the quotations they follow. Only the documents shown as evidence are then fetched
whole, with snippets (``evidence_body``).
"""

from __future__ import annotations

from shrinksearch.search.builder import SOURCE_EXCLUDES, highlight
from shrinksearch.search.expand import Expansion
from shrinksearch.search.query import ParsedQuery

EVIDENCE_PER_PERSON = 3
QUOTE_SOURCES = 5  # strongest documents whose quotations are followed
RANKED_DOCS = 500  # best documents read (id, score, author, concepts): who the people are
PERSON_FIELDS = ["author_key", "kind", "blog"]


def ranked_docs_body(query: dict, rescore: list[dict] | None = None) -> dict:
    """The best documents for ``query``: ids, scores, who wrote them, which concepts they show.

    Every person among them, with their best documents, in one request; people whose best
    document ranks below the first RANKED_DOCS are too weak to be shown. Sorted by score
    alone, so Elasticsearch can skip documents that cannot make the cut; ``rescore`` (the
    search's, builder.rescorers, over RANKED_DOCS) ranks those as a search would."""
    body: dict = {
        "size": RANKED_DOCS,
        "_source": False,
        "docvalue_fields": PERSON_FIELDS,
        "track_total_hits": False,
        "query": query,
    }
    if rescore:
        body["rescore"] = rescore
    return body


def quote_sources_body(query: dict, rescore: list[dict] | None = None) -> dict:
    """The strongest documents for the question, whole: the quotations they follow."""
    body: dict = {
        "size": QUOTE_SOURCES,
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "query": query,
    }
    if rescore:
        body["rescore"] = rescore
    return body


def evidence_body(ids: list[str], expansions: list[Expansion], parsed: ParsedQuery | None = None) -> dict:
    """Documents ``ids`` whole, with snippets marking every word and concept (their scores are
    known from the ranked documents: no query to score them again)."""
    return {
        "size": len(ids),
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
        "query": {"ids": {"values": ids}},
        "highlight": highlight(expansions, parsed),
    }
