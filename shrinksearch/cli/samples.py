"""`shrinksearch samples serve | list`: the local sample blog network (tests and the offline demo)."""

from __future__ import annotations

from pathlib import Path

import typer

from shrinksearch.samples import expected_counts, load_network, serve
from shrinksearch.samples.network import BlogCounts, Network
from shrinksearch.samples.server import DEFAULT_CRAWL_DELAY
from shrinksearch.settings import get_settings

samples_app = typer.Typer(
    help="Serve sample psychiatry blogs on 127.0.0.1 as Blogger, WordPress and a static site serve them.",
    no_args_is_help=True,
)

BLOGS_OPTION = typer.Option(None, "--blogs", help="A directory of blog YAML files instead of the shipped ones.", file_okay=False)


def _blog_lines(network: Network, base: str = "") -> list[str]:
    counts = expected_counts(network).blogs
    return [_blog_line(base, slug, network.blogs[slug].name, c) for slug, c in counts.items()]


def _blog_line(base: str, slug: str, name: str, c: BlogCounts) -> str:
    where = f"{base}/{slug}/" if base else slug
    return f"  {where:<42} {c.platform:<10} {c.posts:>3} posts {c.comments:>4} comments  {name}"


@samples_app.command("serve")
def serve_cmd(
    port: int = typer.Option(None, "--port", "-p", min=0, max=65535, help="Port to listen on (default: SHRINKSEARCH_SAMPLES_PORT)."),
    host: list[str] = typer.Option(["127.0.0.1"], "--host", help="Interface to bind; repeat it to serve on several addresses (127.0.0.2, 127.0.0.3, …: distinct hosts)."),
    crawl_delay: float = typer.Option(DEFAULT_CRAWL_DELAY, "--crawl-delay", min=0, help="Crawl-delay announced in robots.txt, in seconds."),
    blogs: Path = BLOGS_OPTION,
) -> None:
    """Serve the network until Ctrl+C; prints the root URL and every blog."""
    network = load_network(blogs)

    def announce(base: str) -> None:
        typer.echo(f"Sample blog network at {base}/ (robots.txt Crawl-delay: {crawl_delay:g} s; Ctrl+C to stop)")
        if base.startswith(f"http://{host[0]}:"):  # every address serves every blog: list them once
            for line in _blog_lines(network, base):
                typer.echo(line)

    serve(port if port is not None else get_settings().samples_port, host, network, crawl_delay, on_ready=announce)


@samples_app.command("list")
def list_cmd(blogs: Path = BLOGS_OPTION) -> None:
    """List the sample blogs with their platform and what a full crawl must find."""
    network = load_network(blogs)
    totals = expected_counts(network)
    for line in _blog_lines(network):
        typer.echo(line)
    typer.echo(f"{len(network.blogs)} blogs, {totals.posts} posts, {totals.comments} comments")


def register(app: typer.Typer) -> None:
    """Add the `samples` command group to the main app."""
    app.add_typer(samples_app, name="samples")
