"""The `shrinksearch` command: a thin typer app over the core package.

Each sub-module registers its commands; they build the core object and delegate in a few
lines. Errors the user can fix (``ShrinksearchError``) become one line on stderr, without a
traceback, with the error's exit code (2 for usage errors) — through ``ErrorMappingGroup``,
so the CLI runner in the tests sees exactly what a user sees.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from shrinksearch.exceptions import ShrinksearchError


class ErrorMappingGroup(TyperGroup):
    """The one error map of the CLI: known errors become 'Error: <message>' on stderr and
    the error's exit code (typer vendors its own click, so this goes through typer.Exit)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ShrinksearchError as err:
            typer.echo(f"Error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None


app = typer.Typer(
    cls=ErrorMappingGroup,
    help="Search psychiatry blogs — posts and comment threads — by theme.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Registration comes after `app` exists; each module adds its own commands.
from . import crawl, demo, forget, index, node, pipeline, samples, search, worker  # noqa: E402

for _module in (node, index, samples, crawl, pipeline, search, forget, worker, demo):
    _module.register(app)


def main() -> None:
    """Console entry point."""
    app()
