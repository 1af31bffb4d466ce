"""Flows that rework what is already indexed, without re-crawling.

- ``re_enrich``: re-tag every document (or those crawled since a date) with the current
  taxonomy, in place — the run after a taxonomy change.
- ``full_reindex``: build the next index version from the current one with the current
  mapping and taxonomy, then swap the alias in one step (zero downtime).
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from shrinksearch.enrich import load_taxonomy
from shrinksearch.es.bulk import BulkReport, index_documents, iter_documents, run_actions
from shrinksearch.es.client import make_client, translate_errors
from shrinksearch.es.index import IndexManager
from shrinksearch.enrich import tag_document
from shrinksearch.privacy.pseudonyms import forgotten_only
from shrinksearch.records import Document
from shrinksearch.settings import get_settings

from .tasks import _retry_on_transient_es


def _since_query(since: datetime | None) -> dict | None:
    return {"range": {"crawled": {"gte": since.isoformat()}}} if since else None


@task(retries=3, retry_delay_seconds=[5, 15, 30], retry_condition_fn=_retry_on_transient_es, cache_policy=NO_CACHE)
def retag_into(source_alias: str, target: str, since: datetime | None) -> BulkReport:
    """Re-tag documents read from ``source_alias`` and write them to ``target`` by id."""
    settings = get_settings()
    client = make_client(settings)
    taxonomy = load_taxonomy()
    privacy = forgotten_only(settings)  # a forgotten document found here is never written again
    forgotten: list[str] = []

    def kept(doc: Document) -> bool:
        if privacy is None or privacy.keeps(doc):
            return True
        forgotten.append(doc.id)
        return False

    documents = (tag_document(d, taxonomy) for d in iter_documents(client, source_alias, query=_since_query(since)) if kept(d))
    with translate_errors(settings):
        report = index_documents(client, target, documents)
        if forgotten and target == source_alias:  # re-tagged in place: what a forget missed goes now
            run_actions(client, target, ({"_op_type": "delete", "_id": doc_id} for doc_id in forgotten))
        client.indices.refresh(index=target)
    return report


def _publish(title: str, report: BulkReport, extra: str = "") -> None:
    markdown = (
        f"## {title}\n\n| measure | count |\n|---|---:|\n| documents written | {report.indexed} |\n"
        f"| failures | {report.failed} |\n{extra}"
    )
    create_markdown_artifact(markdown, key=title.replace(" ", "-").lower())


@flow(name="re-enrich", log_prints=True)
def re_enrich(since: datetime | None = None) -> dict:
    """Re-tag indexed documents with the current theme taxonomy (no re-crawl).

    Args:
        since: only documents crawled at or after this time; none means all.
    """
    alias = get_settings().index_alias
    report = retag_into(alias, alias, since)
    _publish("re-enrich", report, f"| taxonomy version | {load_taxonomy().version} |\n")
    return {"updated": report.indexed, "failed": report.failed}


@flow(name="full-reindex", log_prints=True)
def full_reindex(delete_old: bool = True) -> dict:
    """Rebuild the index as the next version with the current mapping and taxonomy, then
    swap the alias to it in one atomic step.

    Args:
        delete_old: delete the previous index version once the alias points at the new one.
    """
    settings = get_settings()
    manager = IndexManager.from_settings(make_client(settings), settings)
    new_index = manager.next_index_for_rebuild()
    report = retag_into(settings.index_alias, new_index, None)
    manager.swap_alias(new_index, delete_old=delete_old)
    _publish("full reindex", report, f"| new index | {new_index} |\n")
    return {"index": new_index, "documents": report.indexed, "failed": report.failed}
