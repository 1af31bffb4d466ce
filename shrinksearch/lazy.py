"""Package exports imported on first use (PEP 562), so importing one small module of a
package does not import everything its ``__init__`` re-exports.

``import shrinksearch.search.builder`` runs ``shrinksearch/search/__init__.py`` first; with
eager re-exports that pulled in the service and the Elasticsearch client, and the CLI's
``--help`` paid for them. A package lists where each exported name lives instead::

    __getattr__ = lazy_exports(__name__, {"SearchService": "service", ...})

and keeps the eager imports under ``if TYPE_CHECKING:`` for mypy and readers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<homes[name]>`` when ``name`` is asked for."""

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    return __getattr__
