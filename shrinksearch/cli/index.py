"""`shrinksearch index init | status | migrate`: the versioned index behind the alias.

The Elasticsearch layer is imported when a command runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from shrinksearch.es import IndexManager, IndexStatus

index_app = typer.Typer(help="Create, inspect and rebuild the search index (behind a stable alias).", no_args_is_help=True)


def _manager() -> IndexManager:
    from shrinksearch.es import IndexManager, connect
    from shrinksearch.settings import get_settings

    return IndexManager.from_settings(connect(get_settings()))


@index_app.command()
def init() -> None:
    """Create the index and its alias if absent (safe to run every time)."""
    from rich.console import Console

    from shrinksearch.es import translate_errors

    with translate_errors():
        result = _manager().init()
    state = "created" if result.created else "already there"
    Console().print(f"alias [bold]{result.alias}[/] -> index [bold]{result.index}[/] ({state})")


@index_app.command()
def status() -> None:
    """Show the alias, its index, document counts by kind, mapping version and health."""
    from rich.console import Console

    from shrinksearch.es import translate_errors

    with translate_errors():
        info = _manager().status()
    Console().print(_status_table(info))
    if info.migration_needed:
        Console().print(f"index_config/ has mapping v{info.config_version}: run `shrinksearch index migrate`.")


@index_app.command()
def migrate(
    keep_old: bool = typer.Option(False, "--keep-old", help="Keep the previous index (unaliased) instead of deleting it."),
) -> None:
    """Rebuild the index from the newest index_config/ and swap the alias with zero downtime."""
    from rich.console import Console
    from rich.progress import Progress

    from shrinksearch.es import translate_errors

    with translate_errors(), Progress(console=Console(stderr=True), transient=True) as bar:
        manager = _manager()
        task = bar.add_task("copying documents", total=manager.status().documents)
        result = manager.migrate(delete_old=not keep_old, progress=lambda n: bar.advance(task, n), skip=_forgotten())
    old = "kept" if keep_old else "deleted"
    Console().print(f"alias {result.alias} -> {result.new_index} ({result.documents} documents); {result.old_index} {old}")


def _forgotten() -> Callable[[str, dict[str, Any]], bool] | None:
    """What `shrinksearch forget` forgot: left out of the copy."""
    from shrinksearch.privacy.tombstones import forgotten_matcher
    from shrinksearch.settings import get_settings

    matcher = forgotten_matcher(get_settings())
    return matcher.matches_source if matcher is not None else None


def _status_table(info: IndexStatus) -> Table:
    from rich.table import Table

    table = Table(title=f"index behind '{info.alias}'", show_header=False)
    table.add_row("alias", info.alias)
    table.add_row("index", info.index)
    table.add_row("mapping version", str(info.mapping_version))
    table.add_row("health", info.health)
    table.add_row("documents", str(info.documents))
    for kind in ("post", "comment"):
        table.add_row(f"  {kind}s", str(info.by_kind.get(kind, 0)))
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(index_app, name="index")
