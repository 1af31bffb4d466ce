"""The HTTP JSON API and the web page, in one FastAPI app.

``create_app(settings)`` builds a ``SearchService`` from the settings and serves it under
``/api/…`` (OpenAPI at ``/docs`` and ``/openapi.json``; exports in export.py), ``/healthz``,
the single static page at ``/`` (``static/``: HTML, vanilla JS, CSS; no build step; ``/?q=…``
opens a search) and its OpenSearch description at ``/opensearch.xml``. Routes only translate
HTTP parameters into service calls; errors go through ``errors.install_error_map``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Request
from pydantic import TypeAdapter
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from shrinksearch.exceptions import ShrinksearchError
from shrinksearch.search.builder import MAX_PAGE_SIZE, Filters, Page
from shrinksearch.search.results import SearchResult, Thread, WhoResult
from shrinksearch.search.service import SearchService
from shrinksearch.settings import Settings, get_settings
from shrinksearch.web import opensearch
from shrinksearch.web.errors import install_error_map, status_for
from shrinksearch.web.export import export_routes

STATIC = Path(__file__).parent / "static"


@dataclass
class SearchPage(SearchResult):
    """A search result as the API pages it (1-based page number and page size)."""

    page: int = 1
    size: int = 10


def filters(
    blog: Annotated[list[str], Query(description="Only these blogs (repeatable).")] = [],  # noqa: B006
    author: Annotated[list[str], Query(description="Only these author keys (repeatable).")] = [],  # noqa: B006
    theme: Annotated[list[str], Query(description="Only documents tagged with one of these themes.")] = [],  # noqa: B006
    role: Annotated[Literal["blogger", "commenter"] | None, Query(description="Bloggers or commenters.")] = None,
    kind: Annotated[Literal["post", "comment"] | None, Query(description="Posts or comments.")] = None,
    since: Annotated[date | None, Query(description="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[date | None, Query(description="Published on or before (YYYY-MM-DD).")] = None,
) -> Filters:
    """The filter query parameters shared by search, who, facets and the timeline."""
    return Filters(tuple(blog), tuple(author), tuple(theme), role, kind, since, until)


FiltersDep = Annotated[Filters, Depends(filters)]

# A "who" answer is ~50 kB of people and evidence: serialised straight to JSON by pydantic,
# not checked field by field against its own type and then encoded again (~1 ms less)
_WHO_JSON = TypeAdapter(WhoResult)
QueryText = Annotated[str, Query(description="What to look for, e.g. 'who discusses transference and vacations'.")]


def create_app(settings: Settings | None = None, service: SearchService | None = None) -> FastAPI:
    """The app; ``service`` overrides the one built from ``settings`` (tests pass their own)."""
    settings = settings or get_settings()
    search = service or SearchService.from_settings(settings)
    app = FastAPI(
        title="shrinksearch",
        version="0.1.0",
        description="Search psychiatry blog posts and comments by theme; ask who discusses what.",
        lifespan=_frozen_startup_objects,
    )
    install_error_map(app)
    _api_routes(app, search)
    export_routes(app, search, filters)
    _page_routes(app, search)
    return app


@asynccontextmanager
async def _frozen_startup_objects(app: FastAPI) -> AsyncIterator[None]:
    """What the server built before serving (modules, taxonomy, client: ~140k objects)
    lives as long as it does: frozen, Python's full collections skip it. They walked it
    all, 50-80 ms in the middle of a request every few "who" questions (whose thousands
    of ranked documents fill the young generations fast); ~1 ms frozen."""
    gc.freeze()
    yield


def _api_routes(app: FastAPI, search: SearchService) -> None:
    @app.get("/api/search", tags=["search"], summary="Ranked posts and comments with facets and snippets")
    def api_search(
        q: QueryText,
        f: FiltersDep,
        sort: Literal["relevance", "date"] = "relevance",
        page: Annotated[int, Query(ge=1, description="1-based page number.")] = 1,
        size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
        mode: Annotated[Literal["lexical", "hybrid"], Query(description="hybrid: fuse with kNN on embeddings.")] = "lexical",
    ) -> SearchPage:
        result = search.search(q, f, Page(size=size, offset=(page - 1) * size, sort=sort), mode)
        return SearchPage(**vars(result), page=page, size=size)

    @app.get("/api/who", tags=["search"], summary="People who discuss every concept, with evidence",
             response_model=WhoResult)
    def api_who(q: QueryText, f: FiltersDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10) -> Response:
        return Response(_WHO_JSON.dump_json(search.who(q, f, limit)), media_type="application/json")

    @app.get("/api/thread/{post_id}", tags=["browse"], summary="A post with its comments, replies nested")
    def api_thread(post_id: str) -> Thread:
        return search.thread(post_id)

    @app.get("/api/facets", tags=["browse"], summary="Document counts by kind, blog, role, author, theme, year")
    def api_facets(f: FiltersDep) -> dict:
        return search.facets(f)

    @app.get("/api/themes/timeline", tags=["browse"], summary="Documents per theme per period")
    def api_timeline(
        f: FiltersDep,
        themes: Annotated[list[str], Query(description="Theme ids; default: the most frequent.")] = [],  # noqa: B006
        interval: Literal["month", "quarter", "year"] = "year",
        top: Annotated[int, Query(ge=1, le=20)] = 6,
    ) -> dict:
        return search.theme_timeline(themes or None, interval, f, top)


def _page_routes(app: FastAPI, search: SearchService) -> None:
    @app.get("/healthz", tags=["ops"], summary="Is Elasticsearch answering and the index there?")
    def healthz() -> JSONResponse:
        try:
            counts = search.facets()["kind"]
        except ShrinksearchError as err:
            return JSONResponse({"status": "unavailable", "error": str(err)}, status_code=status_for(err))
        return JSONResponse({"status": "ok", "alias": search.alias, "documents": {c["value"]: c["count"] for c in counts}})

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=_SECURITY_HEADERS)

    @app.get("/opensearch.xml", include_in_schema=False)
    def opensearch_description(request: Request) -> Response:
        return Response(opensearch.description(str(request.base_url)), media_type=opensearch.MEDIA_TYPE)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


# The page loads only its own script and style; even a missed escape could not run a script.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
