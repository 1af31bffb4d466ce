"""`shrinksearch demo`: the main job on the bundled sample data, end to end.

Starts (or reuses) the embedded Elasticsearch node, serves the sample blog network on
127.0.0.1, runs the real crawl-and-index Prefect flow over it, and answers a sample question
from the index.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from shrinksearch.settings import get_settings

console = Console()
DEFAULT_QUESTION = "who discusses transference and vacations"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    question: Annotated[str, typer.Argument(help="The question to answer at the end.")] = DEFAULT_QUESTION,
    limit: Annotated[int, typer.Option("--limit", min=1, max=50, help="How many people to show.")] = 5,
) -> None:
    """Node → sample network → crawl → clean → enrich → index → answer a question."""
    from shrinksearch.node import NodeManager
    from shrinksearch.samples.server import running_server

    settings = get_settings()
    console.rule("1. Elasticsearch")
    url = NodeManager(settings).ensure_running()
    os.environ["SHRINKSEARCH_ES_URL"] = url
    get_settings.cache_clear()
    console.print(f"node ready at {url}")

    console.rule("2. Sample blog network")
    with running_server(port=settings.samples_port, crawl_delay=0.0) as base_url:
        console.print(f"serving the sample blogs at {base_url}/")
        console.rule("3. Pipeline flow: crawl → clean → enrich → index")
        result = _run_pipeline()
    console.print(
        f"crawled {result['posts']} posts and {result['comments']} comments; indexed {result['indexed']} "
        f"documents ({result['rejected']} set aside, see {result['run_dir']}/rejects.jsonl)"
    )
    console.rule(f"4. {question}")
    _answer(question, limit)
    console.print("\nThe node keeps running: try `shrinksearch who \"...\"`, `shrinksearch serve`; stop it with `shrinksearch node stop`.")


def _run_pipeline() -> dict:
    from flows.pipeline import crawl_and_index  # imported here: Prefect is slow to import

    return crawl_and_index(group="samples", incremental=False, fast=True)


def _answer(question: str, limit: int) -> None:
    from shrinksearch.cli.search_output import print_who
    from shrinksearch.search.service import SearchService

    print_who(console, SearchService.from_settings().who(question, limit=limit))
