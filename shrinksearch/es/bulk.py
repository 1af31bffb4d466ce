"""Writing and reading documents in bulk, streaming: nothing holds the whole corpus.

``index_documents`` sends ``Document``s with their stable ids (a re-run overwrites, never
duplicates), retries back-pressure (429) with exponential backoff, and reports every
document Elasticsearch refused with its reason instead of stopping the run. Requests go
out over ``BULK_LANES`` connections at once (see ``_in_lanes``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

from shrinksearch.exceptions import IndexNotReady
from shrinksearch.records import Document, ThemeTag

Progress = Callable[[int], None]
"""Called with how many more documents were processed (rich's ``advance`` fits)."""

Action = dict[str, Any]

RETRY_ON_STATUS = (429, 503)
"""Per-document statuses retried with backoff: back-pressure and shards briefly unavailable."""

BULK_LANES = 4
"""Bulk requests in flight at once (``parallel_bulk``'s default too). With one, Elasticsearch
waits while the next chunk is built and a multi-core node indexes on one core: 0.58 of
``parallel_bulk`` at 100k documents on 2 cores (bench/bench_index.py); 2 lanes gave 0.88,
3 and 4 about 0.98. Each id always takes the same lane, so the writes of one document keep
their order."""


@dataclass(frozen=True)
class BulkFailure:
    """One document Elasticsearch refused, and why."""

    id: str
    status: int
    reason: str


@dataclass
class BulkReport:
    """What a bulk run did: counts, plus the refused documents (the first ``max_failures``)."""

    indexed: int = 0
    created: int = 0
    failed: int = 0
    failures: list[BulkFailure] = field(default_factory=list)
    max_failures: int = 1000

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def record(self, ok: bool, item: Mapping[str, Any]) -> None:
        """Count one result of ``streaming_bulk``."""
        op_result = next(iter(item.values()))
        if ok:
            self.indexed += 1
            self.created += op_result.get("result") == "created"
            return
        self.failed += 1
        # The list is capped so a systematic failure over a big corpus stays small.
        if len(self.failures) < self.max_failures:
            self.failures.append(_failure(op_result))


def index_documents(
    client: Elasticsearch,
    target: str,
    docs: Iterable[Document],
    chunk_size: int = 500,
    max_retries: int = 5,
    initial_backoff: float = 1.0,
    progress: Progress | None = None,
    refresh: bool = False,
) -> BulkReport:
    """Index ``docs`` into ``target`` (the alias, or a new index during a rebuild)."""
    actions = (document_action(doc) for doc in docs)
    return run_actions(client, target, actions, chunk_size, max_retries, initial_backoff, progress, refresh)


def document_action(doc: Document) -> Action:
    """The bulk ``index`` action of one document: its stable id and its ``_source``."""
    return {"_op_type": "index", "_id": doc.id, "_source": doc.to_source()}


def run_actions(
    client: Elasticsearch,
    target: str,
    actions: Iterable[Action],
    chunk_size: int = 500,
    max_retries: int = 5,
    initial_backoff: float = 1.0,
    progress: Progress | None = None,
    refresh: bool = False,
) -> BulkReport:
    """Stream raw bulk actions into ``target``; each failure is recorded, never raised."""
    is_alias = _require_target(client, target)
    report = BulkReport()
    options: dict[str, Any] = {
        "index": target,
        "chunk_size": chunk_size,
        "raise_on_error": False,
        "raise_on_exception": False,
        "max_retries": max_retries,
        "initial_backoff": initial_backoff,
        "max_backoff": 60,
        "retry_on_status": RETRY_ON_STATUS,
        # Writing through a missing alias must fail, not auto-create an unmapped index.
        "require_alias": is_alias,
    }
    for ok, item in _in_lanes(client, actions, options):
        report.record(ok, item)
        if progress:
            progress(1)
    if refresh:
        client.indices.refresh(index=target)
    return report


_END = object()
_BATCH = 100  # actions or results handed between threads at once (a queue operation each)


def _in_lanes(client: Elasticsearch, actions: Iterable[Action], options: dict[str, Any],
              lanes: int | None = None) -> Iterator[tuple[bool, Any]]:
    """``streaming_bulk`` results over ``lanes`` threads, each with its own requests in flight.

    A feeder thread deals the actions out by id; each lane runs ``streaming_bulk`` (with its
    retries) on its share; the results, and the first exception of any thread (a lost
    connection, a bad input line), come back to the caller's thread, which re-raises it
    after the other threads stopped.
    """
    lanes = BULK_LANES if lanes is None else lanes
    if lanes <= 1:
        yield from helpers.streaming_bulk(client, actions, **options)
        return
    depth = max(1, int(options.get("chunk_size", 500)) // _BATCH)  # a lane's next chunk, ready when it is free
    inboxes: list[queue.Queue[Any]] = [queue.Queue(maxsize=depth) for _ in range(lanes)]
    results: queue.Queue[Any] = queue.Queue(maxsize=4 * lanes)
    stop = threading.Event()

    def feed() -> None:
        batches: list[list[Action]] = [[] for _ in inboxes]
        try:
            for action in actions:
                lane = hash(str(action.get("_id", ""))) % lanes
                batches[lane].append(action)
                if len(batches[lane]) == _BATCH:
                    if not _put(inboxes[lane], batches[lane], stop):
                        return
                    batches[lane] = []
            for inbox, batch in zip(inboxes, batches):
                if batch and not _put(inbox, batch, stop):
                    return
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread, raised there
            _put(results, err, stop)
        finally:
            for inbox in inboxes:
                _put(inbox, _END, stop)

    def send(inbox: queue.Queue[Any]) -> None:
        done: list[tuple[bool, Any]] = []
        try:
            for result in helpers.streaming_bulk(client, _drain(inbox, stop), **options):
                done.append(result)
                if len(done) == _BATCH:
                    if not _put(results, done, stop):
                        return
                    done = []
            if done:
                _put(results, done, stop)
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread, raised there
            _put(results, err, stop)
        finally:
            results.put(_END)

    threads = [threading.Thread(target=feed, name="bulk-feed", daemon=True)]
    threads += [threading.Thread(target=send, args=(inbox,), name=f"bulk-lane-{n}", daemon=True) for n, inbox in enumerate(inboxes)]
    for thread in threads:
        thread.start()
    error: BaseException | None = None
    try:
        ended = 0
        while ended < lanes:
            got = results.get()
            if got is _END:
                ended += 1
            elif isinstance(got, BaseException):
                error = error or got
                stop.set()
            elif error is None:
                yield from got
    finally:
        stop.set()
        for thread in threads:  # a lane may still be putting its last result: keep emptying
            while thread.is_alive():
                _empty(results)
                thread.join(0.05)
    if error is not None:
        raise error


def _put(box: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put unless told to stop (then False): never blocks forever on a full queue."""
    while not stop.is_set():
        try:
            box.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _empty(box: queue.Queue[Any]) -> None:
    try:
        while True:
            box.get_nowait()
    except queue.Empty:
        pass


def _drain(inbox: queue.Queue[Any], stop: threading.Event) -> Iterator[Action]:
    while not stop.is_set():
        try:
            batch = inbox.get(timeout=0.1)
        except queue.Empty:
            continue
        if batch is _END:
            return
        yield from batch


def iter_documents(
    client: Elasticsearch, target: str, query: Mapping[str, Any] | None = None, size: int = 500
) -> Iterator[Document]:
    """Every document matching ``query`` (all by default), streamed with a scroll."""
    body = {"query": dict(query)} if query else None
    for hit in helpers.scan(client, query=body, index=target, size=size):
        yield Document.model_validate({"id": hit["_id"], **hit["_source"]})


def update_tags(
    client: Elasticsearch,
    target: str,
    tags: Iterable[tuple[str, list[ThemeTag], str | None]],
    chunk_size: int = 500,
    progress: Progress | None = None,
    refresh: bool = False,
) -> BulkReport:
    """Replace the theme tags of existing documents: (id, tags, taxonomy_version) triples."""
    actions = (_tags_action(doc_id, doc_tags, version) for doc_id, doc_tags, version in tags)
    return run_actions(client, target, actions, chunk_size, progress=progress, refresh=refresh)


def _tags_action(doc_id: str, tags: list[ThemeTag], taxonomy_version: str | None) -> Action:
    # A partial update: only these fields change; text, html and dates stay as indexed.
    doc: dict[str, Any] = {
        "themes": [t.theme for t in tags],
        "theme_tags": [t.model_dump(mode="json") for t in tags],
        "taxonomy_version": taxonomy_version,
    }
    return {"_op_type": "update", "_id": doc_id, "doc": doc}


def _require_target(client: Elasticsearch, target: str) -> bool:
    """Whether ``target`` is an alias; IndexNotReady when it is neither alias nor index."""
    if client.indices.exists_alias(name=target):
        return True
    if client.indices.exists(index=target):
        return False
    raise IndexNotReady(f"no index or alias '{target}' in Elasticsearch; run `shrinksearch index init`.")


def _failure(op_result: Mapping[str, Any]) -> BulkFailure:
    error = op_result.get("error", "unknown error")
    if isinstance(error, Mapping):
        # Elasticsearch nests the root cause; its type + reason is the useful line.
        cause = error.get("caused_by") or {}
        reason = f"{error.get('type')}: {error.get('reason')}"
        if cause:
            reason += f" ({cause.get('type')}: {cause.get('reason')})"
    else:
        reason = str(error)
    return BulkFailure(str(op_result.get("_id")), int(op_result.get("status", 0)), reason)
