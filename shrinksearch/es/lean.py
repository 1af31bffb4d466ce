"""Importing the Elasticsearch client without the HTTP libraries it never uses here.

elastic_transport imports aiohttp, httpx and requests when they are installed (Prefect,
Scrapy and the test tools bring all three) only to offer them as node classes; the
project's synchronous client talks through urllib3. httpx alone pulls in rich's and click's
command-line machinery. Hidden while the client is imported, none of them is loaded: a CLI
search starts about a third faster (``python -m bench cli``). They stay importable
afterwards for whoever needs them (hybrid search's embedding model, Prefect).
"""

from __future__ import annotations

import sys

OPTIONAL_BACKENDS = ("aiohttp", "httpx", "requests")


def import_client() -> None:
    """Import ``elasticsearch`` with elastic_transport's optional HTTP backends hidden
    (a ``None`` in ``sys.modules`` makes ``import aiohttp`` fail, which it expects);
    nothing to do when the client is already imported."""
    if "elasticsearch" in sys.modules:
        return
    hidden = [name for name in OPTIONAL_BACKENDS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import elasticsearch  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
