"""A corpus of malformed inputs through the pipeline: nothing crashes, every bad input is
reported with its reason, and every good record of the same run is indexed.

Raw JSON Lines records (``faults_corpus.raw_records``: not JSON, not UTF-8, missing or
mistyped fields, unparsable and impossible dates, NUL bytes and binary, empty and huge
bodies) go through the clean → enrich → index tasks into the real node.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from elasticsearch import Elasticsearch

from faults_corpus import raw_records
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
