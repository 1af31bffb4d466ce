"""``shrinksearch forget`` and the ``forget`` flow: one person, blog, post or comment out of
the index and the data directory, kept out by a tombstone, with an audit line.

Order matters: the tombstone is written first (a crawl or pipeline run starting meanwhile
already leaves the records out), then every index version and every file under the data
directory are cleaned, then the tombstone gets its counts and the audit log a line. Running
the same forget again is safe: the same selector reuses its tombstone and removes whatever a
run interrupted half-way left.

The audit log (``<privacy dir>/audit.jsonl``) says when, what kind of selector and its hash,
how many documents, records and files, and by which command — never a name, a URL or a text.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from shrinksearch.es.client import connect, translate_errors
from shrinksearch.es.index import IndexManager
from shrinksearch.exceptions import UsageError
from shrinksearch.settings import Settings, get_settings, privacy_path

from .datadir import DataDirReport, DataDirScrubber, Needles
from .index import IndexRemoval, remove_documents
from .keys import PrivacyKeys
from .pseudonyms import NameRegistry
from .selectors import Selection, select
from .tombstones import Tombstone, TombstoneStore, now_utc

AUDIT_FILE = "audit.jsonl"


@dataclass
class ForgetResult:
    """What one forget did (or, with ``dry_run``, would do)."""

    tombstone: Tombstone
    index: IndexRemoval
    data: DataDirReport
    dry_run: bool
    reused: bool = False
    """The same selector had been forgotten before; its tombstone was kept."""

    def as_dict(self) -> dict[str, Any]:
        return {"tombstone": self.tombstone.id, "kind": self.tombstone.kind, "dry_run": self.dry_run,
                "documents": self.index.documents, "per_index": self.index.per_index,
                "records": self.data.records, "files": self.data.files, "cache_entries": self.data.cache_entries}


def forget(*, author: str | None = None, blog: str | None = None, url: str | None = None, dry_run: bool = False,
           command: str = "shrinksearch forget", settings: Settings | None = None,
           client: Elasticsearch | None = None) -> ForgetResult:
    """Forget an author (on one blog or everywhere), a blog, or a post or comment by URL."""
    settings = settings or get_settings()
    privacy_dir = privacy_path(settings)
    # a dry run changes nothing, not even by creating the secret (nothing is hashed to keep)
    keys = PrivacyKeys.load(privacy_dir, create=not dry_run) or PrivacyKeys(secrets.token_bytes(32))
    client = client or connect(settings)
    manager = IndexManager.from_settings(client, settings)
    with translate_errors(settings):
        selection = select(keys, author=author, blog=blog, url=url, client=client, alias=settings.index_alias,
                           settings=settings)
        tombstone, reused = (selection.tombstone(keys, command), False) if dry_run else _record(selection, keys, privacy_dir, command)
        removal = remove_documents(manager, selection.query(), dry_run=dry_run)
    data = _scrub(settings, selection, keys, removal, dry_run)
    if not dry_run:
        if selection.kind == "author":
            NameRegistry(privacy_dir).forget(selection.matcher(keys))
        tombstone = _count(privacy_dir, tombstone, removal, data)
        audit(privacy_dir, "forget", tombstone, command, documents=removal.documents, records=data.records, files=data.files)
    return ForgetResult(tombstone, removal, data, dry_run, reused)


def _record(selection: Selection, keys: PrivacyKeys, privacy_dir: Path, command: str) -> tuple[Tombstone, bool]:
    """Store the selection's tombstone, or find the one an earlier forget of it left."""
    new = selection.tombstone(keys, command)
    with TombstoneStore(privacy_dir).locked() as tombstones:
        for existing in tombstones:
            if existing.same_selector(new):
                return existing, True
        tombstones.append(new)
    return new, False


def _scrub(settings: Settings, selection: Selection, keys: PrivacyKeys, removal: IndexRemoval, dry_run: bool) -> DataDirReport:
    needles = Needles(urls=set(selection.blog_urls) if selection.kind == "blog" else set())
    if selection.kind == "url" and selection.post_url:
        if selection.comment_id is None:
            needles.urls.add(selection.post_url)
        else:
            needles.comment_ids.add(selection.comment_id)
    scrubber = DataDirScrubber(settings.data_dir, selection.matcher(keys), needles, skip=privacy_path(settings),
                               dry_run=dry_run, names_are_needles=selection.kind == "author")
    return scrubber.run(removal.found)


def _count(privacy_dir: Path, tombstone: Tombstone, removal: IndexRemoval, data: DataDirReport) -> Tombstone:
    """Add this run's counts to the stored tombstone."""
    with TombstoneStore(privacy_dir).locked() as tombstones:
        for stored in tombstones:
            if stored.id == tombstone.id:
                stored.documents += removal.documents
                stored.records += data.records
                stored.files += data.files
                return stored
    return tombstone


def list_tombstones(settings: Settings | None = None) -> list[Tombstone]:
    """Every tombstone, oldest first."""
    return sorted(TombstoneStore.from_settings(settings or get_settings()).load(), key=lambda t: t.created)


def undo(tombstone_id: str, command: str = "shrinksearch forget --undo", settings: Settings | None = None) -> Tombstone:
    """Lift one tombstone: the next crawl brings back what it kept out."""
    privacy_dir = privacy_path(settings or get_settings())
    with TombstoneStore(privacy_dir).locked() as tombstones:
        found = next((t for t in tombstones if t.id == tombstone_id), None)
        if found is None:
            known = ", ".join(t.id for t in tombstones) or "none"
            raise UsageError(f"no tombstone {tombstone_id!r}; `shrinksearch forget --list` shows them (known: {known})")
        tombstones.remove(found)
    audit(privacy_dir, "undo", found, command)
    return found


def audit(privacy_dir: Path, action: str, tombstone: Tombstone, command: str, **counts: int) -> None:
    """Append one line to the audit log: no name, no URL, no text."""
    selector = (tombstone.authors or tombstone.docs or tombstone.blogs or [""])[0]
    line = {"when": now_utc().isoformat(), "action": action, "tombstone": tombstone.id, "kind": tombstone.kind,
            "selector_hash": selector, "scoped_to_blogs": len(tombstone.blogs) if tombstone.kind == "author" else 0,
            **counts, "command": command}
    privacy_dir.mkdir(parents=True, exist_ok=True)
    with open(privacy_dir / AUDIT_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
