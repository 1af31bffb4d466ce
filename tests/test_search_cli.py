"""`shrinksearch search | who` through the CLI runner, on the indexed sample network (`eval`: test_eval.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sample_index import SampleIndex, indexed_samples, on_samples  # noqa: F401  (fixtures)
from shrinksearch.cli import app
from shrinksearch.settings import get_settings

runner = CliRunner()


def test_who_json_answers_the_seed_question(on_samples: SampleIndex):
    result = runner.invoke(app, ["who", "who discusses transference and vacations", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    people = body["people"]
    assert people[0]["key"] == "dinah"
    assert people[1]["key"] == f"anonymous@{on_samples.doc_id('shrink-notes/3001#900101')}"
    evidence = people[0]["evidence"][0]
    assert {"id", "kind", "url", "post_url", "author", "score", "snippets"} <= set(evidence)
    assert evidence["id"] == on_samples.doc_id("shrink-notes/3002")
    assert people[1]["evidence"][0]["quoted_in"][0]["title"] == "Transference and the Vacation Question"
    assert "Anonymous" in body["note"]


def test_who_readable_output(on_samples: SampleIndex):
    result = runner.invoke(app, ["who", "who discusses transference and vacations", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "1. Dinah" in result.stdout and "Anonymous (on “You May Leave Now”)" in result.stdout
    assert "quoted in “Transference and the Vacation Question” by Dinah" in result.stdout


def test_search_json_with_filters(on_samples: SampleIndex):
    args = ["search", "vacation", "--json", "--limit", "4", "--kind", "comment", "--blog", "Couch Side",
            "--since", "2009-01-01", "--until", "2012-12-31"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert len(hits) == 4
    assert all(h["kind"] == "comment" and h["blog"] == "Couch Side" for h in hits)
    assert all("2009" <= h["published"][:4] <= "2012" for h in hits)
    assert all(h["post_url"] == h["url"].split("#")[0] for h in hits)


def test_search_readable_output(on_samples: SampleIndex):
    result = runner.invoke(app, ["search", "lithium", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "posts and comments about lithium" in result.stdout and " 1. [" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "   "], "empty query"),
        (["who", "who discusses"], "does not say about what"),
        (["search", "x", "--role", "admin"], "--role"),
        (["search", "x", "--sort", "newest"], "--sort"),
        (["search", "x", "--since", "yesterday"], "--since"),
        (["search", "x", "--limit", "0"], "--limit"),
    ],
)
def test_usage_errors_exit_2_with_a_message(on_samples: SampleIndex, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_index_says_how_to_fix(monkeypatch: pytest.MonkeyPatch, es_client):
    monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", "sstest-no-index-here")
    get_settings.cache_clear()
    result = runner.invoke(app, ["search", "vacation"])
    get_settings.cache_clear()
    assert result.exit_code == 1 and "shrinksearch index init" in result.output
