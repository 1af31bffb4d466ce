"""Every error a user can meet, in one place.

Each carries a one-line message that says what went wrong and what to do;
the CLI prints it without a traceback and exits with ``exit_code``.
"""

from __future__ import annotations


class ShrinksearchError(Exception):
    """Base class: a problem the user can fix; ``str(err)`` is the one-line message."""

    exit_code = 1


class UsageError(ShrinksearchError):
    """The user asked for something that cannot work as asked."""

    exit_code = 2


class NodeError(ShrinksearchError):
    """The embedded Elasticsearch node could not be fetched, started or stopped."""


class JavaNotFoundError(NodeError):
    """No Java >= 21 is available to run Elasticsearch."""


class DownloadError(NodeError):
    """The Elasticsearch distribution could not be downloaded or verified."""


class PortInUseError(NodeError):
    """Another process listens on the node's port."""


class ElasticsearchUnavailable(ShrinksearchError):
    """Elasticsearch did not answer (not started, wrong URL or credentials)."""


class CredentialsRefused(ElasticsearchUnavailable):
    """Elasticsearch refused the user, its password or its rights: retrying will not help."""


class IndexNotReady(ShrinksearchError):
    """The index is missing or not set up (run `shrinksearch index init`)."""


class CrawlError(ShrinksearchError):
    """A crawl could not start (unknown source, bad URL, unreachable site)."""


class CrawlIncomplete(CrawlError):
    """A crawl ran to its end but found nothing, or far less than the blog declares.

    ``summary`` is the crawl's ``CrawlSummary``: what it found, what it tried."""

    def __init__(self, message: str, summary: object = None) -> None:
        super().__init__(message)
        self.summary = summary


class ForgottenBlog(CrawlError):
    """The blog was forgotten (``shrinksearch forget --blog``): it is not crawled again."""


class QueryError(UsageError):
    """A search query that cannot be run (empty, too long, bad filter)."""
