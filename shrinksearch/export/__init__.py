"""Export for research: a whole search, or a "who" answer, as CSV or JSON Lines.

* ``scan.search_hits`` walks every document a search matches, in ranking order, a page at a
  time through a point in time (``search_after``), so memory stays flat however many match;
* ``rows`` turns hits and people into flat rows (one per document; one per person × evidence
  document), the same columns for both formats;
* ``writers`` encodes rows as CSV (cells protected against formula injection, UTF-8, a BOM
  only for Excel) or JSON Lines, in chunks ready to stream.

The CLI (``shrinksearch search … --format csv --all``, ``shrinksearch who … --format csv``) and
the API (``/api/export``) are thin layers over these three.
"""

from shrinksearch.export.rows import DOCUMENT_COLUMNS, PERSON_COLUMNS, document_rows, people_rows
from shrinksearch.export.scan import EXPORT_PAGE_SIZE, FIRST_PAGE_SIZE, search_hits, started
from shrinksearch.export.writers import FORMATS, MEDIA_TYPES, encode, protect_cell

__all__ = [
    "DOCUMENT_COLUMNS",
    "EXPORT_PAGE_SIZE",
    "FIRST_PAGE_SIZE",
    "FORMATS",
    "MEDIA_TYPES",
    "PERSON_COLUMNS",
    "document_rows",
    "encode",
    "people_rows",
    "protect_cell",
    "search_hits",
    "started",
]
