"""A plain static file server for saved copies of websites: wget mirrors and our fixtures.

Real blogs often reach us as archives: ``wget --mirror`` output, HTTrack copies, the
Wayback Machine. Those tools store a URL's query string in the file name (``default?alt=rss``,
``default%3Falt=rss``, U+F03F in place of ``?`` on some file systems, ``-`` or ``@`` with
Windows-safe names, where ``:`` becomes ``_`` too), add a suffix for the content type
(``.html``, ``.rss``) and rewrite links to point at those files. This server answers a
request the way a plain static file server in front of such a copy would — nothing more:
a URL the copy did not save answers 404.

Two extras make fixtures able to reproduce real servers exactly: a sidecar file
``<name>.headers`` adds response headers (``Name: value`` lines; ``Status: 410`` sets the
status), and a directory answers with its ``index.html``.

``mirror_app(root)`` is the Starlette app; ``running_mirror(root)`` serves it on a
background thread (tests, benchmarks) and yields the base URL.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUERY_SEPARATORS = ("?", "%3F", "\uf03f", "@", "-")
"""How saving tools write the ``?`` of a URL into a file name (wget, wget with
``--restrict-file-names=windows``, HTTrack-style copies)."""

SUFFIXES = ("", ".html", ".htm", ".xml", ".rss", ".atom", ".json", ".txt")
"""Suffixes a saving tool may have added for the content type (wget's ``--adjust-extension``)."""

_SNIFF = (
    (b"<rss", "application/rss+xml"),
    (b"<feed", "application/atom+xml"),
    (b"<urlset", "application/xml"),
    (b"<sitemapindex", "application/xml"),
    (b"<!doctype html", "text/html"),
    (b"<html", "text/html"),
)


def candidate_names(path: str, query: str) -> Iterator[str]:
    """File names (relative to the copy's root) that may hold the URL ``path?query``: ``path``
    already decoded (as a server decodes it once: a saved name may itself hold ``%3F``),
    ``query`` as sent."""
    relative = path.lstrip("/")
    bases = [relative]
    if query:
        raw = unquote(query)
        # a directory's URL with a query is saved by wget as its index.html plus the query
        # ("/?p=501" → "index.html?p=501.html"), by other savers as the query alone ("@p=501")
        files = dict.fromkeys([relative + "index.html" if relative == "" or relative.endswith("/") else relative,
                               relative])
        bases = [file + sep + q for file in files for q in dict.fromkeys((raw, raw.replace(":", "_")))
                 for sep in QUERY_SEPARATORS]
    for base in bases:
        if base == "" or base.endswith("/"):
            yield base + "index.html"
            continue
        for suffix in SUFFIXES:
            yield base + suffix
        yield base + "/index.html"


def find_file(root: Path, path: str, query: str) -> Path | None:
    """The saved file answering ``path?query``, or None; never a file outside ``root``."""
    resolved_root = root.resolve()
    for name in candidate_names(path, query):
        candidate = (resolved_root / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(resolved_root) and not name.endswith(".headers"):
            return candidate
    return None


def media_type(file: Path, body: bytes) -> str:
    """The content type a static server would send: from the suffix, else sniffed."""
    if file.name.endswith(".xml.gz") or file.suffix == ".gz":
        return "application/x-gzip"
    guessed, _ = mimetypes.guess_type(file.name)
    if guessed and file.suffix:
        return guessed
    head = body[:512].lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2:].lstrip()
        while head.startswith(b"<?") or head.startswith(b"<!--"):  # stylesheet PIs, comments
            head = head[head.find(b">") + 1:].lstrip()
    for prefix, kind in _SNIFF:
        if head.startswith(prefix):
            return kind
    if head[:1] in (b"{", b"["):
        return "application/json"
    if head.startswith(b"<"):
        return "application/xml"
    return "text/plain"


def sidecar_headers(file: Path) -> tuple[int, dict[str, str]]:
    """Status and headers from ``<file>.headers``, if the copy has one."""
    sidecar = file.with_name(file.name + ".headers")
    status, headers = 200, {}
    if sidecar.is_file():
        for line in sidecar.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition(":")
            if not sep:
                continue
            if name.strip().lower() == "status":
                status = int(value.strip())
            else:
                headers[name.strip()] = value.strip()
    return status, headers


def mirror_app(root: Path) -> Starlette:
    """A Starlette app serving the saved copy under ``root``."""

    async def serve_file(request: Request) -> Response:
        # the path decoded once, as any static server decodes it: a link to a saved name
        # holding "%3F" is written "%253F" and must reach that name
        file = find_file(root, request.scope["path"], request.url.query)
        if file is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        body = file.read_bytes()
        status, headers = sidecar_headers(file)
        kind = headers.pop("Content-Type", None) or media_type(file, body)
        if kind.startswith("text/") and "charset" not in kind:
            kind += "; charset=utf-8"
        return Response(body, status_code=status, headers=headers, media_type=kind)

    return Starlette(routes=[Route("/{path:path}", serve_file, methods=["GET", "HEAD"])])


@contextmanager
def running_mirror(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``root`` on a background thread; yields the base URL (no trailing slash)."""
    from .server import running_app

    with running_app(mirror_app(root), host=host, port=port) as base_url:
        yield base_url
