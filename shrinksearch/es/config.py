"""The index configuration as data: reading ``index_config/index-v<N>.json``.

Each file holds the settings and mappings of one mapping version; the newest file is what
new indices are built from. The version is also stored in the mapping's ``_meta`` so
``index status`` can say which configuration an existing index was built from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shrinksearch.exceptions import IndexNotReady

_CONFIG_NAME = re.compile(r"^index-v(\d+)\.json$")


@dataclass(frozen=True)
class IndexConfig:
    """One mapping version: the body sent to ``indices.create``."""

    version: int
    path: Path
    settings: dict[str, Any]
    mappings: dict[str, Any]

    def fields(self) -> list[str]:
        """Top-level field names the mapping declares (for docs and checks)."""
        return sorted(self.mappings["properties"])


def config_versions(config_dir: Path) -> dict[int, Path]:
    """Every ``index-v<N>.json`` in the directory, by N."""
    found = (_CONFIG_NAME.match(p.name) for p in config_dir.glob("index-v*.json"))
    return {int(m.group(1)): config_dir / m.group(0) for m in found if m}


def load_config(path: Path) -> IndexConfig:
    """Read one configuration file; its ``_meta.mapping_version`` must match its name."""
    match = _CONFIG_NAME.match(path.name)
    body = _read_json(path)
    version = body.get("mappings", {}).get("_meta", {}).get("mapping_version")
    if match is None or version != int(match.group(1)):
        raise IndexNotReady(
            f"{path} must be named index-v<N>.json with mappings._meta.mapping_version N; fix the file."
        )
    return IndexConfig(version, path, body["settings"], body["mappings"])


def latest_config(config_dir: Path) -> IndexConfig:
    """The newest mapping version in ``config_dir``: what new indices are built from."""
    versions = config_versions(config_dir)
    if not versions:
        raise IndexNotReady(
            f"no index-v<N>.json in {config_dir}; set SHRINKSEARCH_INDEX_CONFIG_DIR to the project's index_config/."
        )
    return load_config(versions[max(versions)])


def _read_json(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise IndexNotReady(f"cannot read index configuration {path} ({err}); fix or restore the file.") from None
    if not isinstance(body, dict) or not {"settings", "mappings"} <= body.keys():
        raise IndexNotReady(f"{path} must be a JSON object with 'settings' and 'mappings'; fix the file.")
    return body
