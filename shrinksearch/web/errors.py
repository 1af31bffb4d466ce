"""The web app's one error map: every failure a user can cause or meet → a JSON answer.

Responses are ``{"error": "<one line: what went wrong and what to do>"}`` with a 4xx for
the caller's mistakes and 503 when Elasticsearch or the index is not there or fails. Nothing a user
types ever produces a 500.
"""

from __future__ import annotations

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shrinksearch.exceptions import (
    ElasticsearchUnavailable,
    IndexNotReady,
    QueryError,
    ShrinksearchError,
    UsageError,
)

# Most specific first: the first matching class decides the status.
STATUS_BY_ERROR: tuple[tuple[type[ShrinksearchError], int], ...] = (
    (QueryError, 400),
    (UsageError, 400),
    (IndexNotReady, 503),
    (ElasticsearchUnavailable, 503),
    (ShrinksearchError, 500),
)


def status_for(err: ShrinksearchError) -> int:
    return next(status for cls, status in STATUS_BY_ERROR if isinstance(err, cls))


def install_error_map(app: FastAPI) -> None:
    """Register the handlers; routes just raise."""
    app.add_exception_handler(ShrinksearchError, _shrinksearch_error)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _elasticsearch_error)  # type: ignore[arg-type]
    app.add_exception_handler(TransportError, _elasticsearch_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]


async def _shrinksearch_error(request: Request, err: ShrinksearchError) -> JSONResponse:
    return JSONResponse({"error": str(err)}, status_code=status_for(err))


async def _elasticsearch_error(request: Request, err: Exception) -> JSONResponse:
    # What the service did not translate (a node overloaded, a shard failing): not the
    # caller's fault, and worth retrying.
    return JSONResponse({"error": f"Elasticsearch failed ({err.__class__.__name__}); try again shortly"}, status_code=503)


async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
    # FastAPI's own 422 lists every problem; keep that, with one readable line first.
    problems = [f"{'.'.join(str(p) for p in e['loc'] if p != 'query')}: {e['msg']}" for e in err.errors()]
    return JSONResponse(
        {"error": "bad request parameters: " + "; ".join(problems), "detail": jsonable_encoder(err.errors())},
        status_code=422,
    )


async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": str(err.detail)}, status_code=err.status_code)
