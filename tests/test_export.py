"""Export for research: CSV and JSON Lines from the CLI and the API, on the real node.

Cell protection and encodings are pure functions checked with tables; the point-in-time
scan, the CLI and ``/api/export`` run against the indexed sample network (and, for crawled
text that looks like a formula, a small index of documents written for it). Memory and
first-byte figures on 100k documents are a benchmark (``python -m bench export``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sample_index import SampleIndex, indexed_samples, on_samples  # noqa: F401  (fixtures)
from search_fixtures import TINY_THEMES, index_into, post, small_network
from shrinksearch.cli import app
from shrinksearch.export import DOCUMENT_COLUMNS, PERSON_COLUMNS, encode, protect_cell, search_hits
from shrinksearch.export.writers import BOM, CHUNK_CHARS
from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings
from shrinksearch.web import create_app

runner = CliRunner()
SEED_QUESTION = "who discusses transference and vacations"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- cells and encodings (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1 for this", "'+1 for this"),
        ("-- my two cents", "'-- my two cents"),
        ("@admin said", "'@admin said"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a = b", "a = b"),
        ("Lithium, again", "Lithium, again"),
        ("", ""),
    ],
)
def test_cells_that_start_like_a_formula_are_shown_as_text(cell: str, shown: str) -> None:
    assert protect_cell(cell) == shown


def test_csv_is_utf8_rfc4180_with_a_bom_only_for_excel() -> None:
    rows = [{"a": "Ça va, \"docteur\"?\nyes", "b": ["x", "y"], "c": 1.5}, {"a": "=cmd", "b": None, "c": {"k": 2}}]
    plain = "".join(encode("csv", ["a", "b", "c"], rows))
    assert not plain.startswith(BOM) and plain.startswith("a,b,c\r\n")
    assert csv_rows(plain) == [{"a": "Ça va, \"docteur\"?\nyes", "b": "x; y", "c": "1.5"}, {"a": "'=cmd", "b": "", "c": "k=2"}]
    excel = "".join(encode("csv", ["a", "b", "c"], rows, excel=True))
    assert excel == BOM + plain


def test_jsonl_keeps_values_as_they_are() -> None:
    rows = [{"a": "=cmd", "b": ["x"], "c": None, "extra": "dropped"}]
    lines = "".join(encode("jsonl", ["a", "b", "c"], rows)).splitlines()
    assert [json.loads(line) for line in lines] == [{"a": "=cmd", "b": ["x"], "c": None}]


def test_encoding_hands_on_chunks_not_one_string() -> None:
    rows = ({"a": "x" * 1000} for _ in range(300))
    chunks = list(encode("csv", ["a"], rows))
    assert len(chunks) > 3 and max(len(c) for c in chunks) < CHUNK_CHARS + 1100


# --- the point-in-time scan -----------------------------------------------------------------


def test_scan_returns_every_match_in_the_order_search_ranks_them(indexed_samples: SampleIndex) -> None:
    service = indexed_samples.service
    first_page = service.search("vacation", page=Page(size=20))
    hits = list(search_hits(service, "vacation", page_size=7, first_page_size=3))  # many pages: search_after across them
    assert len(hits) == first_page.total > 20
    assert len({h.id for h in hits}) == len(hits)
    assert [h.id for h in hits[:20]] == [h.id for h in first_page.hits]
    assert all(h.text for h in hits)


def test_scan_ranks_a_long_question_as_search_does(indexed_samples: SampleIndex) -> None:
    # a clause longer than a concept is split into the runs of words the taxonomy knows
    # (SearchService._expand): the export must split it the same way, or it ranks otherwise
    service = indexed_samples.service
    question = "what happens when the therapist has strong feelings about a client before going away on vacation"
    first_page = service.search(question, page=Page(size=10))
    hits = list(search_hits(service, question, page_size=50, first_page_size=10))
    assert len(hits) == first_page.total
    assert [h.id for h in hits[:10]] == [h.id for h in first_page.hits]


def test_scan_follows_filters_sort_limit_and_offset(indexed_samples: SampleIndex) -> None:
    service = indexed_samples.service
    comments = Filters(kind="comment")
    newest = list(search_hits(service, "vacation", comments, sort="date", page_size=5))
    assert newest and {h.kind for h in newest} == {"comment"}
    dates = [h.published for h in newest if h.published]
    assert dates == sorted(dates, reverse=True)
    assert {h.score for h in newest} == {None}  # sorted by date, nothing is scored
    everything = list(search_hits(service, "vacation", page_size=4))
    window = list(search_hits(service, "vacation", limit=6, offset=5, page_size=4))
    assert [h.id for h in window] == [h.id for h in everything[5:11]]


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_search_all_as_csv_is_every_match_with_its_text(on_samples: SampleIndex) -> None:
    total = json.loads(runner.invoke(app, ["search", "vacation", "--json"]).stdout)["total"]
    result = runner.invoke(app, ["search", "vacation", "--format", "csv", "--all"])
    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith(BOM)
    rows = csv_rows(result.stdout)
    assert len(rows) == total > 10 and tuple(rows[0]) == DOCUMENT_COLUMNS
    assert [int(r["rank"]) for r in rows] == list(range(1, total + 1))
    assert all(r["text"] and r["url"].startswith("http") for r in rows)


def test_cli_search_page_as_jsonl_matches_the_json_page(on_samples: SampleIndex) -> None:
    args = ["search", "lithium", "--limit", "3", "--page", "2", "--kind", "comment"]
    page = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    result = runner.invoke(app, [*args, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [h["id"] for h in page["hits"]] and len(rows) == 3
    assert [r["rank"] for r in rows] == [4, 5, 6] and {r["kind"] for r in rows} == {"comment"}


def test_cli_who_as_csv_is_a_row_per_person_and_evidence(on_samples: SampleIndex) -> None:
    answer = json.loads(runner.invoke(app, ["who", SEED_QUESTION, "--json", "--limit", "4"]).stdout)
    result = runner.invoke(app, ["who", SEED_QUESTION, "--format", "csv", "--limit", "4", "--excel"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(BOM)
    rows = csv_rows(result.stdout.removeprefix(BOM))
    assert tuple(rows[0]) == PERSON_COLUMNS
    expected = [(p["key"], e["id"]) for p in answer["people"] for e in p["evidence"]]
    assert [(r["person_key"], r["id"]) for r in rows] == expected
    assert rows[0]["person_rank"] == "1" and rows[0]["passages"] and "<em>" not in rows[0]["passages"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--all"], "--format csv"),
        (["search", "x", "--format", "xlsx"], "--format"),
        (["search", "x", "--format", "jsonl", "--excel"], "--excel goes with --format csv"),
        (["search", "x", "--format", "csv", "--mode", "hybrid"], "drop --mode hybrid"),
        (["who", "who discusses lithium", "--json", "--format", "csv"], "--json is --format json"),
    ],
)
def test_cli_export_mistakes_exit_2_with_the_fix(on_samples: SampleIndex, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output


def test_cli_export_without_an_index_fails_before_writing(monkeypatch: pytest.MonkeyPatch, es_client: Elasticsearch) -> None:
    monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", "sstest-no-index-here")
    get_settings.cache_clear()
    result = runner.invoke(app, ["search", "vacation", "--format", "csv", "--all"])
    get_settings.cache_clear()
    assert result.exit_code == 1 and "shrinksearch index init" in result.output and "rank,id" not in result.stdout


def test_cli_export_to_a_full_disk_says_so_in_one_line_and_exits(on_samples: SampleIndex) -> None:
    """The point in time is closed while the process still runs (at interpreter exit,
    closing it blocked forever), and a write error is the usual one-line message."""
    cli = str(Path(sys.executable).with_name("shrinksearch"))
    env = {**os.environ, "SHRINKSEARCH_INDEX_ALIAS": on_samples.alias}
    with open("/dev/full", "wb") as full:
        done = subprocess.run([cli, "search", "vacation", "--format", "csv", "--all"], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: could not write the export: No space left on device"


# --- crawled text that looks like a formula, through both ways out ------------------------------


@pytest.fixture
def hostile(es_client: Elasticsearch, test_alias: str) -> SearchService:
    doc = post("couch-side", "formula", "@admin", "=HYPERLINK(\"http://evil.test\",\"vacation\")",
               "-2+3 vacation tips, and a cell that would run =cmd|'/c calc'!A1")
    index_into(es_client, test_alias, [doc])
    return SearchService(es_client, test_alias, TINY_THEMES)


def test_formula_like_crawled_text_stays_text_in_cli_and_api(hostile: SearchService) -> None:
    result = runner.invoke(app, ["search", "vacation", "--format", "csv", "--all"])
    assert result.exit_code == 0, result.output
    row = csv_rows(result.stdout)[0]
    assert row["title"].startswith("'=HYPERLINK") and row["author"] == "'@admin" and row["text"].startswith("'-2+3")
    api = TestClient(create_app(get_settings(), hostile))
    response = api.get("/api/export", params={"q": "vacation"})
    assert response.status_code == 200, response.text
    served = csv_rows(response.text)
    assert served == [row]


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def api(es_client: Elasticsearch, test_alias: str) -> TestClient:
    docs = small_network()
    index_into(es_client, test_alias, list(docs.values()))
    return TestClient(create_app(get_settings(), SearchService(es_client, test_alias, TINY_THEMES)), raise_server_exceptions=False)


def test_api_export_streams_every_match_as_csv(api: TestClient) -> None:
    total = api.get("/api/search", params={"q": "vacation", "size": 1}).json()["total"]
    with api.stream("GET", "/api/export", params={"q": "vacation", "kind": "comment"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="shrinksearch-vacation.csv"'
        body = "".join(response.iter_text())
    rows = csv_rows(body)
    comments = api.get("/api/search", params={"q": "vacation", "kind": "comment", "size": 100}).json()
    assert [r["id"] for r in rows] == [h["id"] for h in comments["hits"]] and 0 < len(rows) < total


def test_api_export_jsonl_and_people(api: TestClient) -> None:
    lines = api.get("/api/export", params={"q": "vacation", "format": "jsonl", "sort": "date", "limit": 3}).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 3 and [r["rank"] for r in rows] == [1, 2, 3]
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    people = api.get("/api/export", params={"q": SEED_QUESTION, "what": "people", "excel": "true"})
    assert people.headers["content-disposition"].endswith('-people.csv"') and people.text.startswith(BOM)
    who = api.get("/api/who", params={"q": SEED_QUESTION}).json()
    assert [r["person_key"] for r in csv_rows(people.text.removeprefix(BOM))] == [
        p["key"] for p in who["people"] for _ in p["evidence"]]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "   "}, 400, "empty query"),
        ({"q": "x", "format": "xlsx"}, 422, "format"),
        ({"q": "x", "format": "jsonl", "excel": "true"}, 400, "excel=true goes with format=csv"),
        ({"q": "x", "what": "people", "limit": 1000}, 400, "limit"),
    ],
)
def test_api_export_mistakes_get_a_json_error(api: TestClient, params: dict, status: int, message: str) -> None:
    response = api.get("/api/export", params=params)
    assert response.status_code == status and message in response.json()["error"]


def test_api_export_without_an_index_is_503_not_an_empty_file(es_client: Elasticsearch) -> None:
    client = TestClient(create_app(get_settings(), SearchService(es_client, "sstest-no-index-here", TINY_THEMES)))
    response = client.get("/api/export", params={"q": "vacation"})
    assert response.status_code == 503 and "shrinksearch index init" in response.json()["error"]
