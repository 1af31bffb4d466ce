"""The crawl → clean → enrich → index flow, on named sources or an ad-hoc URL.

Run from a deployment on a work pool, it fans out: one run of itself per batch of sources,
submitted to the pool so that every worker takes a share (``flows.fanout``).
"""

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

from . import fanout
from .reporting import fan_out_summary_markdown, pipeline_summary_markdown
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
    fan_out: bool = True,
    batch_size: int = 1,
    run_dir: str | None = None,
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
        fan_out: on a work pool, run each batch of sources as a flow run of its own, so that
            every worker takes a share (without a pool the sources are crawled here).
        batch_size: sources per fanned-out run.
        run_dir: where this run's files go (default: a new folder under data/runs; a
            fanned-out run gets a folder inside its parent's).
    """
    folder = Path(run_dir) if run_dir else _run_dir()
    folder.mkdir(parents=True, exist_ok=True)
    names = None if url else (sources or _group_names(group))
    if not url and not names:
        raise ValueError(f"no sources to crawl: group {group!r} is empty or unknown in sources.yaml")
    groups = fanout.batches(names, batch_size) if names else []
    if fan_out and len(groups) > 1 and fanout.work_pool_of_this_run():
        parameters = {"group": group, "incremental": incremental, "fast": fast, "embeddings": embeddings, "batch_size": batch_size}
        result = _fanned_out(fanout.fan_out(groups, parameters, folder), folder)
    else:
        result = _crawl_and_index_here(names, url, platform, incremental, fast, embeddings, folder)
    fanout.write_result(folder, result)
    return result


def _crawl_and_index_here(names: list[str] | None, url: str | None, platform: str | None, incremental: bool, fast: bool,
                          embeddings: bool | None, run_dir: Path) -> dict:
    """Crawl the sources (or the URL) in this flow run, two at a time, then clean, tag and index."""
    crawls = _submit_crawls(names, url, platform, incremental, fast, run_dir)
    summaries, incomplete = _finished_crawls(crawls)
    deleted = apply_upstream_deletions(summaries)
    # an incomplete crawl's task failed (the UI shows it, the summary says why), but what it
    # did find is good: it is indexed like the rest
    outputs = [Path(s.output) for s in summaries + incomplete if s.output and Path(s.output).exists()]
    rejects = run_dir / "rejects.jsonl"
    cleaned = clean_records(outputs, run_dir / "cleaned.jsonl", rejects)
    embed = get_settings().embeddings if embeddings is None else embeddings
    enriched = enrich_documents(run_dir / "cleaned.jsonl", run_dir / "enriched.jsonl", rejects, embed)
    indexed = index_documents(run_dir / "enriched.jsonl")
    summary = pipeline_summary_markdown(summaries, cleaned, enriched, indexed, rejects, incomplete, deleted)
    create_markdown_artifact(summary, key="crawl-and-index-summary", description="What this run crawled and indexed")
    return {
        "run_dir": str(run_dir),
        "pages": sum(s.pages for s in summaries),
        "posts": sum(s.posts for s in summaries),
        "comments": sum(s.comments for s in summaries),
        "rejected": cleaned.rejected + enriched.rejected,
        "indexed": indexed.indexed,
        "failed": indexed.failed,
        "incomplete_crawls": [s.name for s in incomplete],
        "deleted_upstream": deleted.as_dict(),
        "forgotten": cleaned.forgotten + sum(s.dropped.get("forgotten", 0) for s in summaries),
    }


def _fanned_out(children: list[fanout.Child], run_dir: Path) -> dict:
    """The parent's result: its children's numbers added up; a child that failed is reported, not fatal."""
    results = {child.label: fanout.read_result(child) or {} for child in children}
    for child in children:
        if child.state != "COMPLETED":
            get_run_logger().error("the run of %s ended %s after %d attempt(s); left out", child.label, child.state, child.attempts)
    create_markdown_artifact(fan_out_summary_markdown(children, results), key="crawl-and-index-summary",
                             description="What the fanned-out runs crawled and indexed")
    totals = {key: sum(r.get(key, 0) for r in results.values())
              for key in ("pages", "posts", "comments", "rejected", "indexed", "failed", "forgotten")}
    incomplete = [name for r in results.values() for name in r.get("incomplete_crawls", [])]
    runs = [{"label": c.label, "state": c.state, "attempts": c.attempts, "flow_run_id": str(c.flow_run_id)} for c in children]
    return {"run_dir": str(run_dir), **totals, "incomplete_crawls": incomplete, "runs": runs}


def _submit_crawls(names, url, platform, incremental, fast, run_dir):  # noqa: ANN001, ANN202
    if url:
        return [crawl_blog.submit(url, None, url, platform, incremental, fast, run_dir / "crawl-url.jsonl")]
    return [crawl_blog.submit(name, name, None, None, incremental, fast, run_dir / f"crawl-{name}.jsonl") for name in names]


def _group_names(group: str | None) -> list[str]:
    entries = load_sources(get_settings().sources_file)
    return [entry.name for entry in entries if group is None or entry.group == group]


def _finished_crawls(crawls) -> tuple[list[CrawlSummary], list[CrawlSummary]]:  # noqa: ANN001
    """Summaries of the crawls that succeeded, and of those that finished but found too
    little (their task failed; their records are indexed all the same); one blog failing
    never stops the others."""
    summaries, incomplete = [], []
    for crawl in crawls:
        result = crawl.result(raise_on_failure=False)
        if isinstance(result, CrawlSummary):
            summaries.append(result)
        else:
            if isinstance(result, CrawlIncomplete) and isinstance(result.summary, CrawlSummary):
                incomplete.append(result.summary)
            get_run_logger().error("a crawl failed: %s", result)
    return summaries, incomplete
