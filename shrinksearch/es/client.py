"""Connecting to Elasticsearch: one client factory and one place that turns failures into
one-line ``ElasticsearchUnavailable`` errors (without ever showing the password)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import (
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    UnsupportedProductError,
)

from shrinksearch.exceptions import CredentialsRefused, ElasticsearchUnavailable
from shrinksearch.settings import Settings, get_settings


def make_client(settings: Settings | None = None) -> Elasticsearch:
    """A client for ``settings.es_url`` (every node listed there); basic auth only when a
    password is set. With several nodes the transport spreads requests over them and sends a
    request that failed on one node (refused, timed out, 502/503/504) to the next."""
    settings = settings or get_settings()
    auth = None
    if settings.es_password is not None:
        auth = (settings.es_username, settings.es_password.get_secret_value())
    return Elasticsearch(
        settings.es_urls,
        basic_auth=auth,
        request_timeout=settings.es_request_timeout,
        # Timeouts and 429/502/503/504 are retried by the transport; a single node
        # restarting or under load is the common case, not a fatal one.
        retry_on_timeout=True,
        max_retries=3,
    )


def check_connection(client: Elasticsearch, settings: Settings | None = None) -> str:
    """The server's version, or ElasticsearchUnavailable saying what to fix.

    Uses the nodes-info API: the integration-test distribution has no ``GET /`` (the
    rest-root module is missing), so ``client.info()`` and ``client.ping()`` fail there.
    """
    with translate_errors(settings):
        nodes = client.nodes.info(node_id="_local", metric="_none", filter_path="nodes.*.version")
    return next(iter(nodes["nodes"].values()))["version"]


def connect(settings: Settings | None = None) -> Elasticsearch:
    """A client that has answered once: what commands and flows start from."""
    client = make_client(settings)
    check_connection(client, settings)
    return client


@contextmanager
def translate_errors(settings: Settings | None = None) -> Iterator[None]:
    """Turn connection, timeout and credential failures into ElasticsearchUnavailable
    (``CredentialsRefused`` for the credentials: not transient)."""
    settings = settings or get_settings()
    url = ", ".join(redact_url(u) for u in settings.es_urls)
    try:
        yield
    except ConnectionTimeout:
        raise ElasticsearchUnavailable(
            f"Elasticsearch at {url} did not answer within {settings.es_request_timeout:g}s; "
            "check the node is healthy or raise SHRINKSEARCH_ES_REQUEST_TIMEOUT."
        ) from None
    except ConnectionError:
        raise ElasticsearchUnavailable(
            f"Elasticsearch is not answering at {url}; start it with `shrinksearch node start` "
            "or set SHRINKSEARCH_ES_URL."
        ) from None
    except AuthenticationException:
        raise CredentialsRefused(
            f"Elasticsearch at {url} refused the credentials of user '{settings.es_username}'; "
            "set SHRINKSEARCH_ES_USERNAME and SHRINKSEARCH_ES_PASSWORD."
        ) from None
    except AuthorizationException:
        raise CredentialsRefused(
            f"user '{settings.es_username}' may not do this on {url}; "
            "give it the needed index privileges or use another user."
        ) from None
    except UnsupportedProductError:
        raise ElasticsearchUnavailable(
            f"the server at {url} is not Elasticsearch; point SHRINKSEARCH_ES_URL at an Elasticsearch 9 node."
        ) from None


def redact_url(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))
