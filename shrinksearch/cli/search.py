"""`shrinksearch search | who | serve | eval`: thin commands over SearchService and the web app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from shrinksearch.cli.search_output import print_search, print_who, search_json, who_json
from shrinksearch.search.builder import MAX_PAGE_SIZE, Filters, Page
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings

DATE = ["%Y-%m-%d"]

Blog = Annotated[Optional[list[str]], typer.Option("--blog", help="Only this blog, by name as facets show it (repeatable).")]
Author = Annotated[Optional[list[str]], typer.Option("--author", help="Only this author key (repeatable).")]
Theme = Annotated[Optional[list[str]], typer.Option("--theme", help="Only documents tagged with this theme (repeatable).")]
Role = Annotated[Optional[str], typer.Option("--role", help="blogger or commenter.")]
Kind = Annotated[Optional[str], typer.Option("--kind", help="post or comment.")]
Since = Annotated[Optional[datetime], typer.Option("--since", formats=DATE, help="Published on or after (YYYY-MM-DD).")]
Until = Annotated[Optional[datetime], typer.Option("--until", formats=DATE, help="Published on or before (YYYY-MM-DD).")]
Limit = Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE_SIZE, help="How many results.")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of the readable listing.")]


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
) -> None:
    """Search posts and comments; concepts are expanded through the theme taxonomy."""
    for value, allowed, name in ((sort, ("relevance", "date"), "--sort"), (mode, ("lexical", "hybrid"), "--mode")):
        if value not in allowed:
            raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint=name)
    filters = _filters(blog, author, theme, role, kind, since, until)
    page_ = Page(size=limit, offset=(page - 1) * limit, sort=sort)  # type: ignore[arg-type]
    result = SearchService.from_settings().search(text, filters, page_, mode)
    if as_json:
        typer.echo(search_json(result))
    else:
        print_search(Console(), result)


def who(
    question: Annotated[str, typer.Argument(help="e.g. \"who discusses transference and vacations\".")],
    limit: Limit = 10,
    blog: Blog = None, author: Author = None, theme: Theme = None, role: Role = None, kind: Kind = None,
    since: Since = None, until: Until = None, as_json: AsJson = False,
) -> None:
    """The people (bloggers and commenters) who discuss the question, those covering every concept first, with evidence."""
    filters = _filters(blog, author, theme, role, kind, since, until)
    result = SearchService.from_settings().who(question, filters, limit)
    if as_json:
        typer.echo(who_json(result))
    else:
        print_who(Console(), result)


def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default: settings.web_host).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: settings.web_port).")] = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the search page."""
    import uvicorn

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
    from shrinksearch.eval.report import print_report, report_json
    from shrinksearch.eval.run import run_evaluation

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
