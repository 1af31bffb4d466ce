"""The pipeline's tasks. Tasks are verbs; retries only where I/O can fail transiently."""

from __future__ import annotations

from pathlib import Path

from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout, TransportError
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger

from crawlers.runner import CrawlSummary, run_crawl
from crawlers.sources import find_source
from shrinksearch.enrich import load_taxonomy
from shrinksearch.es.bulk import BulkReport
from shrinksearch.es.client import make_client, translate_errors
from shrinksearch.es.index import IndexManager
from shrinksearch.exceptions import CredentialsRefused, ElasticsearchUnavailable
from shrinksearch.pipeline import stages
from shrinksearch.pipeline.reports import StageReport
from shrinksearch.settings import get_settings

from .politeness import HOST_GAP_SECONDS, host_slot

TRANSIENT_ES_ERRORS = (ESConnectionError, ConnectionTimeout, ElasticsearchUnavailable)


def _retry_on_transient_es(task, task_run, state) -> bool:  # noqa: ANN001 (Prefect's hook signature)
    """Retry an indexing task only when Elasticsearch was unreachable or timed out (a
    refused password or user stays refused)."""
    try:
        state.result()
    except CredentialsRefused:
        return False
    except TRANSIENT_ES_ERRORS:
        return True
    except TransportError as err:
        return getattr(err, "status_code", None) in (429, 502, 503, 504)
    except Exception:  # noqa: BLE001 - anything else is a bug: fail, don't retry
        return False
    return False


@task(retries=2, retry_delay_seconds=10, tags=["crawl"], cache_policy=NO_CACHE, task_run_name="crawl-{label}")
def crawl_blog(label: str, source: str | None, url: str | None, platform: str | None, incremental: bool, fast: bool, out: Path) -> CrawlSummary:
    """Crawl one blog in its own process (the Twisted reactor cannot restart in a worker),
    holding its host's crawl slot: no other crawl, on any worker, fetches from that host meanwhile.

    An unfinished crawl (killed, paused) resumes where it stopped on the retry."""
    start_url = url or find_source(str(source), get_settings().sources_file).url
    with host_slot(start_url, gap=0.0 if fast else HOST_GAP_SECONDS):
        summary = run_crawl(source=source, url=url, platform=platform, incremental=incremental, fast=fast, out=out)
    get_run_logger().info("crawled %s: %s pages, %s posts, %s comments", label, summary.pages, summary.posts, summary.comments)
    if not summary.finished:
        raise RuntimeError(f"crawl of {label} ended early ({summary.finish_reason}); see {summary.log}")
    return summary


@task(cache_policy=NO_CACHE)
def clean_records(sources: list[Path], out: Path, rejects: Path) -> StageReport:
    """Raw crawl records → cleaned documents; bad records go to ``rejects`` with the reason."""
    return stages.clean_file(sources, out, rejects)


@task(cache_policy=NO_CACHE)
def enrich_documents(source: Path, out: Path, rejects: Path, embeddings: bool) -> StageReport:
    """Cleaned documents → documents tagged with themes from the current taxonomy."""
    return stages.enrich_file(source, out, rejects, load_taxonomy(), embed=embeddings)


@task(retries=5, retry_delay_seconds=[5, 10, 20, 30, 60], retry_condition_fn=_retry_on_transient_es, cache_policy=NO_CACHE)
def index_documents(source: Path) -> BulkReport:
    """Enriched documents → Elasticsearch (the alias), by stable id: re-running never duplicates."""
    settings = get_settings()
    client = make_client(settings)
    with translate_errors(settings):  # one line saying what to fix, not the client's exception
        IndexManager.from_settings(client, settings).init()
        report = stages.index_file(source, client, settings.index_alias)
        client.indices.refresh(index=settings.index_alias)
    return report
