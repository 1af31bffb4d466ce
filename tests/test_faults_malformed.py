"""A corpus of malformed inputs through the pipeline: nothing crashes, every bad input is
reported with its reason, and every good record of the same run is indexed.

- raw JSON Lines records (``faults_corpus.raw_records``: not JSON, not UTF-8, missing or
  mistyped fields, unparsable and impossible dates, NUL bytes and binary, empty and huge
  bodies) through the clean → enrich → index tasks into the real node;
- malformed blogs of each platform served over HTTP on 127.0.0.1 (``fault_blogs``) through
  the crawl-and-index flow on the session's Prefect server.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import datetime, timezone

import httpx
import pytest
import yaml
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from crawlers.settings import DEPTH_LIMIT
from fault_blogs import serving
from faults_corpus import raw_records
from flows.pipeline import crawl_and_index
from flows.tasks import clean_records, enrich_documents, index_documents
from search_fixtures import TINY_THEMES, post
from shrinksearch.es import IndexManager
from shrinksearch.exceptions import QueryError
from shrinksearch.pipeline.reports import REJECT_SAMPLE_CHARS
from shrinksearch.records import parse_raw_record
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings


def doc_id(line: bytes) -> str:
    from shrinksearch.clean import clean_record

    return clean_record(parse_raw_record(line)).id


def test_malformed_records_are_set_aside_with_their_reason_and_the_rest_indexed(data_dir, test_alias, es_client):
    corpus = raw_records()
    assert len(corpus.bad) >= 100
    lines = [(record, None) for record in corpus.kept()] + [(bad.line, bad) for bad in corpus.bad]
    random.Random(6).shuffle(lines)
    half = len(lines) // 2
    data_dir.mkdir(parents=True)
    sources = [data_dir / "raw-1.jsonl", data_dir / "raw-2.jsonl"]
    sources[0].write_bytes(b"\n".join(record for record, _ in lines[:half]) + b"\n\n")
    sources[1].write_bytes(b"\r\n".join(record for record, _ in lines[half:]))  # CRLF, no final newline
    rejects = data_dir / "rejects.jsonl"

    cleaned = clean_records.fn(sources, data_dir / "cleaned.jsonl", rejects)
    enriched = enrich_documents.fn(data_dir / "cleaned.jsonl", data_dir / "enriched.jsonl", rejects, False)
    indexed = index_documents.fn(data_dir / "enriched.jsonl")

    kept = corpus.kept()
    assert (cleaned.read, cleaned.written, cleaned.rejected) == (len(lines), len(kept), len(corpus.bad))
    assert (enriched.written, enriched.rejected) == (len(kept), 0)
    assert (indexed.indexed, indexed.failed) == (len(kept), 0)
    # each bad input set aside once, with its own reason
    names = [str(source) for source in sources]
    found = {(names.index(r["source"]), r["line"]): r for r in map(json.loads, rejects.read_text().splitlines())}
    assert len(found) == len(corpus.bad)
    for position, (_, bad) in enumerate(lines):
        where = (0, position + 1) if position < half else (1, position - half + 1)
        if bad is None:
            assert where not in found, found[where]["reason"]
            continue
        reject = found[where]
        assert reject["reason"].startswith(bad.reason), (bad.what, reject["reason"])
        assert reject["stage"] == "clean" and 0 < len(reject["record"]) <= REJECT_SAMPLE_CHARS
    assert Counter(map(_kind, (b.reason for b in corpus.bad))) == Counter(_kind(r["reason"]) for r in found.values())
    assert cleaned.reasons == Counter(bad.reason.split(":", 1)[0] for bad in corpus.bad)
    # the impossible dates were left out, counted, and kept out of the index
    assert cleaned.repairs == Counter(reason for _, reason in corpus.impossible_dates)
    ids = {doc_id(record) for record in kept}
    assert es_client.count(index=test_alias)["count"] == len(ids) == len(kept)
    assert {d["_id"] for d in es_client.mget(index=test_alias, ids=list(ids))["docs"] if d["found"]} == ids
    dated = es_client.search(index=test_alias, size=0, aggs={"lo": {"min": {"field": "published"}}, "hi": {"max": {"field": "published"}}})
    assert dated["aggregations"]["lo"]["value_as_string"][:4] == "2010" == dated["aggregations"]["hi"]["value_as_string"][:4]
    service = SearchService(es_client, test_alias, TINY_THEMES)
    assert service.theme_timeline(interval="month")["periods"]  # no millennia of empty months


def _kind(reason: str) -> str:
    """A reason without its details: 'invalid record: post.labels', 'rejected: binary'."""
    return re.sub(r"\.\d+|\s*\(.*?\)", "", ":".join(reason.split(":")[:2])).strip()


def test_timeline_over_impossible_dates_already_indexed_says_why(es_client: Elasticsearch, test_alias):
    # Indexed before cleaning left such dates out: the timeline cannot be drawn, and says why.
    IndexManager(es_client, test_alias, get_settings().index_config_dir).init()
    for i, year in enumerate((1, 9999)):
        doc = post("old", f"p{i}", "Ann", "T", "vacation").model_copy(update={"published": datetime(year, 1, 1, tzinfo=timezone.utc)})
        es_client.index(index=test_alias, id=f"p{i}", document=doc.to_source(), refresh=True)
    with pytest.raises(QueryError, match="too many buckets"):
        SearchService(es_client, test_alias, TINY_THEMES).theme_timeline(interval="month")


# --- malformed blogs over HTTP, through the pipeline flow --------------------------------

# What each blog must report (tests/fault_blogs.py builds the inputs): crawl errors
# (`shrinksearch/errors/<kind>`), items the crawl validation dropped, records cleaning set
# aside (by kind of reason) and dates it left out.
EXPECTED = {
    "blogger": {
        # bad_feed: HTML for a comment feed; bad_json: a cut comment feed and the cut page 2;
        # 404: the blog-wide comment feed, the Atom fallback of the 5 failing comment feeds,
        # the sitemap, then the 5 post pages; the comment without an id is skipped when read
        "errors": {"bad_feed": 1, "bad_json": 2, "binary": 1, "comment_without_id": 1, "empty": 1, "encoding": 1,
                   "entry_without_link": 3, "http_404": 12, "http_500": 1},
        "dropped": {},
        "rejects": {"rejected: binary": 2, "rejected: empty": 3, "rejected: too large": 2},
        "repairs": {"published out of range": 2},
    },
    "wordpress": {
        # 404: the pages of posts 61 and 64, read when their REST comments are refused
        "errors": {"bad_json": 3, "bad_object": 4, "empty": 1, "entry_without_link": 1, "http_401": 1, "http_404": 2},
        "dropped": {"invalid_comment": 1},
        "rejects": {"rejected: binary": 2, "rejected: empty": 2, "rejected: too large": 1},
        "repairs": {"published out of range": 2},
    },
    "generic": {
        "errors": {"binary": 2, "empty": 2, "encoding": 1, "http_403": 1, "http_404": 1, "http_410": 1, "http_500": 1,
                   "http_503": 1, "redirect_loop": 2, "too_large": 1, "too_many_redirects": 1, "truncated_html": 1,
                   "wrong_type": 3},
        "dropped": {},
        "rejects": {"rejected: empty": 1, "rejected: too large": 1},
        "repairs": {"published out of range": 1},
    },
    "walk": {"errors": {"bad_feed": 1, "http_404": 1}, "dropped": {}, "rejects": {}, "repairs": {}},
}


@pytest.fixture(scope="module")
def fault_blogs():  # noqa: ANN201
    with serving() as served:
        yield served


def test_malformed_blogs_are_reported_and_their_good_records_indexed(
    fault_blogs, data_dir, test_alias, es_client, prefect_api, tmp_path, monkeypatch
):
    base, sites = fault_blogs
    sources = tmp_path / "sources.yaml"
    entries = [{"name": name, "url": f"{base}/{name}/", "platform": "generic" if name == "walk" else name} for name in sites]
    sources.write_text(yaml.safe_dump({"groups": {"faults": entries}}))
    monkeypatch.setenv("SHRINKSEARCH_SOURCES_FILE", str(sources))
    get_settings.cache_clear()

    result = crawl_and_index(group="faults", fast=True, incremental=False)

    run_dir = data_dir.resolve() / "runs" / result["run_dir"].rsplit("/", 1)[1]
    rejects = [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text().splitlines()]
    for name, expected in EXPECTED.items():
        report = json.loads((data_dir / "jobs" / name / "report.json").read_text())
        stats = report["stats"]
        assert stats["finish_reason"] == "finished"
        assert _prefixed(stats, "shrinksearch/errors/") == expected["errors"], name
        assert _prefixed(stats, "shrinksearch/dropped/") == expected["dropped"], name
        crawl_rejects = run_dir / f"crawl-{name}.rejects.jsonl"
        dropped = [json.loads(line)["reason"] for line in crawl_rejects.read_text().splitlines()] if crawl_rejects.exists() else []
        assert len(dropped) == sum(expected["dropped"].values()) and all(r.startswith("id: ") for r in dropped), dropped
        mine = [r["reason"] for r in rejects if r["source"].endswith(f"crawl-{name}.jsonl")]
        assert Counter(map(_kind, mine)) == expected["rejects"], (name, mine)
    # the endless calendar of the walked blog was left at the depth limit, and said so
    walk = json.loads((data_dir / "jobs" / "walk" / "report.json").read_text())["stats"]
    calendar = [line for line in (data_dir / "jobs" / "walk" / "requests.log").read_text().splitlines()
                if " sent " in line and "/walk/calendar/" in line]
    assert walk["depth/request_ignored_count"] >= 1 and 1 <= len(calendar) <= DEPTH_LIMIT
    assert len(rejects) == result["rejected"] == sum(sum(e["rejects"].values()) for e in EXPECTED.values())
    # the dates left out are in the run's summary
    query = {"artifacts": {"key": {"any_": ["crawl-and-index-summary"]}}, "sort": "CREATED_DESC", "limit": 1}
    [artifact] = httpx.post(f"{prefect_api}/artifacts/filter", json=query).json()
    repairs = sum((Counter(e["repairs"]) for e in EXPECTED.values()), Counter())
    for why, n in repairs.items():
        assert f"| {why} | {n} |" in artifact["data"]
    # every good record indexed exactly once, nothing of the bad ones
    texts = [hit["_source"]["text"] for hit in scan(es_client, index=test_alias, query={"query": {"match_all": {}}})]
    assert len(texts) == result["indexed"] and result["failed"] == 0
    found = Counter(re.findall(r"\b(?:keep|drop)[a-z]+\d{4}\b", "\n".join(texts)))
    keep = [m for site in sites.values() for m in site.keep]
    assert [m for m in keep if found[m] != 1] == []
    assert [m for site in sites.values() for m in site.drop if found[m]] == []
    assert sum(found.values()) == len(keep)
    # kept without an author or a date: Anonymous, undated (not guessed)
    assert es_client.count(index=test_alias, query={"term": {"author_key": "anonymous"}})["count"] == 5
    assert es_client.count(index=test_alias, query={"bool": {"must_not": {"exists": {"field": "published"}}}})["count"] == 10


def _prefixed(stats: dict, prefix: str) -> dict:
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
