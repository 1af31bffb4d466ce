"""The crawl → clean → enrich → index flow, on named sources or an ad-hoc URL."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.logging import get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from crawlers.runner import CrawlSummary
from crawlers.sources import load_sources
from shrinksearch.exceptions import CrawlIncomplete
from shrinksearch.settings import get_settings

from .reporting import pipeline_summary_markdown
from .tasks import apply_upstream_deletions, clean_records, crawl_blog, enrich_documents, index_documents

MAX_PARALLEL_CRAWLS = 2
"""Crawls run at most this many at a time: each is a process and politeness is per host anyway."""


def _run_dir() -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = get_settings().data_dir.resolve() / "runs" / stamp
    path.mkdir(parents=True, exist_ok=True)
    return path


@flow(
    name="crawl-and-index",
    task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_CRAWLS),  # type: ignore[arg-type]
    log_prints=True,
)
def crawl_and_index(
    sources: list[str] | None = None,
    group: str | None = "default",
    url: str | None = None,
    platform: Literal["blogger", "wordpress", "generic"] | None = None,
    incremental: bool = True,
    fast: bool = False,
    embeddings: bool | None = None,
) -> dict:
    """Crawl blogs, clean and tag what was found, and index it.

    Args:
        sources: names from sources.yaml; when empty, every source of ``group``.
        group: the sources.yaml group to crawl when no names are given ("default" needs the
            internet; "samples" is the local sample network).
        url: an ad-hoc blog URL instead of named sources.
        platform: the platform of ``url`` when auto-detection should be skipped.
        incremental: fetch only new or changed posts and new comments.
        fast: drop politeness delays (only allowed for the local sample network).
        embeddings: also compute MiniLM sentence embeddings (needs the `embeddings` extra);
            none means the SHRINKSEARCH_EMBEDDINGS setting.
    """
    run_dir = _run_dir()
    crawls = _submit_crawls(sources, group, url, platform, incremental, fast, run_dir)
    summaries, incomplete = _finished_crawls(crawls)
    deleted = apply_upstream_deletions(summaries)
    outputs = [Path(s.output) for s in summaries if s.output and Path(s.output).exists()]
    rejects = run_dir / "rejects.jsonl"
    cleaned = clean_records(outputs, run_dir / "cleaned.jsonl", rejects)
    embed = get_settings().embeddings if embeddings is None else embeddings
    enriched = enrich_documents(run_dir / "cleaned.jsonl", run_dir / "enriched.jsonl", rejects, embed)
    indexed = index_documents(run_dir / "enriched.jsonl")
    summary = pipeline_summary_markdown(summaries, cleaned, enriched, indexed, rejects, incomplete, deleted)
    create_markdown_artifact(summary, key="crawl-and-index-summary", description="What this run crawled and indexed")
    return {
        "run_dir": str(run_dir),
        "posts": sum(s.posts for s in summaries),
        "comments": sum(s.comments for s in summaries),
        "rejected": cleaned.rejected + enriched.rejected,
        "indexed": indexed.indexed,
        "failed": indexed.failed,
        "incomplete_crawls": [s.name for s in incomplete],
        "deleted_upstream": deleted.as_dict(),
        "forgotten": cleaned.forgotten + sum(s.dropped.get("forgotten", 0) for s in summaries),
    }


def _submit_crawls(sources, group, url, platform, incremental, fast, run_dir):  # noqa: ANN001, ANN202
    if url:
        return [crawl_blog.submit(url, None, url, platform, incremental, fast, run_dir / "crawl-url.jsonl")]
    names = sources or _group_names(group)
    if not names:
        raise ValueError(f"no sources to crawl: group {group!r} is empty or unknown in sources.yaml")
    return [crawl_blog.submit(name, name, None, None, incremental, fast, run_dir / f"crawl-{name}.jsonl") for name in names]


def _group_names(group: str | None) -> list[str]:
    entries = load_sources(get_settings().sources_file)
    return [entry.name for entry in entries if group is None or entry.group == group]


def _finished_crawls(crawls) -> tuple[list[CrawlSummary], list[CrawlSummary]]:  # noqa: ANN001
    """Summaries of the crawls that succeeded, and of those that finished but found too
    little (their records are left out); one blog failing never stops the others."""
    summaries, incomplete = [], []
    for crawl in crawls:
        result = crawl.result(raise_on_failure=False)
        if isinstance(result, CrawlSummary):
            summaries.append(result)
        else:
            if isinstance(result, CrawlIncomplete) and isinstance(result.summary, CrawlSummary):
                incomplete.append(result.summary)
            get_run_logger().error("a crawl failed and is left out of this run: %s", result)
    return summaries, incomplete
