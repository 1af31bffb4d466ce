"""`shrinksearch demo`: the main job on the bundled sample data, end to end.

Starts (or reuses) the embedded Elasticsearch node and a local Prefect server, serves the
sample blog network on 127.0.0.1, runs the real crawl-and-index Prefect flow over it (visible
in the Prefect UI), and answers a sample question from the index.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_QUESTION = "who discusses transference and vacations"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    question: Annotated[str, typer.Argument(help="The question to answer at the end.")] = DEFAULT_QUESTION,
    limit: Annotated[int, typer.Option("--limit", min=1, max=50, help="How many people to show.")] = 5,
) -> None:
    """Node → sample network → crawl → clean → enrich → index → answer a question."""
    from rich.console import Console

    from shrinksearch.node import NodeManager
    from shrinksearch.prefect_server import PrefectServer
    from shrinksearch.samples.server import running_server
    from shrinksearch.settings import get_settings

    console = Console()
    settings = get_settings()
    console.rule("1. Elasticsearch")
    url = NodeManager(settings).ensure_running()
    os.environ["SHRINKSEARCH_ES_URL"] = url
    get_settings.cache_clear()
    console.print(f"node ready at {url}")

    console.rule("2. Prefect server")
    prefect = PrefectServer(settings)
    prefect.start()
    os.environ["PREFECT_API_URL"] = prefect.api_url
    console.print(f"Prefect UI at {prefect.ui_url} (the run below shows there with its artifact)")

    console.rule("3. Sample blog network")
    with running_server(port=settings.samples_port, crawl_delay=0.0) as base_url:
        console.print(f"serving the sample blogs at {base_url}/")
        console.rule("4. Pipeline flow: crawl → clean → enrich → index")
        result = _run_pipeline()
    console.print(
        f"crawled {result['posts']} posts and {result['comments']} comments; indexed {result['indexed']} "
        f"documents ({result['rejected']} set aside, see {result['run_dir']}/rejects.jsonl)"
    )
    console.rule(f"5. {question}")
    _answer(console, question, limit)
    console.print(
        "\nElasticsearch and Prefect keep running: try `shrinksearch who \"...\"` or `shrinksearch serve`; "
        "stop them with `shrinksearch node stop` and `shrinksearch prefect down`."
    )


def _run_pipeline() -> dict:
    from flows.pipeline import crawl_and_index  # imported here: Prefect is slow to import

    return crawl_and_index(group="samples", incremental=False, fast=True)


def _answer(console: Console, question: str, limit: int) -> None:
    from shrinksearch.cli.search_output import print_who
    from shrinksearch.search.service import SearchService

    print_who(console, SearchService.from_settings().who(question, limit=limit))
