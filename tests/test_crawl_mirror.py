"""The sample network's wget-mirror mode: the copy as wget saves it, and crawls of that copy.

``shrinksearch.samples.wget_mirror.export_mirror`` saves the network the way
``wget --mirror --convert-links --adjust-extension`` saves sites (checked byte for byte
against GNU Wget 1.21.3 when it was written); ``shrinksearch.samples.mirror`` serves the copy
as a plain static file server on 127.0.0.1. A crawl of each blog's copy (the real spider,
``run_crawl``, in its own process) must find every post and comment the copy holds — what
``wget_truth.mirror_truth`` reads back from the saved files, not what the network has — checked field
by field by ``shrinksearch.samples.groundtruth.check``; where the copy holds every post
page, that is the whole blog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawlers.runner import run_crawl
from shrinksearch.exceptions import UsageError
from shrinksearch.samples.groundtruth import check
from shrinksearch.samples.mirror import running_mirror
from shrinksearch.samples.network import Network, load_network
from shrinksearch.samples.wget_mirror import (
    ORIGIN,
    SavedCopy,
    WgetRun,
    export_mirror,
    local_name,
    quote_local,
    relative_link,
)
from shrinksearch.samples.wget_truth import held, mirror_truth
from shrinksearch.settings import Settings

NETWORK = load_network()
BLOGS = sorted(NETWORK.blogs)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> SavedCopy:
    return export_mirror(tmp_path_factory.mktemp("wget") / "copy", NETWORK)


@pytest.fixture(scope="module")
def base(copy: SavedCopy) -> Any:
    with running_mirror(copy.root) as url:
        yield url


def saved_names(copy: SavedCopy, slug: str) -> set[str]:
    return {str(p.relative_to(copy.root / slug)) for p in (copy.root / slug).rglob("*") if p.is_file()}


def text(copy: SavedCopy, name: str) -> str:
    return (copy.root / name).read_text(encoding="utf-8")


# --- file names and links, as wget writes them ------------------------------------------


@pytest.mark.parametrize(("url", "media_type", "naming", "name"), [
    ("https://h/b/feeds/posts/default?alt=rss", "application/rss+xml", "unix", "b/feeds/posts/default?alt=rss"),
    ("https://h/b/feeds/posts/default?alt=rss", "application/rss+xml", "percent", "b/feeds/posts/default%3Falt=rss"),
    ("https://h/b/feeds/posts/default?alt=rss", "application/rss+xml", "windows", "b/feeds/posts/default@alt=rss"),
    ("https://h/b/feeds/posts/default?alt=rss", "application/rss+xml", "dash", "b/feeds/posts/default-alt=rss.rss"),
    ("https://h/b/search?updated-max=2006-08-06T09:00:00%2B02:00&max-results=5", "text/html", "dash",
     "b/search-updated-max=2006-08-06T09_00_00+02_00&max-results=5.html"),
    ("https://h/b/search?updated-max=2008-02-06T11:20:00-05:00&max-results=7", "text/html; charset=UTF-8", "unix",
     "b/search?updated-max=2008-02-06T11:20:00-05:00&max-results=7.html"),
    ("https://h/b/search?updated-max=2008-02-06T11:20:00-05:00", "text/html", "windows",
     "b/search@updated-max=2008-02-06T11%3A20%3A00-05%3A00.html"),
    ("https://h/b/search/label/bipolar%20disorder", "text/html", "unix", "b/search/label/bipolar disorder.html"),
    ("https://h/b/2010/02/14/a-post/", "text/html", "unix", "b/2010/02/14/a-post/index.html"),
    ("https://h/b/2010/02/14/a-post/feed/", "application/rss+xml", "unix", "b/2010/02/14/a-post/feed/index.html"),
    ("https://h/b/x.html?showComment=1204578000000", "text/html", "unix", "b/x.html?showComment=1204578000000.html"),
    ("https://h/b/style.css?ver=2.2", "text/css", "unix", "b/style.css?ver=2.2.css"),
    ("https://h/b/p?dir=/a", "text/plain", "unix", "b/p?dir=%2Fa"),
])
def test_file_names_follow_wget(url: str, media_type: str, naming: Any, name: str) -> None:
    assert local_name(url, media_type, naming) == name


def test_converted_links_are_relative_with_the_query_mark_escaped() -> None:
    assert relative_link("b/2008/03/a.html", "b/2008/03/a.html?showComment=1.html") == "a.html?showComment=1.html"
    assert relative_link("b/2008/03/a.html", "b/index.html") == "../../index.html"  # repo-bounds: a link, not a path
    assert relative_link("b/index.html", "b/search?updated-max=2008-02-06T11:20:00.html") == \
        "./search?updated-max=2008-02-06T11:20:00.html"  # else "search?updated-max=2008…" would read as a scheme
    assert quote_local("a.html?showComment=1.html") == "a.html%3FshowComment=1.html"
    assert quote_local("default%3Falt=rss") == "default%253Falt=rss"
    assert quote_local("label/side effects.html") == "label/side&#32;effects.html"


# --- the copy ----------------------------------------------------------------------------


def test_the_copy_holds_query_strings_in_file_names_in_every_variant(copy: SavedCopy) -> None:
    threaded, classic = saved_names(copy, "shrink-notes"), saved_names(copy, "couch-side")
    wordpress, windows = saved_names(copy, "the-med-check"), saved_names(copy, "forensic-frontiers")
    assert {"feeds/posts/default", "feeds/posts/default?alt=rss"} <= threaded
    assert any(n.startswith("search?updated-max=") and n.endswith("&max-results=7.html") for n in threaded)
    assert any(n.startswith("2008/03/you-may-leave-now.html?showComment=") for n in threaded)
    assert "feeds/posts/default-alt=rss.rss" in classic
    assert any("-showComment=" in n for n in classic) and not any(n.startswith("search") for n in classic)
    assert {"index.html%3Fp=501.html", "feed/index.html", "wp-content/themes/twentytwentyone/style.css%3Fver=2.2.css"} <= wordpress
    assert {"xmlrpc.php@rsd", "wp-content/themes/twentytwentyone/style.css@ver=2.2.css"} <= windows


def test_links_to_saved_files_are_relative_and_the_rest_name_the_original(copy: SavedCopy) -> None:
    post = text(copy, "shrink-notes/2008/03/you-may-leave-now.html")
    assert 'href="you-may-leave-now.html%3FshowComment=' in post and "#c9001" in post
    assert "href='../../2007/index.html'" in post and "href='../../feeds/3001/comments/default'" in post
    assert "href='../../search/label/therapeutic&#32;relationship.html'" in post
    assert f"href='{ORIGIN}/shrink-notes/calendar/?month=2008-01'" in post  # rejected: never saved
    classic = text(copy, "couch-side/index.html")
    assert f"href='{ORIGIN}/couch-side/search/label/boundaries'" in classic  # --reject-regex /search
    assert 'href="feeds/posts/default-alt=rss.rss"' in classic
    home = text(copy, "the-med-check/index.html")
    assert 'index.html%253Fp=' in home  # a %3F in a saved name is written %253F in a link
    # feeds are never converted: they name the original host
    assert f'href="{ORIGIN}/shrink-notes/2008/03/you-may-leave-now.html"' in text(copy, "shrink-notes/feeds/posts/default")


def test_feeds_no_page_links_are_missing(copy: SavedCopy) -> None:
    threaded = saved_names(copy, "shrink-notes")
    assert "feeds/comments/default" not in threaded  # the blog-wide comment feed
    assert not [n for n in threaded if "alt=json" in n or "start-index" in n or n.startswith("sitemap")]
    wordpress = saved_names(copy, "the-med-check")
    assert "wp-json/wp/v2/posts/501" in wordpress  # each post page links its REST object …
    collections = ("wp-json/wp/v2/comments", "wp-json/wp/v2/posts?", "wp-json/wp/v2/posts%3F")
    assert not [n for n in wordpress if n.startswith(collections) or "sitemap" in n]  # … never a collection
    windows = saved_names(copy, "forensic-frontiers")  # --level=1
    assert not [n for n in windows if n.endswith("/feed/index.html") and n.count("/") > 2]  # no post's comment feed
    blog = NETWORK.blog("forensic-frontiers")
    holds = held(copy.blogs["forensic-frontiers"], blog, copy.root)
    assert len(holds.pages()) == len(holds.posts) == 10 < len(blog.posts)


@pytest.mark.parametrize("slug", [s for s in BLOGS if s != "forensic-frontiers"])
def test_where_every_page_was_saved_the_copy_holds_the_whole_blog(copy: SavedCopy, slug: str) -> None:
    blog = NETWORK.blog(slug)
    holds = held(copy.blogs[slug], blog, copy.root)
    assert holds.pages() == {p.id for p in blog.posts}
    assert set(holds.comments) == {c.id for p in blog.posts for c, _ in p.walk()}


def test_the_copy_is_the_same_every_time(tmp_path: Path) -> None:
    small = Network([NETWORK.blog("the-med-check")])
    first = export_mirror(tmp_path / "first", small, {"the-med-check": WgetRun(naming="percent")})
    second = export_mirror(tmp_path / "second", small, {"the-med-check": WgetRun(naming="percent")})
    files = sorted(p.relative_to(first.root) for p in first.root.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.root) for p in second.root.rglob("*") if p.is_file())
    assert all((first.root / f).read_bytes() == (second.root / f).read_bytes() for f in files)


def test_the_copy_goes_only_into_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="not empty"):
        export_mirror(tmp_path, Network([NETWORK.blog("therapy-room")]))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_static_server_answers_every_naming_variant(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        for path, kind in [("/shrink-notes/feeds/posts/default%3Falt=rss", "application/rss+xml"),
                           ("/shrink-notes/feeds/posts/default?alt=rss", "application/rss+xml"),
                           ("/couch-side/feeds/posts/default?alt=rss", "application/rss+xml"),
                           ("/the-med-check/index.html%253Fp=501.html", "text/html"),
                           ("/the-med-check/?p=501", "text/html"),
                           ("/forensic-frontiers/xmlrpc.php?rsd", "application/xml"),
                           ("/shrink-notes/", "text/html")]:
            response = client.get(path)
            served = response.headers["content-type"].split(";")[0]
            # ".rss" is application/rss+xml or application/x-rss+xml, as the machine's mime.types says
            assert (response.status_code, served.replace("/x-", "/")) == (200, kind), path
        assert client.get("/shrink-notes/feeds/comments/default").status_code == 404  # never saved


def test_samples_mirror_writes_the_copy_and_says_what_it_holds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shrinksearch.cli import app

    blogs = tmp_path / "blogs"
    blogs.mkdir()
    (blogs / "therapy-room.yaml").write_text(
        (Path(__file__).parents[1] / "shrinksearch/samples/blogs/therapy-room.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["samples", "mirror", "--out", str(tmp_path / "copy"), "--blogs", str(blogs)])
    assert result.exit_code == 0, result.output
    assert "therapy-room" in result.output and "posts 10/10" in result.output
    assert (tmp_path / "copy/therapy-room/index.html").is_file()
    again = CliRunner().invoke(app, ["samples", "mirror", "--out", str(tmp_path / "copy"), "--blogs", str(blogs)])
    assert again.exit_code == 2 and "not empty" in again.output


# --- crawls of the copy ------------------------------------------------------------------


def crawl_copy(base: str, slug: str, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path / "out.jsonl"
    summary = run_crawl(url=f"{base}/{slug}/", fast=True, resume=False, out=out,
                        settings=Settings(data_dir=tmp_path / "data"))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return summary, records


@pytest.mark.parametrize("slug", BLOGS)
def test_a_crawl_of_the_copy_gets_everything_it_holds(copy: SavedCopy, base: str, slug: str, tmp_path: Path) -> None:
    blog = NETWORK.blog(slug)
    truth = mirror_truth(copy.blogs[slug], blog, copy.root)
    if held(copy.blogs[slug], blog, copy.root).pages() == {p.id for p in blog.posts}:  # then: the whole blog
        assert (len(truth["posts"]), len(truth["comments"])) == (len(blog.posts), sum(p.comment_count() for p in blog.posts))
    summary, records = crawl_copy(base, slug, tmp_path)
    assert summary.finished, f"{slug}: {summary.finish_reason}; log {summary.log}"
    verdict = check(records, truth, base)
    foreign = sorted({r[name] for r in records for name in ("url", "post_url")
                      if r.get(name) and not str(r[name]).startswith(f"{base}/{slug}/")})
    problems = verdict.problems + [f"URL outside the served copy: {url}" for url in foreign[:5]]
    assert not problems, f"{slug} ({summary.completeness.line()}):\n" + "\n".join(problems)
    assert summary.completeness.problem is None
    assert (verdict.matched["post"], verdict.matched["comment"]) == (len(truth["posts"]), len(truth["comments"]))
