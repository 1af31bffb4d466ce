"""Every document a search matches, in the order a search ranks them, through a point in time.

A search page stops at 10,000 results (``index.max_result_window``) and deep ``from`` paging
costs more the deeper it goes. An export opens a point in time (PIT: a frozen view of the
index, so documents indexed meanwhile do not shift the pages) and asks for a page after the
last sort values of the previous one (``search_after``; the PIT adds its own ``_shard_doc``
tiebreaker, so no document is skipped or repeated). One page is in memory at a time.

The query is the one ``SearchService.search`` ranks with (concepts expanded, thread context,
filters): only highlighting and facets are left out, and ``_source`` is cut to the columns.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from itertools import chain, islice
from typing import Any, TypeVar

from elasticsearch import ApiError, TransportError

from shrinksearch.search.builder import Filters, Page, Sort, search_body
from shrinksearch.search.query import parse_query
from shrinksearch.search.results import Hit, hit_from_es
from shrinksearch.search.service import SearchService

EXPORT_PAGE_SIZE = 1000  # hits per request: few round trips, one page (~1 MB of text) in memory
KEEP_ALIVE = "2m"  # how long the PIT lives between two pages (renewed by each request)
SOURCE_FIELDS = ["kind", "url", "post_id", "parent_id", "title", "author", "author_key", "author_role",
                 "blog", "published", "themes", "text"]

T = TypeVar("T")


def search_hits(
    service: SearchService,
    text: str,
    filters: Filters | None = None,
    sort: Sort = "relevance",
    limit: int | None = None,
    offset: int = 0,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Generator[Hit, None, None]:
    """The documents ``text`` matches, best first (or newest first with ``sort="date"``),
    with their whole text: all of them, or ``limit`` from ``offset``. A generator: the PIT
    is opened on the first ``next()`` and closed when it ends or is closed — callers close
    it (``contextlib.closing``) rather than leave that to the garbage collector, which at
    interpreter exit could no longer reach Elasticsearch."""
    query, order = ranking(service, text, filters or Filters(), sort)
    with service._errors():
        pit = service.client.open_point_in_time(index=service.alias, keep_alive=KEEP_ALIVE)["id"]
    try:
        after: list[Any] | None = None
        left = limit
        while left is None or left > 0:
            size = page_size if left is None else min(page_size, left)
            body: dict[str, Any] = {
                "query": query, "sort": order, "size": size, "track_scores": True, "track_total_hits": False,
                "_source": {"includes": SOURCE_FIELDS}, "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
            }
            if after is not None:
                body["search_after"] = after
            elif offset:
                body["from"] = offset
            with service._errors():
                response = service.client.search(body=body)
            pit = response.get("pit_id", pit)
            hits = response["hits"]["hits"]
            yield from (hit_from_es(h, with_text=True) for h in hits)
            if len(hits) < size:
                return
            after = hits[-1]["sort"]
            left = None if left is None else left - len(hits)
    finally:
        _close(service, pit)


def ranking(service: SearchService, text: str, filters: Filters, sort: Sort) -> tuple[dict, list]:
    """The query and sort a search for ``text`` ranks with (what ``SearchService.search``
    sends, less snippets and facets)."""
    parsed = parse_query(text)
    expansions = service.expander.expand_all(parsed.concepts)
    threads = service._context(expansions)
    body = search_body(parsed, expansions, filters, Page(size=1, sort=sort, facets=False, highlight=False), threads)
    return body["query"], body["sort"]


def _close(service: SearchService, pit: str) -> None:
    if sys.is_finalizing():  # the interpreter is shutting down: no more network calls
        return
    try:
        service.client.close_point_in_time(id=pit)
    except (ApiError, TransportError):
        pass  # it expires by itself after KEEP_ALIVE


def started(items: Iterator[T]) -> Iterator[T]:
    """``items`` with its first item already fetched: what fails at the start (no index, a
    query Elasticsearch refuses, the node down) fails here, before a response or a file is
    begun, and reaches the caller as the usual one-line error."""
    first = list(islice(items, 1))
    return chain(first, items)
