"""The Elasticsearch layer: client, versioned index behind an alias, streaming bulk I/O.

Everything else in shrinksearch goes through here and only ever names the alias
(``settings.index_alias``); the concrete ``<alias>-v<N>`` indices are this package's business.
"""

from typing import TYPE_CHECKING

from shrinksearch.lazy import lazy_exports

if TYPE_CHECKING:
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

# Imported on first use (shrinksearch/lazy.py): a search needs the client, not the bulk
# helpers and record models.
__getattr__ = lazy_exports(__name__, {
    **dict.fromkeys(["BulkFailure", "BulkReport", "document_action", "index_documents", "iter_documents",
                     "run_actions", "update_tags"], "bulk"),
    **dict.fromkeys(["check_connection", "connect", "make_client", "redact_url", "translate_errors"], "client"),
    **dict.fromkeys(["IndexConfig", "config_versions", "latest_config", "load_config"], "config"),
    **dict.fromkeys(["IndexManager", "IndexStatus", "InitResult", "MigrationResult"], "index"),
})

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
