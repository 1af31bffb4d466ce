"""`shrinksearch node start | stop | status | logs`: the embedded Elasticsearch node.

What a command needs is imported when it runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from shrinksearch.node import NodeManager, NodeStatus

node_app = typer.Typer(
    help="Run the project's own Elasticsearch node (single node on 127.0.0.1).",
    no_args_is_help=True,
)

NOT_RUNNING_EXIT = 3  # as LSB `status` scripts do, so shell scripts can test it


def _manager() -> NodeManager:
    from rich.console import Console

    from shrinksearch.node import NodeManager
    from shrinksearch.settings import get_settings

    return NodeManager(get_settings(), console=Console(stderr=True))


@node_app.command()
def start() -> None:
    """Fetch Elasticsearch if needed, start it and wait until it is ready."""
    manager = _manager()
    result = manager.start()
    if manager.home.relocated:
        typer.echo(f"Node home: {manager.home.root} (the node user cannot enter {manager.home.requested})")
    if result.already_running:
        typer.echo(f"Elasticsearch {result.version} is already running at {result.url} (pid {result.pid})")
    else:
        typer.echo(f"Elasticsearch {result.version} ready at {result.url} (pid {result.pid}, {result.seconds:.1f} s)")
    from shrinksearch.settings import get_settings

    es_url = get_settings().es_url.rstrip("/")
    if es_url != result.url:
        typer.echo(f"Note: SHRINKSEARCH_ES_URL is {es_url}; set it to {result.url} to use this node.")


@node_app.command()
def stop() -> None:
    """Stop the node this project started (by its recorded pid) and wait until it is gone."""
    pid = _manager().stop()
    typer.echo(f"Elasticsearch (pid {pid}) stopped." if pid else "No node started by shrinksearch is running.")


@node_app.command()
def status() -> None:
    """Show URL, version, pid, health and home; exit code 3 when the node is not running."""
    state = _manager().status()
    for line in status_lines(state):
        typer.echo(line)
    if not state.running:
        raise typer.Exit(NOT_RUNNING_EXIT)


@node_app.command()
def logs(lines: int = typer.Option(50, "-n", "--lines", min=1, help="How many lines from the end.")) -> None:
    """Print the last lines of the node's server log."""
    for line in _manager().logs(lines):
        typer.echo(line)


def status_lines(state: NodeStatus) -> list[str]:
    """The `status` report, one 'label: value' per line."""
    home = str(state.home.root)
    if state.home.relocated:
        home += f" (instead of {state.home.requested}, which the node user cannot enter)"
    running = f"running (pid {state.pid})" if state.running else "not running"
    lines = [f"state:    {running}", f"url:      {state.url}"]
    if state.running:
        lines += [f"version:  {state.version or '?'}", f"health:   {state.health}"]
    lines += [f"security: {'on' if state.security else 'off'}", f"home:     {home}"]
    return lines


def register(app: typer.Typer) -> None:
    """Add the `node` command group to the main app."""
    app.add_typer(node_app, name="node")
