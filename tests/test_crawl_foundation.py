"""The crawl foundation every spider stands on: merging descriptions of one record, judging
completeness, the static server for saved copies, dates and names as pages show them,
robots.txt per RFC 9309, and what ``shrinksearch crawl --json`` says about an empty crawl.

Pure functions are tested with tables; the robots.txt and CLI cases are real crawls of
servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from typer.testing import CliRunner

from crawlers.completeness import assess, describe_tried, tried_from_request_log
from crawlers.markup.dates import shown_date
from crawlers.markup.names import author_fields
from crawlers.merge import merge_records
from crawlers.runner import run_crawl
from shrinksearch.cli import app
from shrinksearch.samples.mirror import candidate_names, find_file, media_type, running_mirror, sidecar_headers
from shrinksearch.samples.network import expected_counts, load_network
from shrinksearch.samples.server import create_app, running_app
from shrinksearch.settings import Settings, get_settings

ROOT = "http://127.0.0.1:8000/blog/"


def post(url: str, **fields: Any) -> dict[str, Any]:
    return {"type": "post", "url": url, "blog_url": ROOT, "title": "A post", **fields}


def comment(post_url: str, comment_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "comment", "post_url": post_url, "id": comment_id, "blog_url": ROOT, **fields}


# --- merge_records ------------------------------------------------------------------------


def test_feed_page_and_api_descriptions_of_one_post_fold_into_one() -> None:
    feed = post("https://blog.blogspot.com/2010/07/a.html", platform_id="42", published="2010-07-25T11:24:00Z",
                published_basis="instant", author="Anonymous", html="<p>Short</p>", comment_count=3)
    page = post(ROOT + "2010/07/a.html", platform_id="42", published="2010-07-25T06:24:00Z", published_basis="local",
                author="Dr. Example", html="<p>Short, and the whole post after it.</p>", labels=["b", "a"])
    api = post(ROOT + "2010/07/a.html?m=1", platform_id="42", labels=["c"], comment_count=5)
    merged, folded = merge_records([feed, page, api], blog_url=ROOT)
    assert folded == 2 and len(merged) == 1
    one = merged[0]
    assert one["url"] == ROOT + "2010/07/a.html"  # the URL under the crawl's root
    assert (one["published"], one["published_basis"]) == ("2010-07-25T11:24:00Z", "instant")  # the better basis
    assert one["author"] == "Dr. Example"  # a name beats "Anonymous"
    assert one["html"] == "<p>Short, and the whole post after it.</p>"  # the full text beats a summary
    assert (one["labels"], one["comment_count"]) == (["a", "b", "c"], 5)


def test_identity_is_the_platform_id_else_the_canonical_url() -> None:
    same_url = [post(ROOT + "a.html?utm_source=x#comments"), post(ROOT + "a.html")]
    assert len(merge_records(same_url)[0]) == 1  # no id: the canonical URL decides
    moved = [post(ROOT + "old-slug.html", platform_id="7"), post(ROOT + "new-slug.html", platform_id="7")]
    assert len(merge_records(moved)[0]) == 1  # one id, two URLs
    other_blog = post("http://127.0.0.1:8000/other/a.html", platform_id="7", blog_url="http://127.0.0.1:8000/other/")
    assert len(merge_records([moved[0], other_blog])[0]) == 2  # ids are per blog
    directory = [post(ROOT + "2011/06/30/a/"), post(ROOT + "2011/06/30/a/index.html")]
    assert len(merge_records(directory)[0]) == 1  # a saved copy links dir/ as dir/index.html


def test_two_posts_sharing_a_slug_in_different_months_stay_two() -> None:
    records = [post(ROOT + "2010/07/vacation.html", platform_id="1"), post(ROOT + "2011/08/vacation.html", platform_id="2"),
               post(ROOT + "2012/07/vacation.html")]
    merged, folded = merge_records(records)
    assert folded == 0 and sorted(r["url"] for r in merged) == sorted(r["url"] for r in records)


def test_comments_follow_the_url_their_post_keeps() -> None:
    feed_url, page_url = "https://blog.blogspot.com/2010/07/a.html", ROOT + "2010/07/a.html"
    records = [post(feed_url, platform_id="42"), post(page_url, platform_id="42"),
               comment(feed_url, "c1", author="Ana", published="2010-07-25T11:24:00Z", published_basis="instant"),
               comment(page_url, "c1", author="Anonymous", author_shown="Anónimo", published="2010-07-25T06:24:00Z",
                       published_basis="local", position=0),
               comment(page_url, "c2", parent_id="c1", position=1)]
    merged, folded = merge_records(records, blog_url=ROOT)
    comments = [r for r in merged if r["type"] == "comment"]
    assert folded == 2 and [c["id"] for c in comments] == ["c1", "c2"]
    assert {c["post_url"] for c in comments} == {page_url}
    assert (comments[0]["author"], comments[0]["author_shown"], comments[0]["published"]) == (
        "Ana", None, "2010-07-25T11:24:00Z")


def test_a_wordpress_post_keeps_its_permalink_over_the_file_its_shortlink_was_saved_as() -> None:
    records = [post(ROOT + "index.html%253Fp=501.html", platform_id="501"), post(ROOT + "2010/02/14/brain-zaps/", platform_id="501")]
    assert merge_records(records, blog_url=ROOT)[0][0]["url"] == ROOT + "2010/02/14/brain-zaps/"


def test_the_merged_output_is_in_a_stable_order() -> None:
    records = [post(ROOT + f"{n}.html", published=f"2010-07-{n:02d}T10:00:00Z") for n in range(1, 8)]
    records += [comment(ROOT + f"{n}.html", f"c{n}-{k}", position=k) for n in range(1, 8) for k in range(3)]
    records += [post(ROOT + "undated.html")]
    first, _ = merge_records(records)
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert merge_records(shuffled)[0] == first
    assert [r["url"] for r in first if r["type"] == "post"][:2] == [ROOT + "undated.html", ROOT + "1.html"]
    assert [r["id"] for r in first if r["type"] == "comment"][:4] == ["c1-0", "c1-1", "c1-2", "c2-0"]


def test_descriptions_that_disagree_fold_the_same_whatever_order_the_crawl_met_them_in() -> None:
    feed = post(ROOT + "a.html", platform_id="1", title="As the feed says", published="2010-01-01T10:00:00Z",
                published_basis="instant", author="Dr. A", crawled="2026-01-01T00:00:01Z")
    page = post(ROOT + "a.html", platform_id="1", title="As the page says", published="2010-01-01T10:00:00Z",
                published_basis="instant", author="Dr. B", crawled="2026-01-01T00:00:02Z")
    first = comment(ROOT + "a.html", "c1", author="Ana", text="one")
    second = comment(ROOT + "a.html", "c1", author="Ana M.", text="one, edited")
    one_way, _ = merge_records([feed, page, first, second])
    assert merge_records([page, feed, second, first])[0] == one_way


# --- completeness -------------------------------------------------------------------------


def test_assess_counts_found_against_declared_and_field_coverage() -> None:
    records = [post(ROOT + "a.html", author="Dr. A", published="2010-01-01T00:00:00Z", comment_count=3),
               post(ROOT + "b.html", author="Dr. A", published=None, comment_count=None),
               comment(ROOT + "a.html", "1", author="Ana", published="2010-01-02T00:00:00Z"),
               comment(ROOT + "a.html", "2", author="Bo", published="2010-01-02T00:00:00Z", parent_id="1"),
               comment(ROOT + "a.html", "3", author=None, published=None, parent_id="99")]
    report = assess(records, {"shrinksearch/declared/posts": 2, "shrinksearch/declared/comments": 2},
                    incremental=False, tried=[])
    assert (report.posts_found, report.posts_declared, report.comments_found, report.comments_declared) == (2, 2, 3, 3)
    assert report.coverage == {"author": 4 / 5, "date": 3 / 5, "parent": 1 / 2}  # the reply to "99" does not resolve
    assert report.problem is None and report.posts_short == []
    assert report.line() == "posts 2/2 · comments 3/3 · author 80% · date 60% · parent 50%"


def test_a_post_short_of_its_declared_comments_is_listed() -> None:
    records = [post(ROOT + "a.html", comment_count=12), comment(ROOT + "a.html", "1")]
    report = assess(records, {}, incremental=False, tried=[])
    assert report.posts_short == [{"url": ROOT + "a.html", "found": 1, "declared": 12}]
    assert report.problem == "found 1 of 12 comments the blog declares"


@pytest.mark.parametrize(("records", "stats", "problem"), [
    ([], {}, "no posts found; tried / (404), /feeds/posts/default (404), /sitemap.xml (no response)"),
    ([post(ROOT + "a.html")], {"shrinksearch/declared/posts": 10}, "found 1 of 10 posts the blog declares"),
    ([post(ROOT + "a.html")], {"shrinksearch/declared/posts": 2}, None),  # half is enough
    ([post(ROOT + "a.html", comment_count=3)], {}, None),  # too few declared comments to judge
])
def test_a_full_crawl_that_found_too_little_says_so(records: list[dict[str, Any]], stats: dict[str, Any],
                                                      problem: str | None) -> None:
    tried = [("http://h/", "404"), ("http://h/feeds/posts/default", "404"), ("http://h/sitemap.xml", "no response")]
    assert assess(records, stats, incremental=False, tried=tried).problem == problem
    assert assess(records, stats, incremental=True, tried=tried).problem is None  # incremental: never judged


def test_what_was_tried_is_told_briefly_from_the_request_log() -> None:
    log = ["1.0 sent http://h/robots.txt", "1.1 got-404 http://h/robots.txt", "1.2 sent http://h/",
           "1.3 got-404 http://h/", *[f"1.4 sent http://h/p{n}?x=1" for n in range(8)], "1.5 got-500 http://h/p0?x=1"]
    tried = tried_from_request_log(log)
    assert tried[:2] == [("http://h/", "404"), ("http://h/p0?x=1", "500")] and len(tried) == 9
    assert describe_tried(tried) == ("/ (404), /p0?x=1 (500), /p1?x=1 (no response), /p2?x=1 (no response), "
                                     "/p3?x=1 (no response), /p4?x=1 (no response) and 3 more")


# --- the static server for saved copies ----------------------------------------------------


@pytest.mark.parametrize(("path", "query", "expected"), [
    ("/feeds/posts/default", "alt=rss", ["feeds/posts/default?alt=rss", "feeds/posts/default%3Falt=rss",
                                          "feeds/posts/default\uf03falt=rss", "feeds/posts/default@alt=rss",
                                          "feeds/posts/default-alt=rss", "feeds/posts/default-alt=rss.rss"]),
    ("/search", "updated-max=2006-08-06T09:00:00%2B02:00&max-results=5",
     ["search-updated-max=2006-08-06T09_00_00+02_00&max-results=5.html",
      "search?updated-max=2006-08-06T09:00:00+02:00&max-results=5.html"]),
    ("/2010/07/", "", ["2010/07/index.html"]),
    ("/", "p=501", ["index.html?p=501.html", "index.html%3Fp=501.html"]),
    ("/2010/07/a", "", ["2010/07/a.html", "2010/07/a/index.html"]),
    ("/a.html%3FshowComment=1.html", "", ["a.html%3FshowComment=1.html"]),  # a name holding %3F, reached once decoded
])
def test_candidate_names_cover_the_ways_tools_save_a_url(path: str, query: str, expected: list[str]) -> None:
    names = list(candidate_names(path, query))
    assert set(expected) <= set(names)


@pytest.mark.parametrize(("name", "body", "kind"), [
    ("default", b"<?xml version='1.0'?><?xml-stylesheet href='a.css'?><!-- x --><feed xmlns='http://www.w3.org/2005/Atom'>", "application/atom+xml"),
    ("default?alt=rss", b"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'>", "application/rss+xml"),
    ("sitemap", b"<?xml version='1.0'?><urlset>", "application/xml"),
    ("default?alt=json", b' {"feed": {}}', "application/json"),
    ("posts", b"[]", "application/json"),
    ("a-page", b"\n<!DOCTYPE html><html>", "text/html"),
    ("page.html", b"<rss>", "text/html"),  # a suffix wins: a plain server looks no further
    ("sitemap.xml.gz", b"\x1f\x8b", "application/x-gzip"),
    ("notes", b"just words", "text/plain"),
])
def test_content_types_come_from_the_suffix_else_from_the_first_bytes(name: str, body: bytes, kind: str) -> None:
    assert media_type(Path(name), body) == kind


def test_sidecar_files_set_status_and_headers(tmp_path: Path) -> None:
    (tmp_path / "wp-json").mkdir()
    (tmp_path / "wp-json/posts").write_text("[]", encoding="utf-8")
    (tmp_path / "wp-json/posts.headers").write_text("Status: 200\nX-WP-Total: 12\nX-WP-TotalPages: 2\nno colon here\n",
                                                    encoding="utf-8")
    (tmp_path / "gone.html").write_text("<html>gone</html>", encoding="utf-8")
    (tmp_path / "gone.html.headers").write_text("Status: 410\nContent-Type: text/html; charset=iso-8859-1\n", encoding="utf-8")
    assert sidecar_headers(tmp_path / "wp-json/posts") == (200, {"X-WP-Total": "12", "X-WP-TotalPages": "2"})
    with running_mirror(tmp_path) as base, httpx.Client(base_url=base) as client:
        listing = client.get("/wp-json/posts")
        assert (listing.status_code, listing.headers["x-wp-total"], listing.headers["content-type"]) == (
            200, "12", "application/json")
        gone = client.get("/gone.html")
        assert (gone.status_code, gone.headers["content-type"]) == (410, "text/html; charset=iso-8859-1")
        assert client.get("/gone.html.headers").status_code == 404  # a sidecar is never served itself


def test_nothing_outside_the_copy_is_ever_served(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for you", encoding="utf-8")
    root = tmp_path / "copy"
    root.mkdir()
    (root / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert find_file(root, "/../secret.txt", "") is None and find_file(root, "/link.txt", "") is None
    with running_mirror(root) as base, httpx.Client(base_url=base) as client:
        for path in ("/%2e%2e/secret.txt", "/..%2fsecret.txt", "/link.txt", "/%2e%2e/copy/../secret.txt"):
            response = client.get(path)
            assert response.status_code == 404 and b"not for you" not in response.content, path
        assert client.get("/").text == "<html>home</html>"


# --- dates and names as pages show them ---------------------------------------------------


@pytest.mark.parametrize(("text", "languages", "after", "expected"), [
    ("25 de julio de 2010, 6:24", ["es", "en"], None, ("2010-07-25T06:24:00Z", "local")),
    ("10. September 2017 um 18:12", ["de", "en"], None, ("2017-09-10T18:12:00Z", "local")),
    ("Mittwoch, Mai 10, 2017 4:14:00 PM", ["de", "en"], None, ("2017-05-10T16:14:00Z", "local")),
    ("19. Januar 2020", ["de", "en"], None, ("2020-01-19T00:00:00Z", "day")),
    ("29 november 2010 om 12:35", ["nl", "en"], None, ("2010-11-29T12:35:00Z", "local")),
    ("lundi 3 mai 2021 à 09:05", ["fr", "en"], None, ("2021-05-03T09:05:00Z", "local")),
    ("June 20, 2016 at 2:41 am", ["en"], None, ("2016-06-20T02:41:00Z", "local")),
    ("Jun 20th at 2:41 am", ["en"], "2016-06-01T09:00:00Z", ("2016-06-20T02:41:00Z", "local")),  # year from the post
    ("Jun 20th at 2:41 am", ["en"], "2016-12-01T09:00:00Z", ("2017-06-20T02:41:00Z", "local")),  # the next June
    ("21:00", ["en"], None, (None, None)),  # a time alone is no date
    ("9:15 PM", ["en"], None, (None, None)),
    ("", ["en"], None, (None, None)),
    ("2017-06-10T18:12:00+02:00", None, None, ("2017-06-10T16:12:00Z", "instant")),
    ("2017-06-10T18:12:00Z", None, None, ("2017-06-10T18:12:00Z", "instant")),
    ("2017-06-10T18:12:00", None, None, ("2017-06-10T18:12:00Z", "local")),  # no zone: never claimed exact
    ("2017-06-10", None, None, ("2017-06-10T00:00:00Z", "day")),
])
def test_shown_dates_are_read_in_the_pages_language(text: str, languages: list[str] | None, after: str | None,
                                                     expected: tuple[str | None, str | None]) -> None:
    assert shown_date(text, languages, after) == expected


@pytest.mark.parametrize(("shown", "author", "author_shown"), [
    ("Anónimo", "Anonymous", "Anónimo"),
    ("Anonyme", "Anonymous", "Anonyme"),
    ("Unknown", "Anonymous", "Unknown"),
    ("Anonymous", "Anonymous", None),
    ("Anonymous said...", "Anonymous", None),  # "said…" is how the page introduces a name, not the name
    ("Anónimo dijo...", "Anonymous", "Anónimo"),
    ("  Dr.   Jane  Roe  ", "Dr. Jane Roe", None),
    ("Jane Roe said…", "Jane Roe", None),
    ("", None, None),
    (None, None, None),
])
def test_author_fields_normalise_nobody_and_keep_the_shown_name(shown: str | None, author: str | None,
                                                                 author_shown: str | None) -> None:
    assert author_fields(shown) == {"author": author, "author_shown": author_shown}


# --- robots.txt and the empty crawl, on real servers ----------------------------------------


def test_a_robots_txt_answering_404_allows_everything(tmp_path: Path) -> None:
    """RFC 9309 2.3.1.3: a 4xx robots.txt means no rules; the body (an HTML error page that
    happens to say "Disallow: /") is not read."""
    network = load_network()

    async def missing_robots(request: Request) -> Response:
        body = "<html><body><h1>404</h1><pre>User-agent: *\nDisallow: /</pre></body></html>"
        return Response(body, status_code=404, media_type="text/html")

    site = Starlette(routes=[Route("/robots.txt", missing_robots), Mount("/", app=create_app(network, crawl_delay=0.0))])
    counts = expected_counts(network).blogs["shrink-notes"]
    with running_app(site) as base:
        summary = run_crawl(url=f"{base}/shrink-notes/", fast=True, resume=False, settings=Settings(data_dir=tmp_path))
    assert (summary.finish_reason, summary.skipped_by_robots) == ("finished", 0)
    assert (summary.posts, summary.comments) == (counts.posts, counts.comments)


@pytest.fixture
def cli_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SHRINKSEARCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal: the error must still be one line
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_crawl_json_reports_completeness_and_fails_on_a_site_without_posts(cli_data_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><html><head><title>Coming soon</title></head>"
                                     "<body><p>Our practice's blog starts next month.</p></body></html>", encoding="utf-8")
    with running_mirror(site) as base:
        result = CliRunner().invoke(app, ["crawl", "--url", f"{base}/", "--fast", "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["finish_reason"] == "finished" and summary["succeeded"] is False
    assert summary["completeness"]["posts_found"] == 0
    assert summary["completeness"]["problem"].startswith("no posts found; tried / (200)")
    assert summary["completeness_line"].startswith("posts 0/? · comments 0/?")
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith(f"Error: the crawl of {base}/ is incomplete: no posts found; tried /")
