"""`shrinksearch forget`: remove a person, a blog, a post or a comment from the index and the
data directory, and keep it out of every later crawl (``shrinksearch.privacy.forget``).

The privacy layer and rich are imported when the command runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from shrinksearch.exceptions import UsageError

Author = Annotated[Optional[str], typer.Option("--author", help="A person's name as shown, or their author key; with --blog only there.")]
Blog = Annotated[Optional[str], typer.Option("--blog", help="A blog: its URL, its sources.yaml name or its name as indexed.")]
Url = Annotated[Optional[str], typer.Option("--url", help="A post (with its comments) or one comment (#c<id>, #comment-<id>).")]


def forget(
    author: Author = None, blog: Blog = None, url: Url = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would go; change nothing.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="Show the tombstones (id, date, kind, counts).")] = False,
    undo: Annotated[Optional[str], typer.Option("--undo", metavar="ID", help="Lift a tombstone: a re-crawl brings it back.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Forget an author, a blog, or a post or comment: out of every index version and every
    file under the data directory, and kept out of later crawls by a tombstone (salted hashes,
    never the name). What others wrote about a person stays."""
    selectors = author or blog or url
    if sum((bool(selectors), list_, undo is not None)) != 1:
        raise UsageError("give what to forget (--author, --blog, --url), or --list, or --undo ID")
    if list_:
        _list(as_json)
    elif undo is not None:
        _undo(undo, as_json)
    else:
        _forget(author, blog, url, dry_run, as_json)


def _forget(author: str | None, blog: str | None, url: str | None, dry_run: bool, as_json: bool) -> None:
    from rich.console import Console

    from shrinksearch.privacy.forget import forget as run_forget

    result = run_forget(author=author, blog=blog, url=url, dry_run=dry_run, command="shrinksearch forget")
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    t, versions = result.tombstone, len(result.index.per_index)
    what = f"{result.index.documents} documents (in {versions} index versions), {result.data.records} records " \
           f"and {result.data.files} files under the data directory"
    if dry_run:
        Console().print(f"[bold]dry run[/]: forgetting this {t.kind} would remove {what}; nothing was changed.")
        return
    again = " (forgotten before: same tombstone)" if result.reused else ""
    Console().print(f"forgot this {t.kind}: removed {what}. Tombstone [bold]{t.id}[/]{again} keeps it out of later "
                    f"crawls; `shrinksearch forget --undo {t.id}` lifts it.")


def _list(as_json: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from shrinksearch.privacy.forget import list_tombstones

    tombstones = list_tombstones()
    if as_json:
        typer.echo(json.dumps([t.model_dump(mode="json", include={"id", "created", "kind", "documents", "records", "files", "command"})
                               for t in tombstones]))
        return
    table = Table(title=f"{len(tombstones)} tombstones")
    for column in ("id", "date (UTC)", "kind", "documents", "records", "files"):
        table.add_column(column, justify="right" if column in ("documents", "records", "files") else "left")
    for t in tombstones:
        kind = f"{t.kind} on {len(t.blogs)} blog(s)" if t.kind == "author" and t.blogs else t.kind
        table.add_row(t.id, t.created.strftime("%Y-%m-%d %H:%M"), kind, str(t.documents), str(t.records), str(t.files))
    Console().print(table)


def _undo(tombstone_id: str, as_json: bool) -> None:
    from rich.console import Console

    from shrinksearch.privacy.forget import undo

    lifted = undo(tombstone_id)
    if as_json:
        typer.echo(json.dumps({"lifted": lifted.id, "kind": lifted.kind}))
    else:
        Console().print(f"lifted tombstone {lifted.id} ({lifted.kind}): the next crawl brings it back.")


def register(app: typer.Typer) -> None:
    """Add this module's command to the main app."""
    app.command("forget")(forget)
