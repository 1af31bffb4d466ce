"""`shrinksearch pipeline run`, `shrinksearch prefect up|down`, `shrinksearch deploy`."""

from __future__ import annotations

import json
import os
from typing import Literal, Optional

import typer

from shrinksearch.exceptions import UsageError

Platform = Literal["blogger", "wordpress", "generic"]
pipeline_app = typer.Typer(help="Run the crawl → clean → enrich → index pipeline.", no_args_is_help=True)
prefect_app = typer.Typer(help="A local Prefect server with its UI (no Docker needed).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app, name="pipeline")
    app.add_typer(prefect_app, name="prefect")
    app.command("deploy")(deploy)


@pipeline_app.command("run")
def run(
    source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="A source name from sources.yaml (repeatable)."),
    group: str = typer.Option("default", "--group", "-g", help="The sources.yaml group to crawl when no --source is given (samples = the local sample network)."),
    url: Optional[str] = typer.Option(None, "--url", help="Crawl this blog URL instead of named sources."),
    platform: Optional[Platform] = typer.Option(None, "--platform", help="The platform of --url (skips detection)."),
    full: bool = typer.Option(False, "--full", help="Full crawl instead of incremental."),
    fast: bool = typer.Option(False, "--fast", help="No politeness delays (local sample network only)."),
    embeddings: Optional[bool] = typer.Option(None, "--embeddings/--no-embeddings", help="Compute MiniLM embeddings too (default: SHRINKSEARCH_EMBEDDINGS)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's result as JSON."),
) -> None:
    """Run the pipeline flow now, in this process."""
    if source and url:
        raise UsageError("give either --source or --url, not both")
    if platform and not url:
        raise UsageError("--platform goes with --url")
    from rich.console import Console

    from flows.pipeline import crawl_and_index  # imported here: Prefect is slow to import

    result = crawl_and_index(
        sources=source or None, group=group, url=url, platform=platform,
        incremental=not full, fast=fast, embeddings=embeddings,
    )
    console = Console()
    if as_json:
        console.print_json(json.dumps(result))
    else:
        console.print(
            f"[green]done[/]: {result['posts']} posts, {result['comments']} comments crawled; "
            f"{result['indexed']} documents indexed, {result['rejected']} rejected, {result['failed']} failed "
            f"(run files in {result['run_dir']})"
        )


@prefect_app.command("up")
def up(port: Optional[int] = typer.Option(None, help="Port of the server (default: settings.prefect_port).")) -> None:
    """Start a local Prefect server (SQLite) in the background and print where its UI is."""
    from rich.console import Console

    from shrinksearch.prefect_server import PrefectServer
    from shrinksearch.settings import get_settings

    console = Console()
    server = PrefectServer(get_settings(), port=port)
    started = server.start()
    console.print(f"Prefect server {'started' if started else 'already running'}: UI at {server.ui_url}")
    console.print(f"Point flows at it with: export PREFECT_API_URL={server.api_url}")


@prefect_app.command("down")
def down(port: Optional[int] = typer.Option(None, help="Port of the server.")) -> None:
    """Stop the Prefect server that `prefect up` started."""
    from rich.console import Console

    from shrinksearch.prefect_server import PrefectServer
    from shrinksearch.settings import get_settings

    stopped = PrefectServer(get_settings(), port=port).stop()
    Console().print("Prefect server stopped" if stopped else "no Prefect server started by shrinksearch is running")


def deploy(
    pool: Optional[str] = typer.Option(None, "--pool", help="Register the deployments on this work pool (created, process type, if missing) and return; workers run them (`shrinksearch worker start --pool NAME`)."),
) -> None:
    """Register the deployments (crawl-and-index every 6 h, re-enrich nightly, full-reindex on
    demand) with the Prefect server and serve them until interrupted — or, with --pool, put
    them on a work pool for workers to run."""
    from rich.console import Console

    from shrinksearch.settings import get_settings

    use_local_prefect_server()
    if pool:
        from flows.deployments import deploy_to_pool

        ids = deploy_to_pool(pool, get_settings().crash_after)
        Console().print(f"{len(ids)} deployments on work pool {pool!r} at {os.environ['PREFECT_API_URL']}; "
                        f"start workers with: shrinksearch worker start --pool {pool}")
        return
    from flows.deployments import serve_deployments

    Console().print(f"serving deployments to {os.environ['PREFECT_API_URL']} — Ctrl+C to stop")
    serve_deployments()


def use_local_prefect_server() -> None:
    """Point PREFECT_API_URL at `shrinksearch prefect up`'s server unless it is set already."""
    from shrinksearch.prefect_server import PrefectServer
    from shrinksearch.settings import get_settings

    if "PREFECT_API_URL" in os.environ:
        return
    server = PrefectServer(get_settings())
    if not server.is_healthy():
        raise UsageError("no Prefect server: run `shrinksearch prefect up` first or set PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url
