"""Helpers for the fault tests: a node of their own, and documents to index.

``own_node(**settings)`` starts a second embedded Elasticsearch node (the project's
``NodeManager``) on a spare port with its own home, and stops and removes it afterwards,
so a test may stop, restart or secure it without touching the session node.
``write_documents`` writes a JSON Lines file of enriched-stage ``Document``s with stable
ids, as the index task reads them.
"""

from __future__ import annotations

import random
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shrinksearch.node import NodeManager
from shrinksearch.records import Document, post_doc_id
from shrinksearch.settings import get_settings

WORDS = ("transference vacation therapist abandonment session lithium insurance rapport holiday "
         "supervision boundaries countertransference termination residency").split()


def spare_port(first: int = 9300, last: int = 9349) -> int:
    """A free port in first..last, picked at random so parallel runs rarely meet; never 9200.

    The fault tests take 9300-9349; test_node.py takes 9250-9299."""
    for port in random.sample(range(first, last + 1), last - first + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


@contextmanager
def own_node(**updates: Any) -> Iterator[NodeManager]:
    """A started node of the test's own; ``updates`` are Settings fields (e.g. security)."""
    if isinstance(updates.get("es_password"), str):  # model_copy does not validate
        updates["es_password"] = SecretStr(updates["es_password"])
    # Under /tmp: when root runs the tests, the node user must enter the home.
    home = Path(tempfile.mkdtemp(prefix="shrinksearch-fault-node-"))
    port = spare_port()
    settings = get_settings().model_copy(update={
        "node_home": home, "node_port": port, "node_heap": "1g", "es_url": f"http://127.0.0.1:{port}",
        "node_security": False, "es_password": None, **updates,
    })
    manager = NodeManager(settings)
    try:
        manager.start()
        yield manager
    finally:
        manager.stop()
        shutil.rmtree(manager.home.root, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def document(i: int) -> Document:
    """The i-th generated post: a few hundred words, a stable id from its URL."""
    url = f"http://faults.test/outage/{i}.html"
    text = " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(120))
    return Document(
        id=post_doc_id(url), kind="post", blog="Outage", blog_url="http://faults.test/outage/", platform="generic",
        url=url, title=f"Post {i}", author="Ann", author_key="ann", author_role="blogger", post_id=post_doc_id(url),
        crawled=datetime(2024, 1, 1, tzinfo=timezone.utc), text=text,
    )


def write_documents(path: Path, count: int) -> list[str]:
    """Write ``count`` documents to ``path`` (JSON Lines); their ids, in order."""
    ids = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            doc = document(i)
            fh.write(doc.model_dump_json() + "\n")
            ids.append(doc.id)
    return ids
