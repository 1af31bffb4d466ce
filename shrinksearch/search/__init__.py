"""Search: query understanding, concept expansion, query bodies, and the service on top.

``parse_query`` (query.py) is the one function user text goes through; ``Expander``
(expand.py) grows concepts from the taxonomy; builder.py makes Elasticsearch bodies;
``SearchService`` (service.py) runs them: ``search``, ``who``, ``thread``, ``facets``,
``theme_timeline``. people.py ranks people for "who"; results.py holds what comes back.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shrinksearch.search.builder import Filters, Page
    from shrinksearch.search.expand import Expander, Expansion
    from shrinksearch.search.query import Concept, ParsedQuery, Term, parse_query
    from shrinksearch.search.results import Hit, Person, SearchResult, Thread, WhoResult
    from shrinksearch.search.service import SearchService

# Imported on first use (PEP 562): `shrinksearch.search.builder` alone must not pull in the
# Elasticsearch client through the service — the CLI's --help reads the builder's limits.
_HOMES = {
    "Filters": "builder", "Page": "builder", "Expander": "expand", "Expansion": "expand",
    "Concept": "query", "ParsedQuery": "query", "Term": "query", "parse_query": "query",
    "Hit": "results", "Person": "results", "SearchResult": "results", "Thread": "results", "WhoResult": "results",
    "SearchService": "service",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


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
