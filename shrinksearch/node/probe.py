"""Ask a node over HTTP whether it answers, how healthy it is, and which version it runs.

The integration-test distribution has no rest-root module, so `GET /` and `HEAD /` answer
405 — the Python client's `ping()` and `info()` do not work against it. Readiness uses
`_cluster/health` and the version comes from `_nodes/_local`.
"""

from __future__ import annotations

from typing import Any

import httpx

from shrinksearch.exceptions import ElasticsearchUnavailable

Auth = tuple[str, str] | None


def health(url: str, auth: Auth, wait_seconds: int = 0, timeout: float = 10.0) -> dict[str, Any] | None:
    """Cluster health (waiting up to wait_seconds for yellow); None when nothing answers in time."""
    params = {"wait_for_status": "yellow", "timeout": f"{wait_seconds}s"} if wait_seconds else {}
    try:
        response = httpx.get(f"{url}/_cluster/health", params=params, auth=auth, timeout=wait_seconds + timeout)
    except httpx.TransportError:
        return None
    _raise_for_auth(response, url, auth)
    # 408 is "not yellow yet": still a health body with a status.
    if response.status_code in (200, 408):
        return response.json()
    return None


def version(url: str, auth: Auth) -> str:
    """The Elasticsearch version of the node at url."""
    try:
        response = httpx.get(f"{url}/_nodes/_local", params={"filter_path": "nodes.*.version"}, auth=auth, timeout=10)
    except httpx.TransportError:
        raise ElasticsearchUnavailable(f"Elasticsearch at {url} stopped answering; see `shrinksearch node logs`") from None
    _raise_for_auth(response, url, auth)
    nodes = response.json().get("nodes", {})
    return next(iter(nodes.values()))["version"]


def _raise_for_auth(response: httpx.Response, url: str, auth: Auth) -> None:
    # The message names the user, never the password.
    if response.status_code == 401:
        user = auth[0] if auth else "elastic"
        raise ElasticsearchUnavailable(
            f"Elasticsearch at {url} rejected the credentials of user {user!r}; "
            "set SHRINKSEARCH_ES_PASSWORD to the node's password"
        )
