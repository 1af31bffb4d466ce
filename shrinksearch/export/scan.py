"""Every document a search matches, in the order a search ranks them, through a point in time.

A search page stops at 10,000 results (``index.max_result_window``) and deep ``from`` paging
costs more the deeper it goes. An export opens a point in time (PIT: a frozen view of the
index, so documents indexed meanwhile do not shift the pages) and asks for a page after the
last sort values of the previous one (``search_after``; the PIT adds its own ``_shard_doc``
tiebreaker, so no document is skipped or repeated). One page is in memory at a time.

The query is the one ``SearchService.search`` ranks with (concepts expanded, thread context,
filters): only highlighting and facets are left out, and ``_source`` is cut to the columns.

Costs (``python -m bench export``, 100k documents): every page scores every match again (a
relevance order has no cheaper way to resume), and reading a page's documents grows with
its size. So the first page is small, for a first row at once, and the next ones larger, for
fewer rescoring passes, one page at a time in memory. Sorted by date, nothing is scored
(rows carry no score): Elasticsearch then skips straight to each next page.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from itertools import chain, islice
from typing import Any, TypeVar

from elasticsearch import ApiError, TransportError

from shrinksearch.search.builder import Filters, Page, Sort, folded_rescore, search_body
from shrinksearch.search.results import Hit, hit_from_es
from shrinksearch.search.service import SearchService

FIRST_PAGE_SIZE = 100  # the first rows go out after this page
EXPORT_PAGE_SIZE = 2000  # then hits per request: few rescoring passes, one page (~5 MB of text) in memory
KEEP_ALIVE = "2m"  # how long the PIT lives between two pages (renewed by each request)
NEWEST_FIRST = [{"published": {"order": "desc", "missing": "_last"}}]
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
    first_page_size: int = FIRST_PAGE_SIZE,
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
        left, most = limit, min(first_page_size, page_size)
        while left is None or left > 0:
            size = most if left is None else min(most, left)
            body = _page_body(query, order, size, scored=sort == "relevance", pit=pit)
            if after is not None:
                body["search_after"] = after
            elif offset:
                body["from"] = offset
            with service._errors():
                response = service.client.search(body=body)
            pit, hits = response.get("pit_id", pit), response["hits"]["hits"]
            yield from (hit_from_es(h, with_text=True) for h in hits)
            if len(hits) < size:
                return
            after, most = hits[-1]["sort"], page_size
            left = None if left is None else left - len(hits)
    finally:
        _close(service, pit)


def _page_body(query: dict, order: list, size: int, scored: bool, pit: str) -> dict[str, Any]:
    return {
        "query": query, "sort": order, "size": size, "track_scores": scored, "track_total_hits": False,
        "_source": {"includes": SOURCE_FIELDS}, "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
    }


def ranking(service: SearchService, text: str, filters: Filters, sort: Sort) -> tuple[dict, list]:
    """The query and sort a search for ``text`` ranks with (what ``SearchService.search``
    sends, less snippets and facets); by date, newest first and unscored (a search breaks
    ties of equal dates by score, the export by the point in time's own order)."""
    parsed, expansions, threads = service.understand(text, ranked=sort == "relevance")
    body = search_body(parsed, expansions, filters, Page(size=1, sort=sort, facets=False, highlight=False), threads)
    if sort != "relevance":
        return body["query"], NEWEST_FIRST
    # a rescored search sorts by score alone, ties in index order: the point in time's own
    # tiebreaker (_shard_doc) keeps that order
    return folded_rescore(body["query"], body.get("rescore", [])), body.get("sort", ["_score"])


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
