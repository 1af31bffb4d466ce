"""`shrinksearch crawl` through the CLI runner: exit codes, messages and the summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from shrinksearch.cli import app
from shrinksearch.samples.network import expected_counts, load_network
from shrinksearch.samples.server import running_server
from shrinksearch.settings import get_settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SHRINKSEARCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    yield str(tmp_path)
    get_settings.cache_clear()


def invoke(*args: str):
    return CliRunner().invoke(app, ["crawl", *args])


def row(output: str, name: str) -> str:
    match = re.search(rf"│ {re.escape(name)}\s+│\s+(\S+)\s+│", output)
    assert match, output
    return match[1]


ONE_PER_PLATFORM = sorted({b.platform: slug for slug, b in load_network().blogs.items()}.values())


@pytest.mark.parametrize("slug", ONE_PER_PLATFORM)
def test_crawl_prints_a_summary_equal_to_the_network(data_dir, slug):
    network = load_network()
    counts = expected_counts(network).blogs[slug]
    with running_server(network=network) as base:
        result = invoke("--url", f"{base}/{slug}/", "--fast")
    assert result.exit_code == 0, result.output
    assert (row(result.output, "posts"), row(result.output, "comments")) == (str(counts.posts), str(counts.comments))
    assert row(result.output, "finish reason") == "finished"
    assert row(result.output, "errors") == "0"


def test_source_and_url_together_is_a_usage_error(data_dir):
    result = invoke("--source", "shrink-rap", "--url", "https://shrinkrapblog.blogspot.com/")
    assert result.exit_code == 2 and "either --source NAME or --url URL" in result.output


def test_neither_source_nor_url_is_a_usage_error(data_dir):
    assert invoke().exit_code == 2


def test_unknown_source_lists_the_known_ones(data_dir):
    result = invoke("--source", "no-such-blog")
    assert result.exit_code == 2 and "known: shrink-rap" in result.output


def test_fast_is_refused_for_real_sites(data_dir):
    result = invoke("--url", "https://shrinkrapblog.blogspot.com/", "--fast")
    assert result.exit_code == 2 and "only for the local sample network" in result.output


def test_unknown_platform_is_a_usage_error(data_dir):
    result = invoke("--url", "https://example.org/", "--platform", "tumblr")
    assert result.exit_code == 2 and "unknown platform 'tumblr'" in result.output


def test_unreachable_site_says_what_to_do(data_dir):
    result = invoke("--url", "http://127.0.0.1:9/blog/")
    assert result.exit_code == 1 and "cannot reach http://127.0.0.1:9/blog/" in result.output
    assert "Traceback" not in result.output
