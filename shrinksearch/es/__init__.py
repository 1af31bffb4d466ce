"""The Elasticsearch layer: client, versioned index behind an alias, streaming bulk I/O.

Everything else in shrinksearch goes through here and only ever names the alias
(``settings.index_alias``); the concrete ``<alias>-v<N>`` indices are this package's business.
"""

from shrinksearch.es.bulk import (
    BulkFailure,
    BulkReport,
    document_action,
    index_documents,
    iter_documents,
    run_actions,
    update_tags,
)
from shrinksearch.es.client import check_connection, connect, make_client, redact_url, translate_errors
from shrinksearch.es.config import IndexConfig, config_versions, latest_config, load_config
from shrinksearch.es.index import IndexManager, IndexStatus, InitResult, MigrationResult

__all__ = [
    "BulkFailure",
    "BulkReport",
    "IndexConfig",
    "IndexManager",
    "IndexStatus",
    "InitResult",
    "MigrationResult",
    "check_connection",
    "config_versions",
    "connect",
    "document_action",
    "index_documents",
    "iter_documents",
    "latest_config",
    "load_config",
    "make_client",
    "redact_url",
    "run_actions",
    "translate_errors",
    "update_tags",
]
