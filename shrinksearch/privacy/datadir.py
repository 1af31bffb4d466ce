"""Removing what a ``Matcher`` covers from everything under the data directory.

What the pipeline keeps there (``crawlers.runner``, ``flows.pipeline``):

- JSON Lines: crawl outputs ``raw/*.jsonl`` (and ``.part`` of unfinished crawls), the
  crawlers' ``*.rejects.jsonl``, the flows' ``runs/<time>/`` (``crawl-*.jsonl``,
  ``cleaned.jsonl``, ``enriched.jsonl`` with the embeddings, ``rejects.jsonl``) and the
  upstream deletions ``*.deletions.jsonl``: every line is identified
  (``identity.identify``) and the matching ones are dropped; a file left empty is deleted.
- Incremental state ``state/<blog>.json``: matching posts (with their validators) and
  comment ids are dropped.
- Per blog ``jobs/<blog>/``: the HTTP cache (an entry whose URL or body shows what is
  forgotten is deleted; one that cannot be read is deleted too), Scrapy's JOBDIR of a paused
  crawl (pickled requests carry thread contents: deleted when they show it, the next run
  walks the blog again) and the logs (matching lines dropped). A forgotten blog's whole job
  directory goes.

Bodies, pickles and logs are searched for ``Needles``: the names, URLs and comment ids
the matching records showed.
"""

from __future__ import annotations

import ast
import gzip
import html
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import orjson

from crawlers.urls import canonical_url
from shrinksearch.pipeline.jsonl import atomic_writer
from shrinksearch.records import comment_doc_id, post_doc_id

from .identity import Identity, identify, identify_text
from .tombstones import Matcher

JSONL_SUFFIXES = (".jsonl", ".jsonl.part")
TEXT_LOGS = ("crawl.log", "requests.log")


@dataclass
class Needles:
    """Strings whose presence in an opaque file (a cached body, a pickle, a log) means it
    holds something forgotten."""

    names: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    comment_ids: set[str] = field(default_factory=set)

    def add_found(self, who: Identity, with_name: bool) -> None:
        if with_name and who.author:
            self.names.add(who.author)
        if who.comment_id:
            self.comment_ids.add(who.comment_id)

    def pattern(self) -> re.Pattern[bytes] | None:
        """One regex over bytes for every needle, in the spellings files use (UTF-8,
        JSON-escaped, HTML-escaped); comment ids only as whole tokens."""
        texts: set[str] = set()
        for value in self.names | self.urls:
            texts |= {value, json.dumps(value)[1:-1], html.escape(value), json.dumps(value).replace("/", "\\/")[1:-1]}
        parts = [re.escape(t.encode()) for t in sorted(texts) if len(t) >= 3]
        parts += [rb"(?<![\w-])" + re.escape(c.encode()) + rb"(?!\w)" for c in sorted(self.comment_ids)]
        return re.compile(b"|".join(parts)) if parts else None


@dataclass
class DataDirReport:
    """What was (or would be) removed under the data directory."""

    records: int = 0
    files_changed: int = 0
    files_deleted: int = 0
    cache_entries: int = 0
    found: list[Identity] = field(default_factory=list)

    @property
    def files(self) -> int:
        return self.files_changed + self.files_deleted + self.cache_entries


@dataclass
class DataDirScrubber:
    """One pass over a data directory for one matcher."""

    data_dir: Path
    matcher: Matcher
    needles: Needles
    skip: Path | None = None
    """A directory never touched (the privacy directory, which lives here by default)."""
    dry_run: bool = False
    names_are_needles: bool = False
    """Whether matched records' author names mark files (an author was forgotten)."""
    gone_posts: set[str] = field(default_factory=set)
    """Canonical URLs of posts whose whole thread goes."""
    gone_comments: set[tuple[str, str]] = field(default_factory=set)
    """(post URL, comment id) of comments that go."""
    report: DataDirReport = field(default_factory=DataDirReport)

    def run(self, found: Iterable[Identity] = ()) -> DataDirReport:
        """Scrub everything; ``found`` are identities already matched elsewhere (the index)."""
        for who in found:
            self._note(who)
        if not self.data_dir.exists():
            return self.report
        for path in self._files(JSONL_SUFFIXES):
            self._scrub_jsonl(path)
        for path in self._files((".json",), under="state"):
            self._scrub_state(path)
        pattern = self.needles.pattern()  # complete now: only the records above add needles
        jobs = self.data_dir / "jobs"
        for job in sorted(jobs.iterdir()) if jobs.is_dir() else ():
            if job.is_dir():
                self._scrub_job(job, pattern)
        return self.report

    # --- bookkeeping ----------------------------------------------------------------
    def _note(self, who: Identity) -> None:
        """Remember a matched record: its post's thread or its comment goes from the state,
        the cache and the job files too."""
        self.needles.add_found(who, self.names_are_needles)
        if who.post_url is None:
            return
        if who.comment_id is not None:
            self.gone_comments.add((who.post_url, who.comment_id))
        elif who.doc_id == who.post_doc_id:
            self.gone_posts.add(who.post_url)

    def _files(self, suffixes: tuple[str, ...], under: str | None = None) -> Iterator[Path]:
        root = self.data_dir / under if under else self.data_dir
        if not root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            if self.skip is not None and _inside(here, self.skip):
                dirnames[:] = []
                continue
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(suffixes) and not name.startswith("."):
                    yield here / name

    # --- JSON Lines -----------------------------------------------------------------
    def _scrub_jsonl(self, path: Path) -> None:
        """Two passes, so memory stays flat however big the file: find the matching lines,
        then (only if there are any) copy the others to a new file."""
        matched: set[int] = set()
        lines = 0
        with path.open("rb") as fh:
            for number, raw in enumerate(fh):
                who = _identify_line(raw)
                if who is not None and self.matcher.matches(who):
                    matched.add(number)
                    self._note(who)
                lines += 1
        if not matched:
            return
        self.report.records += len(matched)
        if len(matched) == lines:
            self._delete_file(path)
            return
        self.report.files_changed += 1
        if not self.dry_run:
            with path.open("rb") as fh, _replacing(path) as out:
                out.writelines(raw for number, raw in enumerate(fh) if number not in matched)

    def _rewrite(self, path: Path, lines: list[bytes]) -> None:
        """Replace a small file (a log) by the lines kept; delete it when none are left."""
        if not any(line.strip() for line in lines):
            self._delete_file(path)
            return
        self.report.files_changed += 1
        if not self.dry_run:
            with _replacing(path) as out:
                out.write(b"".join(lines))

    def _delete_file(self, path: Path) -> None:
        self.report.files_deleted += 1
        if not self.dry_run:
            path.unlink(missing_ok=True)

    # --- incremental state ------------------------------------------------------------
    def _scrub_state(self, path: Path) -> None:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        posts: dict[str, Any] = state.get("posts", {})
        validators: dict[str, Any] = state.get("validators", {})
        changed = 0
        for url in list(posts):
            if self._post_goes(url):
                del posts[url]
                validators.pop(url, None)
                changed += 1
                continue
            comments = posts[url].get("comments", [])
            kept = [c for c in comments if not self._comment_goes(url, str(c))]
            if len(kept) != len(comments):
                posts[url]["comments"], changed = kept, changed + len(comments) - len(kept)
        for url in list(validators):
            if self._under_forgotten_blog(url):
                del validators[url]
                changed += 1
        if not changed:
            return
        self.report.records += changed
        if not posts and not validators:
            self._delete_file(path)
            return
        self.report.files_changed += 1
        if not self.dry_run:
            with atomic_writer(path) as fh:
                json.dump(state, fh)

    def _post_goes(self, url: str) -> bool:
        doc = post_doc_id(url)
        return url in self.gone_posts or self._under_forgotten_blog(url) or \
            self.matcher.matches(Identity(doc_id=doc, post_doc_id=doc, post_url=url))

    def _comment_goes(self, post_url: str, comment_id: str) -> bool:
        if (post_url, comment_id) in self.gone_comments:
            return True
        doc = comment_doc_id(post_url, comment_id)
        return self.matcher.matches(Identity(doc_id=doc, post_url=post_url, comment_id=comment_id))

    def _under_forgotten_blog(self, url: str) -> bool:
        """Whether ``url`` lies under a forgotten blog (every path prefix is a candidate root)."""
        if not self.matcher.blogs:
            return False
        return any(self.matcher.matches(Identity(blog_url=root)) for root in blog_roots_of(url))

    # --- per-blog job directories -----------------------------------------------------
    def _scrub_job(self, job: Path, pattern: re.Pattern[bytes] | None) -> None:
        run = _read_json(job / "run.json")
        if run and run.get("url") and self._under_forgotten_blog(run["url"]):
            self._delete_tree(job)
            return
        cache = job / "httpcache"
        if cache.is_dir():
            self._scrub_cache(cache, pattern)
        jobdir = job / "scrapy"
        if pattern is not None and jobdir.is_dir() and _any_file_contains(jobdir, pattern):
            self._delete_tree(jobdir)
            if run and run.get("status") == "paused" and not self.dry_run:  # its queue is gone: walk again
                (job / "run.json").write_text(json.dumps({**run, "status": "running"}), encoding="utf-8")
        for name in TEXT_LOGS:
            if pattern is not None and (job / name).exists():
                self._scrub_log(job / name, pattern)

    def _scrub_cache(self, cache: Path, pattern: re.Pattern[bytes] | None) -> None:
        for meta in sorted(cache.rglob("pickled_meta")):
            entry = meta.parent
            url = _cached_url(entry)
            if self._cached_page_goes(url) or (pattern is not None and _cached_body_shows(entry, pattern)):
                self.report.cache_entries += 1
                if not self.dry_run:
                    shutil.rmtree(entry, ignore_errors=True)

    def _cached_page_goes(self, url: str | None) -> bool:
        if url is None:
            return False
        canon = canonical_url(url)
        return canon in self.gone_posts or self._under_forgotten_blog(canon) or self._post_goes(canon)

    def _scrub_log(self, path: Path, pattern: re.Pattern[bytes]) -> None:
        lines = path.read_bytes().splitlines(keepends=True)
        kept = [line for line in lines if not pattern.search(line)]
        if len(kept) != len(lines):
            self.report.records += len(lines) - len(kept)
            self._rewrite(path, kept)

    def _delete_tree(self, path: Path) -> None:
        self.report.files_deleted += sum(len(files) for _, _, files in os.walk(path))
        if not self.dry_run:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` (keeping its permissions) when the block ends."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _identify_line(raw: bytes) -> Identity | None:
    try:  # orjson: parsing every line is most of a forget's time, ~3x faster than json
        return identify(orjson.loads(raw))
    except orjson.JSONDecodeError:  # a cut-off or blank line
        return identify_text(raw.decode("utf-8", errors="replace")) if raw.strip() else None


def blog_roots_of(url: str) -> list[str]:
    """Every URL that could be the root of the blog ``url`` is on: host, then each folder."""
    parts = urlsplit(canonical_url(url))
    base = f"{parts.scheme}://{parts.netloc}"
    folders = parts.path.split("/")[1:-1]
    return [f"{base}/"] + [f"{base}/{'/'.join(folders[:n])}/" for n in range(1, len(folders) + 1)]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _read_maybe_gzipped(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data  # HTTPCACHE_GZIP


def _cached_url(entry: Path) -> str | None:
    try:
        meta = ast.literal_eval(_read_maybe_gzipped(entry / "meta").decode("utf-8"))
    except (OSError, ValueError, SyntaxError):
        return None
    return meta.get("url") if isinstance(meta, dict) else None


def _cached_body_shows(entry: Path, pattern: re.Pattern[bytes]) -> bool:
    """Whether a cached response shows a needle; a body that cannot be decoded counts as
    showing one (a cache entry costs only a download to get back)."""
    try:
        raw_headers = (entry / "response_headers").read_bytes()
        stored_gzipped = raw_headers[:2] == b"\x1f\x8b"  # HTTPCACHE_GZIP: every file of the entry
        headers = gzip.decompress(raw_headers) if stored_gzipped else raw_headers
        body = (entry / "response_body").read_bytes()
        body = gzip.decompress(body) if stored_gzipped else body
    except OSError:
        return True
    encoding = re.search(rb"(?im)^content-encoding:\s*([\w-]+)", headers)
    try:
        body = _decode(body, encoding.group(1).lower() if encoding else b"identity")
    except (OSError, ValueError, zlib.error):
        return True
    return pattern.search(body) is not None


def _decode(body: bytes, encoding: bytes) -> bytes:
    if encoding in (b"identity", b""):
        return body
    if encoding in (b"gzip", b"x-gzip"):
        return gzip.decompress(body)
    if encoding == b"deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    raise ValueError(f"cannot decode {encoding!r}")


def _any_file_contains(folder: Path, pattern: re.Pattern[bytes]) -> bool:
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            try:
                if pattern.search((Path(dirpath) / name).read_bytes()):
                    return True
            except OSError:
                continue
    return False
