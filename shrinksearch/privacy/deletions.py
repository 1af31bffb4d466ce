"""Applying what the crawlers found deleted upstream (``crawlers.deletions``): the posts
(with their comments) and comments listed in ``*.deletions.jsonl`` leave every index
version and every file under the data directory, as ``forget`` removes them — but without a
tombstone: a comment its author restores comes back with the next crawl.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from shrinksearch.es.client import translate_errors
from shrinksearch.es.index import IndexManager
from shrinksearch.records import comment_doc_id, post_doc_id
from shrinksearch.settings import Settings, privacy_path

from .datadir import DataDirScrubber, Needles
from .index import remove_documents
from .tombstones import Matcher


@dataclass
class DeletionReport:
    """What applying one run's upstream deletions removed."""

    posts: int = 0
    comments: int = 0
    documents: int = 0
    records: int = 0
    files: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def read_deletions(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The deletion lines of the given files (missing files have none)."""
    lines: list[dict[str, Any]] = []
    for path in paths:
        if path.exists():
            lines += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def apply_deletions(paths: Iterable[Path], client: Elasticsearch, settings: Settings) -> DeletionReport:
    """Remove what the deletion files list from the index and the data directory."""
    lines = read_deletions(paths)
    posts = [line["url"] for line in lines if line.get("deleted") == "post" and line.get("url")]
    comments = [(line["post_url"], str(line["id"])) for line in lines
                if line.get("deleted") == "comment" and line.get("post_url") and line.get("id")]
    report = DeletionReport(posts=len(posts), comments=len(comments))
    if not lines:
        return report
    post_ids = [post_doc_id(url) for url in posts]
    doc_ids = post_ids + [comment_doc_id(url, cid) for url, cid in comments]
    query = {"bool": {"should": [{"ids": {"values": doc_ids}}, {"terms": {"post_id": post_ids}}], "minimum_should_match": 1}}
    with translate_errors(settings):
        removal = remove_documents(IndexManager.from_settings(client, settings), query)
    needles = Needles(urls=set(posts), comment_ids={cid for _, cid in comments})
    scrubber = DataDirScrubber(settings.data_dir, Matcher.plain(docs=doc_ids), needles, skip=privacy_path(settings))
    data = scrubber.run(removal.found)
    report.documents, report.records, report.files = removal.documents, data.records, data.files
    return report
