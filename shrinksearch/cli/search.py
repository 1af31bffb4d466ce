"""`shrinksearch search | who | serve | eval`: thin commands over SearchService and the web app.

``--format csv|jsonl`` writes rows for spreadsheets, R and pandas (shrinksearch.export);
``search … --all`` streams every match, not one page. The service, the Elasticsearch client
and the output modules are imported when a command runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from shrinksearch.exceptions import ShrinksearchError, UsageError
from shrinksearch.search.builder import MAX_PAGE_SIZE, Filters, Page

if TYPE_CHECKING:
    from shrinksearch.search.service import SearchService

DATE = ["%Y-%m-%d"]
OUTPUT_FORMATS = ("text", "json", "csv", "jsonl")

Blog = Annotated[Optional[list[str]], typer.Option("--blog", help="Only this blog, by name as facets show it (repeatable).")]
Author = Annotated[Optional[list[str]], typer.Option("--author", help="Only this author key (repeatable).")]
Theme = Annotated[Optional[list[str]], typer.Option("--theme", help="Only documents tagged with this theme (repeatable).")]
Role = Annotated[Optional[str], typer.Option("--role", help="blogger or commenter.")]
Kind = Annotated[Optional[str], typer.Option("--kind", help="post or comment.")]
Since = Annotated[Optional[datetime], typer.Option("--since", formats=DATE, help="Published on or after (YYYY-MM-DD).")]
Until = Annotated[Optional[datetime], typer.Option("--until", formats=DATE, help="Published on or before (YYYY-MM-DD).")]
Limit = Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE_SIZE, help="How many results.")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of the readable listing (= --format json).")]
Format = Annotated[str, typer.Option("--format", help="text, json, or csv / jsonl: one row per result, for spreadsheets, R, pandas.")]
Excel = Annotated[bool, typer.Option("--excel", help="CSV with a byte order mark, so Excel reads it as UTF-8.")]


def _filters(blog: list[str] | None, author: list[str] | None, theme: list[str] | None, role: str | None,
             kind: str | None, since: datetime | None, until: datetime | None) -> Filters:
    for value, allowed, name in ((role, ("blogger", "commenter"), "--role"), (kind, ("post", "comment"), "--kind")):
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint=name)
    return Filters(tuple(blog or ()), tuple(author or ()), tuple(theme or ()), role, kind,  # type: ignore[arg-type]
                   since.date() if since else None, until.date() if until else None)


def search(
    text: Annotated[str, typer.Argument(help="Words, \"phrases\", +required, -excluded; or a question.")],
    limit: Limit = 10,
    page: Annotated[int, typer.Option("--page", min=1, help="Page of results (1-based).")] = 1,
    sort: Annotated[str, typer.Option("--sort", help="relevance or date.")] = "relevance",
    mode: Annotated[str, typer.Option("--mode", help="lexical, or hybrid (BM25 fused with kNN on embeddings).")] = "lexical",
    blog: Blog = None, author: Author = None, theme: Theme = None, role: Role = None, kind: Kind = None,
    since: Since = None, until: Until = None, as_json: AsJson = False,
    fmt: Format = "text",
    every: Annotated[bool, typer.Option("--all", help="Every match, streamed (with --format csv or jsonl), not one page.")] = False,
    excel: Excel = False,
) -> None:
    """Search posts and comments; concepts are expanded through the theme taxonomy."""
    for value, allowed, name in ((sort, ("relevance", "date"), "--sort"), (mode, ("lexical", "hybrid"), "--mode")):
        if value not in allowed:
            raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint=name)
    fmt = _output_format(fmt, as_json, excel)
    filters = _filters(blog, author, theme, role, kind, since, until)
    page_ = Page(size=limit, offset=(page - 1) * limit, sort=sort)  # type: ignore[arg-type]
    if fmt in ("csv", "jsonl"):
        if mode != "lexical":
            raise UsageError("exports rank lexically: drop --mode hybrid")
        return _export_search(text, filters, page_, fmt, every, excel)
    if every:
        raise UsageError("--all streams every match as rows: add --format csv or --format jsonl")
    result = _service().search(text, filters, page_, mode)
    if fmt == "json":
        from shrinksearch.cli.search_output import search_json

        typer.echo(search_json(result))
    else:
        from rich.console import Console

        from shrinksearch.cli.search_output import print_search

        print_search(Console(), result)


def who(
    question: Annotated[str, typer.Argument(help="e.g. \"who discusses transference and vacations\".")],
    limit: Limit = 10,
    blog: Blog = None, author: Author = None, theme: Theme = None, role: Role = None, kind: Kind = None,
    since: Since = None, until: Until = None, as_json: AsJson = False,
    fmt: Format = "text", excel: Excel = False,
) -> None:
    """The people (bloggers and commenters) who discuss the question, those covering every concept first, with evidence.

    With --format csv or jsonl: one row per person and evidence document."""
    fmt = _output_format(fmt, as_json, excel)
    filters = _filters(blog, author, theme, role, kind, since, until)
    result = _service().who(question, filters, limit)
    if fmt in ("csv", "jsonl"):
        from shrinksearch.export import PERSON_COLUMNS, encode, people_rows

        _write(encode(fmt, PERSON_COLUMNS, people_rows(result), excel))
    elif fmt == "json":
        from shrinksearch.cli.search_output import who_json

        typer.echo(who_json(result))
    else:
        from rich.console import Console

        from shrinksearch.cli.search_output import print_who

        print_who(Console(), result)


def _service() -> SearchService:
    """The service from settings, its client imported the lean way (shrinksearch/es/lean.py)."""
    from shrinksearch.es.lean import import_client

    import_client()
    from shrinksearch.search.service import SearchService

    return SearchService.from_settings()


def _output_format(fmt: str, as_json: bool, excel: bool) -> str:
    if fmt not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(OUTPUT_FORMATS)}", param_hint="--format")
    if as_json and fmt not in ("text", "json"):
        raise UsageError("--json is --format json: give one of them")
    fmt = "json" if as_json else fmt
    if excel and fmt != "csv":
        raise UsageError("--excel goes with --format csv")
    return fmt


def _export_search(text: str, filters: Filters, page: Page, fmt: str, every: bool, excel: bool) -> None:
    """Rows of the hits in ranking order: the page asked for, or with ``every`` all of them."""
    service = _service()
    from shrinksearch.export import DOCUMENT_COLUMNS, document_rows, encode, search_hits, started

    limit, offset = (None, 0) if every else (page.size, page.offset)
    with closing(search_hits(service, text, filters, page.sort, limit, offset)) as hits:
        rows = document_rows(started(hits), first_rank=offset + 1)
        _write(encode(fmt, DOCUMENT_COLUMNS, rows, excel))


def _write(chunks: Iterable[str]) -> None:
    """Text chunks to stdout as UTF-8 bytes, whatever the terminal's encoding. A reader that
    stops early (`| head`) ends the command quietly, as click does; a disk that fills up is
    the usual one-line error."""
    try:
        for chunk in chunks:
            typer.echo(chunk.encode("utf-8"), nl=False)
    except BrokenPipeError:
        raise
    except OSError as err:
        raise ShrinksearchError(f"could not write the export: {err.strerror or err}") from None


def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default: settings.web_host).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: settings.web_port).")] = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the search page."""
    import uvicorn
    from rich.console import Console

    from shrinksearch.settings import get_settings
    from shrinksearch.web import create_app

    settings = get_settings()
    host, port = host or settings.web_host, port or settings.web_port
    Console(stderr=True).print(f"shrinksearch on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def evaluate(
    judgments: Annotated[Optional[Path], typer.Option(help="Judged question set (default: index_config/judgments.yaml); with --manifest, a questions file judged by record id (JSON Lines, JSON or YAML).")] = None,
    manifest: Annotated[Optional[Path], typer.Option(help="JSON mapping the record ids of --judgments to URLs of indexed pages.")] = None,
    samples: Annotated[bool, typer.Option("--samples", help="Evaluate on a fresh temporary index of the sample network instead of the alias.")] = False,
    per_query: Annotated[bool, typer.Option("--per-query/--summary", help="Show every question, or only the per-class summary.")] = True,
    as_json: AsJson = False,
) -> None:
    """nDCG@10, recall@10, MRR, empty answers and who top-3 per question class, next to a
    plain multi_match baseline; exits 1 when below the baseline on any class."""
    from rich.console import Console

    from shrinksearch.eval.report import print_report, report_json
    from shrinksearch.eval.run import run_evaluation
    from shrinksearch.settings import get_settings

    report = run_evaluation(get_settings(), judgments, fresh_samples=samples, manifest_path=manifest)
    if as_json:
        typer.echo(report_json(report))
    else:
        print_report(Console(), report, per_query)
    if report.failures():
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command()(search)
    app.command()(who)
    app.command()(serve)
    app.command("eval")(evaluate)
