"""`shrinksearch samples serve | list | mirror`: the local sample blog network (tests and the offline
demo), and the same blogs saved as `wget --mirror` saves sites.

The network and its server are imported when a command runs: `shrinksearch --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from shrinksearch.samples.network import BlogCounts, Network

samples_app = typer.Typer(
    help="Serve sample psychiatry blogs on 127.0.0.1 as Blogger, WordPress and a static site serve them.",
    no_args_is_help=True,
)

BLOGS_OPTION = typer.Option(None, "--blogs", help="A directory of blog YAML files instead of the shipped ones.", file_okay=False)


def _blog_lines(network: Network, base: str = "") -> list[str]:
    from shrinksearch.samples import expected_counts

    counts = expected_counts(network).blogs
    return [_blog_line(base, slug, network.blogs[slug].name, c) for slug, c in counts.items()]


def _blog_line(base: str, slug: str, name: str, c: BlogCounts) -> str:
    where = f"{base}/{slug}/" if base else slug
    return f"  {where:<42} {c.platform:<10} {c.posts:>3} posts {c.comments:>4} comments  {name}"


@samples_app.command("serve")
def serve_cmd(
    port: int = typer.Option(None, "--port", "-p", min=0, max=65535, help="Port to listen on (default: SHRINKSEARCH_SAMPLES_PORT)."),
    host: list[str] = typer.Option(["127.0.0.1"], "--host", help="Interface to bind; repeat it to serve on several addresses (127.0.0.2, 127.0.0.3, …: distinct hosts)."),
    crawl_delay: Optional[float] = typer.Option(None, "--crawl-delay", min=0, help="Crawl-delay announced in robots.txt, in seconds (default: 1)."),
    blogs: Path = BLOGS_OPTION,
    mirror: Path = typer.Option(None, "--mirror", file_okay=False, exists=True,
                                help="Serve this saved copy (written by `samples mirror`, or any wget mirror) with a plain static file server instead."),
) -> None:
    """Serve the network (or, with --mirror, a saved copy) until Ctrl+C; prints the root URL and every blog."""
    from shrinksearch.samples import load_network, serve
    from shrinksearch.samples.server import DEFAULT_CRAWL_DELAY
    from shrinksearch.settings import get_settings

    if mirror is not None:
        _serve_mirror(mirror, port if port is not None else get_settings().samples_port, host)
        return
    network = load_network(blogs)
    delay = DEFAULT_CRAWL_DELAY if crawl_delay is None else crawl_delay

    def announce(base: str) -> None:
        typer.echo(f"Sample blog network at {base}/ (robots.txt Crawl-delay: {delay:g} s; Ctrl+C to stop)")
        if base.startswith(f"http://{host[0]}:"):  # every address serves every blog: list them once
            for line in _blog_lines(network, base):
                typer.echo(line)

    serve(port if port is not None else get_settings().samples_port, host, network, delay, on_ready=announce)


@samples_app.command("list")
def list_cmd(blogs: Path = BLOGS_OPTION) -> None:
    """List the sample blogs with their platform and what a full crawl must find."""
    from shrinksearch.samples import expected_counts, load_network

    network = load_network(blogs)
    totals = expected_counts(network)
    for line in _blog_lines(network):
        typer.echo(line)
    typer.echo(f"{len(network.blogs)} blogs, {totals.posts} posts, {totals.comments} comments")


def _serve_mirror(root: Path, port: int, host: list[str]) -> None:
    from shrinksearch.samples.mirror import mirror_app
    from shrinksearch.samples.server import serve_app

    def announce(base: str) -> None:
        typer.echo(f"Saved copy {root} at {base}/ (a plain static file server; Ctrl+C to stop)")
        for blog in sorted(p.name for p in root.iterdir() if (p / "index.html").is_file()):
            typer.echo(f"  {base}/{blog}/")

    serve_app(mirror_app(root), port, host, on_ready=announce)


@samples_app.command("mirror")
def mirror_cmd(
    out: Path = typer.Option(..., "--out", file_okay=False, help="Directory to write the copy into (new or empty)."),
    blogs: Path = BLOGS_OPTION,
) -> None:
    """Save the network as `wget --mirror --convert-links --adjust-extension` saves sites:
    query strings in file names, .html suffixes, converted links, feeds no page links left out."""
    from shrinksearch.samples import load_network
    from shrinksearch.samples.wget_mirror import export_mirror
    from shrinksearch.samples.wget_truth import held

    network = load_network(blogs)
    copy = export_mirror(out, network)
    for slug, saved in copy.blogs.items():
        blog = network.blog(slug)
        holds = held(saved, blog, copy.root)
        comments = sum(1 for p in blog.posts for _ in p.walk())
        typer.echo(f"  {slug:<22} {len(saved.fetched):>4} files  posts {len(holds.posts)}/{len(blog.posts)} "
                   f"(pages {len(holds.pages())})  comments {len(holds.comments)}/{comments}")
    typer.echo(f"Saved {len(copy.blogs)} blogs into {out}; serve it with: shrinksearch samples serve --mirror {out}")


def register(app: typer.Typer) -> None:
    """Add the `samples` command group to the main app."""
    app.add_typer(samples_app, name="samples")
