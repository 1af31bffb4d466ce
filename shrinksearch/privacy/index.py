"""Removing documents from every version of the index behind the alias.

Not only the index the alias points at: a rebuild kept with ``--keep-old`` or an interrupted
one leaves ``<alias>-v<N>`` indices behind, and swapping back to one must not bring a
forgotten document back. The node has no ``_delete_by_query`` (the integration-test
distribution lacks the reindex module), so the ids are scanned and deleted in bulk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

from shrinksearch.es.index import IndexManager
from shrinksearch.exceptions import IndexNotReady

from .identity import Identity, identify

_IDENTITY_FIELDS = ["kind", "url", "blog_url", "author", "author_key", "post_id"]
SCAN_SIZE = 5000
DELETE_CHUNK = 2000


@dataclass
class IndexRemoval:
    """What was (or, in a dry run, would be) deleted."""

    documents: int = 0
    """Distinct document ids, over every index version."""
    per_index: dict[str, int] = field(default_factory=dict)
    found: list[Identity] = field(default_factory=list)
    """Who and what the matched documents are (for the data directory's clean-up)."""


def index_versions(manager: IndexManager) -> list[str]:
    """Every ``<alias>-v<N>`` index, aliased or not."""
    return [name for _, name in sorted(manager.generations().items())]


def matching(client: Elasticsearch, index: str, query: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, identity fields) of every document of ``index`` matching ``query``."""
    body = {"query": query, "_source": _IDENTITY_FIELDS}
    for hit in helpers.scan(client, query=body, index=index, size=SCAN_SIZE):
        yield hit["_id"], hit.get("_source", {})


def remove_documents(manager: IndexManager, query: dict[str, Any], dry_run: bool = False) -> IndexRemoval:
    """Delete the documents matching ``query`` from every index version of ``manager.alias``."""
    client, removal = manager.client, IndexRemoval()
    seen: set[str] = set()
    for index in index_versions(manager):
        ids: list[str] = []
        for doc_id, source in matching(client, index, query):
            ids.append(doc_id)
            if doc_id not in seen:
                seen.add(doc_id)
                removal.found.append(identify({"id": doc_id, **source}) or Identity(doc_id=doc_id))
        removal.per_index[index] = len(ids)
        if ids and not dry_run:
            _delete(client, index, ids)
    removal.documents = len(seen)
    return removal


def _delete(client: Elasticsearch, index: str, ids: list[str]) -> None:
    actions = ({"_op_type": "delete", "_id": doc_id} for doc_id in ids)
    failed = [item for ok, item in helpers.streaming_bulk(client, actions, index=index, chunk_size=DELETE_CHUNK,
                                                            raise_on_error=False, max_retries=5)
              if not ok and item.get("delete", {}).get("status") != 404]  # already gone: fine
    client.indices.refresh(index=index)
    if failed:
        reason = failed[0].get("delete", {}).get("error", "unknown error")
        raise IndexNotReady(f"{len(failed)} document(s) could not be deleted from {index} (first: {reason}); "
                            "run the same forget again")
