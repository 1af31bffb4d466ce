"""Search: query understanding, concept expansion, query bodies, and the service on top.

``parse_query`` (query.py) is the one function user text goes through; ``Expander``
(expand.py) grows concepts from the taxonomy; builder.py makes Elasticsearch bodies;
``SearchService`` (service.py) runs them: ``search``, ``who``, ``thread``, ``facets``,
``theme_timeline``. people.py ranks people for "who"; results.py holds what comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrinksearch.lazy import lazy_exports

if TYPE_CHECKING:
    from shrinksearch.search.builder import Filters, Page
    from shrinksearch.search.expand import Expander, Expansion
    from shrinksearch.search.query import Concept, ParsedQuery, Term, parse_query
    from shrinksearch.search.results import Hit, Person, SearchResult, Thread, WhoResult
    from shrinksearch.search.service import SearchService

# Imported on first use (shrinksearch/lazy.py): `shrinksearch.search.builder` alone must not
# pull in the Elasticsearch client through the service — the CLI's --help reads its limits.
__getattr__ = lazy_exports(__name__, {
    "Filters": "builder", "Page": "builder", "Expander": "expand", "Expansion": "expand",
    "Concept": "query", "ParsedQuery": "query", "Term": "query", "parse_query": "query",
    "Hit": "results", "Person": "results", "SearchResult": "results", "Thread": "results", "WhoResult": "results",
    "SearchService": "service",
})

__all__ = [
    "Concept",
    "Expander",
    "Expansion",
    "Filters",
    "Hit",
    "Page",
    "ParsedQuery",
    "Person",
    "SearchResult",
    "SearchService",
    "Term",
    "Thread",
    "WhoResult",
    "parse_query",
]
