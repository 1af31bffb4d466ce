"""The index behind the alias: create it, describe it, rebuild it with zero downtime.

Indices are named ``<alias>-v<N>`` and the application only ever reads and writes
``<alias>``. A rebuild creates ``<alias>-v<N+1>`` from the newest ``index_config/``, fills
it (by copying the current index, or from source records by a flow) and flips the alias in
one ``update_aliases`` call, so readers never see a missing or half-filled index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, helpers

from shrinksearch.es.bulk import BulkReport, Progress, run_actions
from shrinksearch.es.config import IndexConfig, latest_config
from shrinksearch.exceptions import IndexNotReady
from shrinksearch.settings import Settings, get_settings


@dataclass(frozen=True)
class InitResult:
    """What ``init`` found or did."""

    alias: str
    index: str
    created: bool


@dataclass(frozen=True)
class IndexStatus:
    """What ``index status`` shows."""

    alias: str
    index: str
    documents: int
    by_kind: dict[str, int]
    mapping_version: int | None
    config_version: int
    health: str

    @property
    def migration_needed(self) -> bool:
        """The index was built from an older index_config than the newest one."""
        return self.mapping_version != self.config_version


@dataclass(frozen=True)
class MigrationResult:
    """What ``migrate`` did: the copy report and which indices were swapped."""

    alias: str
    old_index: str
    new_index: str
    documents: int
    copy: BulkReport
    deleted_old: bool


@dataclass
class IndexManager:
    """The versioned indices behind one alias, configured from ``config_dir``; ``shards`` and
    ``replicas``, when given, replace the configuration file's for new indices."""

    client: Elasticsearch
    alias: str
    config_dir: Path
    shards: int | None = None
    replicas: int | None = None

    @classmethod
    def from_settings(cls, client: Elasticsearch, settings: Settings | None = None) -> IndexManager:
        settings = settings or get_settings()
        return cls(client, settings.index_alias, settings.index_config_dir, settings.index_shards, settings.index_replicas)

    # --- naming ------------------------------------------------------------------

    def index_name(self, generation: int) -> str:
        return f"{self.alias}-v{generation}"

    def generations(self) -> dict[int, str]:
        """Every existing ``<alias>-v<N>`` index, by N (aliased or not)."""
        pattern = re.compile(rf"^{re.escape(self.alias)}-v(\d+)$")
        names = self.client.indices.get(
            index=f"{self.alias}-v*", features="aliases", allow_no_indices=True, expand_wildcards="all"
        )
        return {int(m.group(1)): m.group(0) for m in map(pattern.match, names) if m}

    def aliased_indices(self) -> list[str]:
        """The concrete indices the alias points at (one, when healthy)."""
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias))

    def current_index(self) -> str:
        """The one index behind the alias, or IndexNotReady."""
        indices = self.aliased_indices()
        if not indices:
            raise IndexNotReady(f"no index behind alias '{self.alias}'; run `shrinksearch index init`.")
        if len(indices) > 1:
            raise IndexNotReady(
                f"alias '{self.alias}' points at {', '.join(indices)}; remove it from all but one "
                "(POST /_aliases), then run `shrinksearch index status`."
            )
        return indices[0]

    # --- init --------------------------------------------------------------------

    def init(self) -> InitResult:
        """Make sure the alias points at an index; safe to run every time."""
        indices = self.aliased_indices()
        if indices:
            return InitResult(self.alias, self.current_index(), created=False)
        self._refuse_concrete_index_at_alias()
        existing = self.generations()
        if existing:
            # An interrupted init or a deleted alias: re-attach the newest index, keep its data.
            index = existing[max(existing)]
            self.client.indices.put_alias(index=index, name=self.alias)
            return InitResult(self.alias, index, created=False)
        index = self.index_name(1)
        created = self.create_index(index)
        self.client.indices.put_alias(index=index, name=self.alias)
        return InitResult(self.alias, index, created=created)

    def create_index(self, index: str, config: IndexConfig | None = None) -> bool:
        """Create ``index`` from ``config`` (the newest by default); False if it existed."""
        config = config or self.config()
        try:
            self.client.indices.create(index=index, settings=self._index_settings(config), mappings=config.mappings)
        except BadRequestError as err:
            # Another process created it first (parallel inits): that is the goal reached.
            if err.error != "resource_already_exists_exception":
                raise _config_refused(index, config, err) from None
            return False
        return True

    def config(self) -> IndexConfig:
        return latest_config(self.config_dir)

    def _index_settings(self, config: IndexConfig) -> dict:
        """The configuration's settings with the shard and replica counts asked for."""
        sizing = {"number_of_shards": self.shards, "number_of_replicas": self.replicas}
        return {**config.settings, **{key: value for key, value in sizing.items() if value is not None}}

    def _refuse_concrete_index_at_alias(self) -> None:
        # Writing through the alias before `init` auto-creates an unmapped index of that name.
        if self.client.indices.exists(index=self.alias):
            raise IndexNotReady(
                f"'{self.alias}' is an index, not an alias (written before `index init`); "
                f"delete it (DELETE /{self.alias}) and run `shrinksearch index init` again."
            )

    # --- status ------------------------------------------------------------------

    def status(self) -> IndexStatus:
        """Alias, index, document counts by kind, mapping version and health."""
        index = self.current_index()
        by_kind = self._counts_by_kind()
        meta = self.client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
        health = self.client.cluster.health(index=index)["status"]
        return IndexStatus(
            alias=self.alias,
            index=index,
            # _count counts top-level documents only; index stats would add nested theme tags.
            documents=self.client.count(index=self.alias)["count"],
            by_kind=by_kind,
            mapping_version=meta.get("mapping_version"),
            config_version=self.config().version,
            health=str(health),
        )

    def _counts_by_kind(self) -> dict[str, int]:
        resp = self.client.search(
            index=self.alias, size=0, aggs={"kinds": {"terms": {"field": "kind", "size": 10}}}
        )
        return {b["key"]: b["doc_count"] for b in resp["aggregations"]["kinds"]["buckets"]}

    # --- rebuild -----------------------------------------------------------------

    def next_index_for_rebuild(self) -> str:
        """Create the next, empty ``<alias>-v<N+1>`` from the newest index_config.

        N is the highest existing generation, so a leftover from an interrupted rebuild is
        never reused half-filled. Fill it, then call ``swap_alias``.
        """
        self.current_index()
        existing = self.generations()
        index = self.index_name(max(existing, default=0) + 1)
        self.create_index(index)
        return index

    def swap_alias(self, new_index: str, delete_old: bool = False) -> list[str]:
        """Point the alias at ``new_index`` in one atomic call; return the old indices."""
        self.client.indices.refresh(index=new_index)
        old = [i for i in self.aliased_indices() if i != new_index]
        actions: list[dict] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        if delete_old and old:
            self.client.indices.delete(index=old)
        return old

    def migrate(self, delete_old: bool = True, progress: Progress | None = None,
                skip: Callable[[str, dict[str, Any]], bool] | None = None) -> MigrationResult:
        """Rebuild the index from the newest index_config by copying every document.

        The copy is client-side (scan + streaming bulk): the integration-test distribution
        has no ``_reindex`` module, and this way a document the new mapping refuses is
        reported with its reason. The alias is only flipped when every document made it.
        ``skip(id, source)`` leaves documents out of the copy (forgotten ones).
        """
        old = self.current_index()
        new = self.next_index_for_rebuild()
        report = self._copy(old, new, progress, skip)
        copied = self.client.count(index=new)["count"]
        if not report.ok:
            self.client.indices.delete(index=new)
            first = report.failures[0]
            raise IndexNotReady(
                f"{report.failed} document(s) do not fit the new mapping (first: {first.id}: {first.reason}); "
                f"'{self.alias}' still points at {old}; fix index_config/ and run `shrinksearch index migrate` again."
            )
        self.swap_alias(new, delete_old=delete_old)
        return MigrationResult(self.alias, old, new, copied, report, delete_old)

    def _copy(self, source: str, target: str, progress: Progress | None,
              skip: Callable[[str, dict[str, Any]], bool] | None = None) -> BulkReport:
        hits = helpers.scan(self.client, index=source, size=500)
        actions = ({"_op_type": "index", "_id": h["_id"], "_source": h["_source"]} for h in hits
                   if skip is None or not skip(h["_id"], h["_source"]))
        return run_actions(self.client, target, actions, progress=progress, refresh=True)


def _config_refused(index: str, config: IndexConfig, err: BadRequestError) -> IndexNotReady:
    """The one-line reason Elasticsearch gave for refusing an index configuration."""
    reason = str(err.body.get("error", {}).get("reason", err.message)) if isinstance(err.body, dict) else err.message
    if "hunspell dictionary" in reason:
        fix = (
            "the node lacks that dictionary: start it with `shrinksearch node start`, "
            "or copy index_config/hunspell/<locale>/ into its config/hunspell/"
        )
    else:
        fix = f"fix {config.path.name} (only server-core analysis is available)"
    return IndexNotReady(f"Elasticsearch refused to create {index} from {config.path.name}: {reason}; {fix}.")
