"""The three processing stages, each streaming one JSON Lines file to the next.

- ``clean_file``: raw crawl records → cleaned ``Document`` lines (+ rejects with reasons)
- ``enrich_file``: cleaned documents → documents with theme tags (and embeddings if asked)
- ``index_file``: enriched documents → Elasticsearch, through the alias, by stable id
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch
from pydantic import ValidationError

from shrinksearch.clean import NearDuplicateIndex, RejectedRecord, clean_record
from shrinksearch.enrich import Taxonomy, tag_document
from shrinksearch.es.bulk import BulkReport, index_documents
from shrinksearch.records import Document, RawComment, RawPost, parse_raw_record

from .jsonl import atomic_writer, iter_lines, write_line
from .reports import RejectsLog, StageReport

if TYPE_CHECKING:
    from shrinksearch.privacy.pseudonyms import CleanPrivacy

Progress = Callable[[int], None]


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "record"
    return f"invalid record: {where}: {first.get('msg', 'invalid')}"


def _post_authors(paths: list[Path]) -> dict[str, str | None]:
    """First pass: each post's author by URL, so comments by the blogger get the right role.

    Only one short string per post is kept, never the records themselves."""
    authors: dict[str, str | None] = {}
    for path in paths:
        for _, line in iter_lines(path):
            if '"post"' not in line:
                continue
            try:
                record = parse_raw_record(line)
            except ValidationError:
                continue
            if isinstance(record, RawPost):
                authors[record.url] = record.author
    return authors


def clean_file(sources: list[Path], out: Path, rejects: Path, progress: Progress | None = None,
               privacy: CleanPrivacy | None = None) -> StageReport:
    """Parse, validate and clean every raw record of ``sources`` into ``out``.

    ``privacy`` (``shrinksearch.privacy.pseudonyms.clean_privacy``) leaves forgotten records
    out (counted, never written to the rejects) and pseudonymises commenters."""
    report = StageReport("clean", output=out)
    post_authors = _post_authors(sources)
    duplicates = NearDuplicateIndex()
    with atomic_writer(out) as fh, open(rejects, "a", encoding="utf-8") as rejects_fh:
        for source in sources:
            log = RejectsLog(rejects_fh, report, source)
            for number, line in iter_lines(source, on_undecodable=log.reject_undecodable):
                report.read += 1
                cleaned = _clean_line(line, number, log, post_authors)
                if cleaned is None:
                    continue
                record, document = cleaned
                if privacy is not None:
                    kept = privacy.apply(record, document)
                    if kept is None:
                        report.forgotten += 1
                        continue
                    document = kept
                report.repairs.update(_dates_left_out(record, document))
                document.duplicate_of = duplicates.check(document)
                write_line(fh, document.model_dump(mode="json"))
                report.written += 1
                report.kinds[document.kind] += 1
                if progress:
                    progress(1)
    return report


def _clean_line(
    line: str, number: int, log: RejectsLog, post_authors: dict[str, str | None]
) -> tuple[RawPost | RawComment, Document] | None:
    try:
        record = parse_raw_record(line)
        post_author = post_authors.get(record.post_url) if isinstance(record, RawComment) else None
        return record, clean_record(record, post_author=post_author)
    except ValidationError as err:
        log.reject(number, line, _first_error(err))
    except RejectedRecord as err:
        log.reject(number, line, f"rejected: {err}")
    return None


def _dates_left_out(record: RawPost | RawComment, document: Document) -> list[str]:
    """Reasons for the dates cleaning left out as impossible (``clean.dates.plausible``)."""
    dates = [("published", record.published, document.published)]
    if isinstance(record, RawPost):
        dates.append(("updated", record.updated, document.updated))
    return [f"{name} out of range" for name, given, kept in dates if given is not None and kept is None]


def iter_documents_file(path: Path, log: RejectsLog | None = None) -> Iterator[Document]:
    """Documents from a cleaned/enriched JSON Lines file (bad lines go to ``log``)."""
    for number, line in iter_lines(path):
        try:
            yield Document.model_validate_json(line)
        except ValidationError as err:
            if log is None:
                raise
            log.reject(number, line, _first_error(err))


def enrich_file(
    source: Path,
    out: Path,
    rejects: Path,
    taxonomy: Taxonomy,
    embed: bool = False,
    progress: Progress | None = None,
) -> StageReport:
    """Tag every document of ``source`` with themes from ``taxonomy`` into ``out``."""
    report = StageReport("enrich", output=out)
    with atomic_writer(out) as fh, open(rejects, "a", encoding="utf-8") as rejects_fh:
        log = RejectsLog(rejects_fh, report, source)
        for batch in _batches(iter_documents_file(source, log), 64):
            tagged = [tag_document(document, taxonomy) for document in batch]
            if embed:
                _add_embeddings(tagged)
            for document in tagged:
                report.read += 1
                write_line(fh, document.model_dump(mode="json"))
                report.written += 1
                report.kinds.update(document.themes)
            if progress:
                progress(len(batch))
    return report


def _batches(items: Iterator[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _add_embeddings(documents: list[Document]) -> None:
    from shrinksearch.enrich import embed_texts  # optional dependency, imported only when asked

    vectors = embed_texts([f"{d.title}\n{d.text}" if d.kind == "post" else d.text for d in documents])
    for document, vector in zip(documents, vectors, strict=True):
        document.embedding = vector


def index_file(source: Path, client: Elasticsearch, alias: str, progress: Progress | None = None,
               privacy: CleanPrivacy | None = None) -> BulkReport:
    """Bulk-index every document of ``source`` into ``alias`` by its stable id (those
    ``privacy`` says were forgotten meanwhile left out)."""
    documents = iter_documents_file(source)
    if privacy is not None:
        documents = (d for d in documents if privacy.keeps(d))
    return index_documents(client, alias, documents, progress=progress)
