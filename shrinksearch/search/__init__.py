"""Search: query understanding, concept expansion, query bodies, and the service on top.

``parse_query`` (query.py) is the one function user text goes through; ``Expander``
(expand.py) grows concepts from the taxonomy; builder.py makes Elasticsearch bodies;
``SearchService`` (service.py) runs them: ``search``, ``who``, ``thread``, ``facets``,
``theme_timeline``. people.py ranks people for "who"; results.py holds what comes back.
"""

from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.expand import Expander, Expansion
from shrinksearch.search.query import Concept, ParsedQuery, Term, parse_query
from shrinksearch.search.results import Hit, Person, SearchResult, Thread, WhoResult
from shrinksearch.search.service import SearchService

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
