"""`shrinksearch node start | stop | status | logs`: the embedded Elasticsearch node, or a
cluster of them.

What a command needs is imported when it runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from shrinksearch.node import NodeManager, NodeStatus
    from shrinksearch.node.cluster import ClusterManager, ClusterStatus

node_app = typer.Typer(
    help="Run the project's own Elasticsearch node (single node on 127.0.0.1), or a cluster of them (--nodes N).",
    no_args_is_help=True,
)

NOT_RUNNING_EXIT = 3  # as LSB `status` scripts do, so shell scripts can test it


def _manager() -> NodeManager:
    from rich.console import Console

    from shrinksearch.node import NodeManager
    from shrinksearch.settings import get_settings

    return NodeManager(get_settings(), console=Console(stderr=True))


def _cluster() -> ClusterManager:
    from rich.console import Console

    from shrinksearch.node.cluster import ClusterManager
    from shrinksearch.settings import get_settings

    return ClusterManager(get_settings(), console=Console(stderr=True))


@node_app.command()
def start(
    nodes: int = typer.Option(1, "--nodes", min=1, help="Start a cluster of this many nodes on 127.0.0.1 (ports SHRINKSEARCH_NODE_PORT, +1, …)."),
) -> None:
    """Fetch Elasticsearch if needed, start it and wait until it is ready."""
    if nodes > 1:
        start_cluster(nodes)
        return
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


def start_cluster(nodes: int) -> None:
    result = _cluster().start(nodes)
    started = f"started {len(result.started)} of them" if result.started else "all were running already"
    typer.echo(f"Elasticsearch cluster of {nodes} nodes is {result.health['status']} ({started}, {result.seconds:.1f} s)")
    typer.echo(f"Use it with: SHRINKSEARCH_ES_URL={','.join(result.urls)}")


@node_app.command()
def stop() -> None:
    """Stop the node (and every node of a cluster) this project started here; wait until they are gone."""
    pid = _manager().stop()
    pids = _cluster().stop()
    if pid:
        typer.echo(f"Elasticsearch (pid {pid}) stopped.")
    if pids:
        typer.echo(f"Elasticsearch cluster stopped ({len(pids)} nodes: pids {', '.join(map(str, pids))}).")
    if not pid and not pids:
        typer.echo("No node started by shrinksearch is running.")


@node_app.command()
def status() -> None:
    """Show URL, version, pid, health and home (each node and the health of a cluster);
    exit code 3 when nothing runs."""
    state = _manager().status()
    cluster = _cluster().status()
    if state.running or not cluster.members:
        for line in status_lines(state):
            typer.echo(line)
    if cluster.members:
        for line in cluster_lines(cluster):
            typer.echo(line)
    if not state.running and not cluster.running:
        raise typer.Exit(NOT_RUNNING_EXIT)


@node_app.command()
def logs(
    lines: int = typer.Option(50, "-n", "--lines", min=1, help="How many lines from the end."),
    node: Optional[int] = typer.Option(None, "--node", min=0, help="Node number of a cluster (0, 1, …) instead of the single node."),
) -> None:
    """Print the last lines of the node's server log."""
    for line in _manager().logs(lines) if node is None else _cluster().logs(node, lines):
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


def cluster_lines(cluster: ClusterStatus) -> list[str]:
    """One line per node of the cluster, then the cluster's health."""
    lines = ["cluster:"]
    for member in cluster.members:
        state = f"running (pid {member.pid})" if member.pid else "not running"
        lines.append(f"  node {member.member.number}: {member.member.url}  transport {member.member.transport_port}  {state}  home {member.home.root}")
    health = cluster.health
    if health is None:
        lines.append("  health: no node answers")
    else:
        lines.append(
            f"  health: {health['status']}, {health['number_of_nodes']} nodes, {health['active_shards']} shards active, "
            f"{health['unassigned_shards']} unassigned"
        )
    lines.append(f"  SHRINKSEARCH_ES_URL={','.join(cluster.urls)}")
    return lines


def register(app: typer.Typer) -> None:
    """Add the `node` command group to the main app."""
    app.add_typer(node_app, name="node")
