"""`shrinksearch crawl`: crawl one blog into a JSON Lines file, with live progress and a
closing summary (pages, posts, comments, skipped by robots.txt, errors by kind).

A thin layer over ``crawlers.runner.run_crawl``, which runs the crawl in its own process;
the runner (and Scrapy behind it) is imported when the command runs, not for `--help`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from crawlers.runner import CrawlProgress, CrawlSummary

PLATFORM_HELP = "blogger | wordpress | generic (detected from the home page when left out)."


def summary_table(summary: CrawlSummary) -> Table:
    """The closing summary of one crawl."""
    from rich.table import Table

    table = Table(title=f"Crawl of {summary.url} ({summary.platform})", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right", overflow="fold")
    rows = [
        ("finish reason", summary.finish_reason),
        ("pages", summary.pages),
        ("requests", summary.requests),
        ("posts", summary.posts),
        ("comments", summary.comments),
        ("skipped by robots.txt", summary.skipped_by_robots),
        ("not modified (304)", summary.not_modified),
        ("records kept from the interrupted run", summary.resumed_records),
    ]
    rows += [(f"errors: {kind}", count) for kind, count in summary.errors.items()] or [("errors", 0)]
    rows += [(f"missing field: {name}", count) for name, count in summary.missing_fields.items()]
    rows += [(f"dropped: {why}", count) for why, count in summary.dropped.items()]
    rows += [("completeness (found/declared)", summary.completeness.line())]
    rows += [(f"short of comments: {s['url']}", f"{s['found']}/{s['declared']}") for s in summary.completeness.posts_short[:5]]
    rows += _responsible_use_rows(summary.stats)
    rows += [("seconds", f"{summary.elapsed:.1f}"), ("output", str(summary.output or "(none: not finished)"))]
    for what, value in rows:
        table.add_row(what, str(value))
    return table


def _responsible_use_rows(stats: dict[str, Any]) -> list[tuple[str, Any]]:
    """What the crawl found deleted upstream (404/410, noindex, no longer listed) and the
    links it did not follow (nofollow), from its stats."""
    prefix = "shrinksearch/deleted/"
    rows: list[tuple[str, Any]] = [(f"deleted upstream: {key[len(prefix):]}", v) for key, v in sorted(stats.items())
                                   if key.startswith(prefix)]
    if stats.get("shrinksearch/skipped/nofollow"):
        rows.append(("links not followed (nofollow)", stats["shrinksearch/skipped/nofollow"]))
    return rows


def crawl(
    source: Optional[str] = typer.Option(None, "--source", help="Name of an entry of the sources file."),
    url: Optional[str] = typer.Option(None, "--url", help="Home page of a blog to crawl."),
    platform: Optional[str] = typer.Option(None, "--platform", help=PLATFORM_HELP),
    out: Optional[Path] = typer.Option(None, "--out", help="Output JSON Lines file (default: data_dir/raw/<blog>-<time>.jsonl)."),
    incremental: bool = typer.Option(False, "--incremental", help="Fetch only posts and comments new since the last finished crawl."),
    fast: bool = typer.Option(False, "--fast/--polite", help="--fast drops the politeness delays; only for 127.0.0.1 (the sample network)."),
    resume: bool = typer.Option(True, "--resume/--restart", help="Continue an unfinished crawl of the same blog, or start over."),
    http_cache: bool = typer.Option(False, "--http-cache", help="Keep responses on disk and revalidate them on the next crawl."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary (with completeness) as JSON instead of a table."),
) -> None:
    """Crawl one blog (posts and comment threads) into a JSON Lines file.

    Exits 1 when the crawl did not finish, or found nothing or far less than the blog
    declares (the summary's completeness line says what was found and what was tried)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from crawlers.runner import run_crawl

    console = Console(stderr=as_json)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("starting the crawl…", total=None)

        def show(p: CrawlProgress) -> None:
            progress.update(task, description=(
                f"pages {p.pages} · requests {p.requests} · posts {p.posts} · comments {p.comments} · errors {p.errors}"))

        summary = run_crawl(source=source, url=url, platform=platform, out=out, incremental=incremental,
                            fast=fast, resume=resume, http_cache=http_cache, on_progress=show)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2, default=str))
    else:
        console.print(summary_table(summary))
    if not summary.finished:
        console.print(f"The crawl did not finish ({summary.finish_reason}); run the same command again to resume. Log: {summary.log}",
                      markup=False, soft_wrap=True)
        raise typer.Exit(1)
    if summary.completeness.problem:
        console.print(f"Error: the crawl of {summary.url} is incomplete: {summary.completeness.problem}. Log: {summary.log}",
                      markup=False, soft_wrap=True)  # one line, however narrow the terminal
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("crawl")(crawl)
