"""What the responsible-use tests share: the sample network's people, and searches of a data
directory and of every index version for what must be gone."""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from elasticsearch import Elasticsearch

from shrinksearch.clean import author_key, html_to_text
from shrinksearch.privacy.identity import Identity, identify_text
from shrinksearch.samples.network import Blog


@dataclass(frozen=True)
class Person:
    """A commenter of a sample blog: their name, key, comment ids and own words."""

    name: str
    key: str
    comment_ids: frozenset[str]
    snippets: tuple[str, ...]
    """A distinctive piece of each of their comments that nobody else quotes."""


def most_discussed_commenter(blog: Blog) -> Person:
    """The commenter with the most comments whose name others use (moviedoc in shrink-notes)."""
    bloggers = {author_key(a.name) for a in blog.authors}
    comments = [(c, author_key(c.author)) for p in blog.posts for c, _ in p.walk() if c.author]
    counts: dict[str, int] = {}
    for _, key in comments:
        if key not in bloggers and key != "anonymous":
            counts[key] = counts.get(key, 0) + 1
    key = max(counts, key=lambda k: (counts[k], k))
    theirs = [c for c, k in comments if k == key]
    others = " ".join(c.body for c, k in comments if k != key) + " ".join(p.body for p in blog.posts)
    snippets = []
    for comment in theirs:
        text = html_to_text(comment.body)
        middle = text[len(text) // 4: len(text) // 4 + 40].strip()
        if len(middle) >= 20 and middle not in others:
            snippets.append(middle)
    return Person(theirs[0].author, key, frozenset(c.id for c in theirs), tuple(snippets))


def files_under(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    for dirpath, _, filenames in os.walk(folder):
        if skip is not None and Path(dirpath).resolve().is_relative_to(skip.resolve()):
            continue
        for name in filenames:
            yield Path(dirpath) / name


def records_by(data_dir: Path, key: str, skip: Path | None = None) -> list[tuple[Path, Identity]]:
    """Every JSON line under ``data_dir`` (raw, run files, rejects) written by ``key``."""
    found = []
    for path in files_under(data_dir, skip):
        if ".jsonl" not in path.name:
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            who = identify_text(line)
            if who is not None and who.author_key == key:
                found.append((path, who))
    return found


def readable_bytes(path: Path) -> bytes:
    """A file's bytes; a cached response body is decompressed as its headers say."""
    data = path.read_bytes()
    if path.name != "response_body":
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    headers = (path.parent / "response_headers").read_bytes()
    if headers[:2] == b"\x1f\x8b":  # HTTPCACHE_GZIP: the stored files are gzipped, once
        headers, data = gzip.decompress(headers), gzip.decompress(data)
    if re.search(rb"(?im)^content-encoding:\s*gzip", headers):
        data = gzip.decompress(data)
    elif re.search(rb"(?im)^content-encoding:\s*deflate", headers):
        data = zlib.decompress(data)
    return data


def files_showing(folder: Path, needle: str, skip: Path | None = None) -> list[Path]:
    """Files whose content shows ``needle`` (case-insensitive, also JSON-escaped)."""
    spellings = {needle.lower().encode(), json.dumps(needle)[1:-1].lower().encode()}
    return [p for p in files_under(folder, skip) if any(s in readable_bytes(p).lower() for s in spellings)]


def index_versions(client: Elasticsearch, alias: str) -> list[str]:
    return sorted(client.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all"))


def count_everywhere(client: Elasticsearch, alias: str, query: dict) -> dict[str, int]:
    """Documents matching ``query`` in every version of the index behind ``alias``."""
    return {index: client.count(index=index, query=query)["count"] for index in index_versions(client, alias)}


def files_showing_their_own(folder: Path, person: Person, skip: Path | None = None) -> list[Path]:
    """Files that show ``person``'s name other than in what others wrote about them: any
    file showing it, except JSON Lines whose every line showing it is someone else's record
    (a reply naming them is not theirs and stays)."""
    spellings = {person.name.lower(), json.dumps(person.name)[1:-1].lower()}

    def only_others(path: Path) -> bool:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                 if any(s in line.lower() for s in spellings)]
        return all((who := identify_text(line)) is not None and who.author_key != person.key for line in lines)

    return [p for p in files_showing(folder, person.name, skip) if not (".jsonl" in p.name and only_others(p))]
