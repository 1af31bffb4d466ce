"""The OpenSearch description (``/opensearch.xml``): lets browsers add shrinksearch as a search
engine. The page links it (``<link rel="search">``); its URL templates point at this server as
the browser reached it, ``/?q={searchTerms}`` for the page and ``/api/search`` for JSON.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

MEDIA_TYPE = "application/opensearchdescription+xml"


def description(base_url: str) -> str:
    """The OpenSearch 1.1 description document for a server at ``base_url`` (ending in /)."""
    page = quoteattr(f"{base_url}?q={{searchTerms}}")
    api = quoteattr(f"{base_url}api/search?q={{searchTerms}}")
    this = quoteattr(f"{base_url}opensearch.xml")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
        "  <ShortName>shrinksearch</ShortName>\n"
        f"  <Description>{escape('Search psychiatry blog posts and comment threads by theme; ask who discusses what.')}</Description>\n"
        "  <InputEncoding>UTF-8</InputEncoding>\n"
        f'  <Url type="text/html" method="get" template={page}/>\n'
        f'  <Url type="application/json" method="get" template={api}/>\n'
        f'  <Url type="{MEDIA_TYPE}" rel="self" template={this}/>\n'
        "</OpenSearchDescription>\n"
    )
