"""``GET /api/export``: a search's every match, or a "who" answer, as CSV or JSON Lines.

Streamed (``StreamingResponse``): rows go out as the pages of the point-in-time scan come in,
so the first byte leaves after the first page and memory stays flat however many documents
match. The first page is fetched before the response starts, so a bad query or a missing
index still gets the error map's JSON answer with its status; a failure after that can only
cut the download short.
"""

# No `from __future__ import annotations`: FastAPI must read the route's annotations where
# the route is defined, where the `filters` dependency it is given is in scope.

import re
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.responses import StreamingResponse

from shrinksearch.exceptions import QueryError
from shrinksearch.export import (
    DOCUMENT_COLUMNS,
    MEDIA_TYPES,
    PERSON_COLUMNS,
    document_rows,
    encode,
    people_rows,
    search_hits,
    started,
)
from shrinksearch.search.builder import MAX_PAGE_SIZE, Filters
from shrinksearch.search.service import SearchService

DEFAULT_PEOPLE = 10
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def export_routes(app: FastAPI, search: SearchService, filters: Callable[..., Filters]) -> None:
    """Add ``/api/export`` to ``app``; ``filters`` is the app's filter-parameters dependency."""

    @app.get("/api/export", tags=["export"], response_class=StreamingResponse,
             summary="Every matching document, or a who answer's people × evidence, as CSV or JSON Lines (streamed)")
    def api_export(
        q: Annotated[str, Query(description="What to look for, as in /api/search and /api/who.")],
        f: Annotated[Filters, Depends(filters)],
        format: Annotated[Literal["csv", "jsonl"], Query(description="csv (RFC 4180, UTF-8) or jsonl (JSON Lines).")] = "csv",  # noqa: A002
        what: Annotated[Literal["documents", "people"], Query(
            description="documents: every match in ranking order; people: the who answer, a row per person × evidence document.")] = "documents",
        sort: Literal["relevance", "date"] = "relevance",
        limit: Annotated[int | None, Query(ge=1, description=(
            f"documents: at most this many (default: all); people: this many people (default {DEFAULT_PEOPLE}, at most {MAX_PAGE_SIZE})."))] = None,
        excel: Annotated[bool, Query(description="CSV with a byte order mark, so Excel reads it as UTF-8.")] = False,
    ) -> StreamingResponse:
        if excel and format != "csv":
            raise QueryError("excel=true goes with format=csv")
        if what == "people":
            chunks = encode(format, PERSON_COLUMNS, people_rows(search.who(q, f, limit or DEFAULT_PEOPLE)), excel)
        else:
            hits = search_hits(search, q, f, sort, limit)
            rows = document_rows(started(hits))
            chunks = _closing_after(encode(format, DOCUMENT_COLUMNS, rows, excel), hits)
        return StreamingResponse(
            chunks,
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{export_filename(q, what, format)}"',
                     "X-Content-Type-Options": "nosniff"},
        )


def _closing_after(chunks: Iterator[str], hits: Generator) -> Iterator[str]:
    """The chunks, then the scan closed (its point in time) as soon as they end or stop."""
    with closing(hits):
        yield from chunks


def export_filename(query: str, what: str, fmt: str) -> str:
    """``shrinksearch-<query words>[-people].<fmt>``: ASCII only, safe in a header."""
    slug = _NOT_SLUG.sub("-", query.lower()).strip("-")[:60].strip("-") or "export"
    return f"shrinksearch-{slug}{'-people' if what == 'people' else ''}.{fmt}"
