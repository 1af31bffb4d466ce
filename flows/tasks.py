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
from shrinksearch.exceptions import CrawlIncomplete, CredentialsRefused, ElasticsearchUnavailable, ForgottenBlog
from shrinksearch.pipeline import stages
from shrinksearch.pipeline.reports import StageReport
from shrinksearch.privacy.deletions import DeletionReport, apply_deletions
from shrinksearch.privacy.pseudonyms import clean_privacy, forgotten_only
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


def _crawl_may_be_retried(task, task_run, state) -> bool:  # noqa: ANN001 (Prefect's hook signature)
    """Retry a crawl that stopped early (it resumes), not one that finished and found too
    little (crawling the same blog again finds the same) nor one of a forgotten blog."""
    try:
        state.result()
    except (CrawlIncomplete, ForgottenBlog):
        return False
    except Exception:  # noqa: BLE001 - any other failure: the retry resumes the crawl
        return True
    return False


@task(retries=2, retry_delay_seconds=10, retry_condition_fn=_crawl_may_be_retried, tags=["crawl"],
      cache_policy=NO_CACHE, task_run_name="crawl-{label}")
def crawl_blog(label: str, source: str | None, url: str | None, platform: str | None, incremental: bool, fast: bool, out: Path) -> CrawlSummary:
    """Crawl one blog in its own process (the Twisted reactor cannot restart in a worker),
    holding its host's crawl slot: no other crawl, on any worker, fetches from that host meanwhile.

    An unfinished crawl (killed, paused) resumes where it stopped on the retry. A crawl that
    finished but found nothing, or far less than the blog declares, fails with
    ``CrawlIncomplete`` (no retry); the flow still indexes what it found."""
    start_url = url or find_source(str(source), get_settings().sources_file).url
    with host_slot(start_url, gap=0.0 if fast else HOST_GAP_SECONDS):
        summary = run_crawl(source=source, url=url, platform=platform, incremental=incremental, fast=fast, out=out)
    logger = get_run_logger()
    logger.info("crawled %s: %s pages · %s", label, summary.pages, summary.completeness.line())
    if not summary.finished:
        raise RuntimeError(f"crawl of {label} ended early ({summary.finish_reason}); see {summary.log}")
    if summary.completeness.problem:
        raise CrawlIncomplete(f"crawl of {label}: {summary.completeness.problem}", summary)
    return summary


@task(cache_policy=NO_CACHE)
def clean_records(sources: list[Path], out: Path, rejects: Path) -> StageReport:
    """Raw crawl records → cleaned documents; bad records go to ``rejects`` with the reason,
    forgotten ones are left out, commenters pseudonymised when the setting asks."""
    return stages.clean_file(sources, out, rejects, privacy=clean_privacy(get_settings(), sources))


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
        report = stages.index_file(source, client, settings.index_alias, privacy=forgotten_only(settings))
        client.indices.refresh(index=settings.index_alias)
    return report


@task(retries=3, retry_delay_seconds=[5, 15, 30], retry_condition_fn=_retry_on_transient_es, cache_policy=NO_CACHE)
def apply_upstream_deletions(crawls: list[CrawlSummary]) -> DeletionReport:
    """What the crawls found deleted upstream (comments no longer listed, posts now 404/410
    or noindex) leaves the index and the data directory."""
    from crawlers.deletions import deletions_path

    settings = get_settings()
    paths = [deletions_path(Path(c.output)) for c in crawls if c.output]
    return apply_deletions(paths, make_client(settings), settings)
