"""Politeness across workers: a host is crawled by one crawl at a time, whichever worker runs it.

Each host (``host:port`` of the blog's URL) gets a Prefect global concurrency limit of 1
named ``crawl-host:<host>``, created the first time a crawl of that host starts. A crawl holds
its host's slot for its whole length and ``gap`` seconds more, so the next crawl of the host —
on this worker or any other — starts at least that long after this one's last request: the
≥ 1 s per-host delay that Scrapy keeps inside one crawl holds between crawls too.

The slot is a lease the holder keeps renewing; when a worker dies holding one, Prefect frees
it once the lease runs out (``LEASE_SECONDS``), so a dead worker blocks its host for about a
minute at most.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from crawlers.politeness import MIN_DELAY

LEASE_SECONDS = 60
"""The shortest lease Prefect grants; renewed while the crawl runs."""
HOST_GAP_SECONDS = MIN_DELAY
"""Seconds the next crawl of a host waits after this one ended (the crawlers' own minimum delay)."""


def host_limit_name(url: str) -> str:
    """The concurrency limit of the host ``url`` is on, e.g. ``crawl-host:127.0.0.2:8765``."""
    return f"crawl-host:{urlsplit(url).netloc.lower()}"


def ensure_host_limit(name: str) -> None:
    """Create the host's limit (1 crawl at a time) unless it exists; harmless when two workers race."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
            return
        except ObjectNotFound:
            pass
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
        except ObjectAlreadyExists:
            pass  # another worker created it first


@contextmanager
def host_slot(url: str, gap: float = HOST_GAP_SECONDS) -> Iterator[None]:
    """Hold the one crawl slot of ``url``'s host while the body runs, and ``gap`` seconds after."""
    name = host_limit_name(url)
    ensure_host_limit(name)
    # A renewal that fails once (the API busy) must not kill a crawl: the lease has a minute left.
    with concurrency(name, occupy=1, lease_duration=LEASE_SECONDS, strict=True, raise_on_lease_renewal_failure=False):
        try:
            yield
        finally:
            time.sleep(gap)
