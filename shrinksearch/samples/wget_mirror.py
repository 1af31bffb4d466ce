"""The sample network saved the way ``wget --mirror`` saves sites: the wget-mirror mode.

Real blogs often reach a researcher as a saved copy. ``export_mirror`` writes the sample
network as GNU Wget 1.21 saves it with ``wget --mirror --convert-links --adjust-extension
--no-host-directories --no-parent https://blogs.example/<slug>/``, one blog after the other,
into one directory that ``shrinksearch.samples.mirror`` (a plain static file server) serves
on 127.0.0.1. The pages are rendered in this process by the network's own app, under the
made-up original host ``ORIGIN``, so a copy is the same on every machine and run.

What wget does, and so what the copy holds (``recur.c``, ``url.c``, ``convert.c``,
``html-url.c`` of wget 1.21):

- it walks breadth-first from the blog's home page, following the links of HTML pages only
  (``a``, ``area``, ``link``, ``img``, ``script``, ``iframe`` … — never the links inside a
  feed, a sitemap or a JSON response), within ``/<slug>/`` (``--no-parent``), obeying
  robots.txt (and ``<meta name=robots content=nofollow>``), up to ``--level``, minus what
  ``--reject-regex`` rejects (every blog rejects its never-ending events calendar, as
  anybody mirroring it would). So feeds no page links are missing: paged feeds, JSON feeds,
  the REST collections, Blogger's blog-wide comment feed, sitemaps named only in robots.txt;
- a file's name is its URL's path, unescaped, with ``?<query>`` appended (``@`` with
  ``--restrict-file-names=windows``), ``index.html`` for a URL ending in ``/``, and ``.html``
  added to HTML (``.css`` to CSS) that does not end so already (``--adjust-extension``). The
  content of a redirect is saved under the name of the URL that redirected, and every link
  to its target is converted to that file (WordPress's ``?p=<id>`` shortlinks);
- ``--convert-links`` rewrites every link of the saved HTML: to a saved file as a relative
  path (``?`` written ``%3F``, ``%`` as ``%25``, a space as ``&#32;``; the fragment kept), a
  relative link to something not saved as the absolute URL of the original; absolute links
  to what was not saved stay as they were. Feeds and JSON keep the original host's URLs.

Blogs are saved with different options (``PLAN``), so the copy shows the file-name variants
met in real copies: wget's own ``?`` (Linux) and ``@`` (Windows), ``%3F`` written into the
names (copies re-saved or uploaded by tools that escape names), and the ``-``/``_`` names of
the real copy RenatoBrazioli/rbrazioli-andando.blogspot.com (``feeds/posts/default-alt=rss.rss``,
``search-updated-max=2006-08-06T09_00_00+02_00&max-results=5.html``).

``shrinksearch.samples.wget_truth`` reads the saved files back: which posts and comments the
copy holds, what a crawl of the copy must find.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego
from w3lib.url import safe_url_string

from shrinksearch.exceptions import UsageError

from .network import Network, load_network
from .server import create_app

ORIGIN = "https://blogs.example"
"""The host the copy was saved from (RFC 2606: never resolves). Feeds and links to what was
not saved name it, as a real copy names https://<blog>.blogspot.com."""

Naming = Literal["unix", "windows", "percent", "dash"]


@dataclass(frozen=True)
class WgetRun:
    """The options one blog was saved with."""

    naming: Naming = "unix"
    """``unix``: wget's names on Linux (``default?alt=rss``); ``windows``:
    ``--restrict-file-names=windows`` (``@`` for ``?``, ``%3A`` for ``:``); ``percent``: the
    ``?`` written ``%3F`` into the name; ``dash``: ``-`` for ``?``, ``_`` for ``:`` and
    ``.rss`` added to RSS, as in the rbrazioli-andando copy."""
    level: int | None = None
    """``--level``; None is ``--mirror``'s unlimited depth."""
    reject_regex: str | None = None
    """``--reject-regex``, matched against the whole URL (beside the calendar's)."""


CALENDAR = r"/calendar/"
"""The events calendar links the next month forever: everybody mirroring a blog rejects it."""

PLAN: dict[str, WgetRun] = {
    "shrink-notes": WgetRun(),
    # robots.txt of blogspot.com disallows /search: no label pages, no "Older Posts" pages
    "couch-side": WgetRun(naming="dash", reject_regex=r"/search"),
    "the-med-check": WgetRun(naming="percent"),
    # one level: the home page's links only; the oldest posts and every post's comment feed are left out
    "forensic-frontiers": WgetRun(naming="windows", level=1),
    "therapy-room": WgetRun(),
}
"""How each shipped blog was saved; a blog not named here is saved with ``WgetRun()``."""


@dataclass
class SavedBlog:
    """What wget saved of one blog: URL → file (relative to the copy's root), and more."""

    slug: str
    files: dict[str, str] = field(default_factory=dict)
    """Every URL a link can name → the file converted links point to (redirects included)."""
    fetched: dict[str, str] = field(default_factory=dict)
    """Each saved file → the URL its content came from (after redirects)."""
    media_types: dict[str, str] = field(default_factory=dict)
    """Each saved file → the content type the server sent."""


@dataclass
class SavedCopy:
    """A whole copy: its root directory and what was saved of each blog."""

    root: Path
    blogs: dict[str, SavedBlog] = field(default_factory=dict)


# --- names ------------------------------------------------------------------------------

_UNSAFE = {
    "unix": set("/"),
    "windows": set('\\|/:?"*<>'),
}
_HTML_SUFFIX = re.compile(r"\.[Hh][Tt][Mm][Ll]?$")


def _file_element(text: str, unsafe: set[str]) -> str:
    """One path element as wget writes it: URL-unescaped, then unsafe and control
    characters escaped as ``%XX`` (``append_uri_pathel``)."""
    return "".join(f"%{ord(c):02X}" if c in unsafe or ord(c) < 32 or ord(c) == 127 else c for c in unquote(text))


def local_name(url: str, media_type: str, naming: Naming = "unix") -> str:
    """The file (relative to the copy's root, without the host) wget saves ``url`` as."""
    parts = urlsplit(url)
    unsafe = _UNSAFE["windows" if naming == "windows" else "unix"]
    segments = parts.path.split("/")
    dirs = [_file_element(s, unsafe) for s in segments[1:-1] if s]
    file = segments[-1] or "index.html"
    if parts.query:
        separator = "@" if naming == "windows" else "?"
        file = _file_element(file + separator + parts.query, unsafe)
        if naming == "percent":
            file = file.replace("?", "%3F", 1)
        elif naming == "dash":
            file = file.replace("?", "-", 1).replace(":", "_")
    else:
        file = _file_element(file, unsafe)
    kind = media_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") and not _HTML_SUFFIX.search(file):
        file += ".html"
    elif kind == "text/css" and not file.lower().endswith(".css"):
        file += ".css"
    elif naming == "dash" and kind == "application/rss+xml" and not file.endswith(".rss"):
        file += ".rss"
    return "/".join([*dirs, file])


def relative_link(from_file: str, to_file: str) -> str:
    """The relative path from one saved file to another (``construct_relative``)."""
    start = 0
    for i, (a, b) in enumerate(zip(from_file, to_file)):
        if a != b:
            break
        if a == "/":
            start = i + 1
    ups, rest = from_file[start:].count("/"), to_file[start:]
    if not ups and ":" in rest.split("/")[0]:
        return "./" + rest  # else the name would read as a URL scheme
    return "../" * ups + rest


def quote_local(name: str) -> str:
    """A file name written into a converted link (``local_quote_string`` of wget 1.21 with
    ``--adjust-extension``, then HTML-quoted)."""
    escaped = name.replace("%", "%25").replace("#", "%23").replace(";", "%3B").replace("?", "%3F")
    return quote_html(escaped)


def quote_html(text: str) -> str:
    """wget's ``html_quote_string``: ``& < > "`` and the space as entities."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace(" ", "&#32;"))


# --- links in HTML ---------------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>")
_ATTR = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")

# (tag, attribute) -> whether the target may be HTML to descend into (``tag_url_attributes``)
_LINK_ATTRS: dict[tuple[str, str], bool] = {
    ("a", "href"): True, ("area", "href"): True, ("embed", "href"): True,
    ("frame", "src"): True, ("iframe", "src"): True, ("embed", "src"): True, ("layer", "src"): True,
    ("overlay", "src"): True,
    ("applet", "code"): False, ("bgsound", "src"): False, ("body", "background"): False, ("fig", "src"): False,
    ("img", "href"): False, ("img", "lowsrc"): False, ("img", "src"): False, ("input", "src"): False,
    ("object", "data"): False, ("script", "src"): False, ("table", "background"): False, ("td", "background"): False,
    ("th", "background"): False, ("video", "src"): False, ("video", "poster"): False, ("audio", "src"): False,
    ("audio", "poster"): False, ("source", "src"): False,
}


_INTERESTING = frozenset({"base", "meta", "link", "form"} | {tag for tag, _ in _LINK_ATTRS})


@dataclass(frozen=True)
class Link:
    """One URL-valued attribute of a saved page."""

    start: int
    end: int
    """Where the attribute's value (with its quotes) sits in the page's text."""
    value: str
    """The value as written (entities decoded)."""
    html_allowed: bool
    """Whether wget descends into the target if it is HTML."""
    follow: bool = True
    """False for a form's action: converted, never downloaded."""
    css: bool = False
    """A ``url()`` in a ``style`` attribute (no quotes around the value written back)."""


@dataclass
class PageLinks:
    links: list[Link]
    base: str | None
    nofollow: bool


def scan_links(text: str) -> PageLinks:
    """The URL attributes of an HTML page, in document order, as wget's parser finds them
    (comments skipped; like wget, tags inside scripts count)."""
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    links: list[Link] = []
    base, nofollow = None, False
    for match in _TAG.finditer(masked):
        tag = match.group(1).lower()
        if tag not in _INTERESTING and "style" not in match.group(2):
            continue
        attrs = _attributes(match, tag)
        if tag == "base" and "href" in attrs:
            base = attrs["href"][2]
        elif tag == "meta" and attrs.get("name", (0, 0, ""))[2].lower() == "robots":
            content = attrs.get("content", (0, 0, ""))[2].lower()
            nofollow = nofollow or "nofollow" in content or content.strip() == "none"
        links.extend(_tag_links(tag, attrs))
        if "style" in attrs:
            links.extend(_style_links(masked, *attrs["style"][:2]))
    return PageLinks(links, base, nofollow)


def _attributes(match: re.Match[str], tag: str) -> dict[str, tuple[int, int, str]]:
    """Attribute name → (start, end, decoded value) of one tag; start and end include the quotes."""
    found: dict[str, tuple[int, int, str]] = {}
    offset = match.start(2)
    for attr in _ATTR.finditer(match.group(2)):
        if attr.group(2) is None:
            continue
        raw = attr.group(2)
        value = raw[1:-1] if raw[:1] in ("'", '"') else raw
        found.setdefault(attr.group(1).lower(), (offset + attr.start(2), offset + attr.end(2), html.unescape(value)))
    return found


def _style_links(text: str, start: int, end: int) -> Iterator[Link]:
    """The ``url()`` values of a ``style`` attribute (wget reads it as CSS)."""
    inner = start + (1 if text[start] in "'\"" else 0)
    for url in _CSS_URL.finditer(text, inner, end):
        yield Link(url.start(1), url.end(1), html.unescape(url.group(1)), False, css=True)


def _tag_links(tag: str, attrs: dict[str, tuple[int, int, str]]) -> Iterator[Link]:
    if tag == "link" and "href" in attrs:
        start, end, value = attrs["href"]
        rel = attrs.get("rel", (0, 0, ""))[2].lower()
        kind = attrs.get("type", (0, 0, ""))[2].lower()
        html_ok = rel not in ("stylesheet", "alternate stylesheet", "icon", "shortcut icon") and kind in ("", "text/html")
        yield Link(start, end, value, html_ok)
        return
    if tag == "form" and "action" in attrs:
        start, end, value = attrs["action"]
        yield Link(start, end, value, False, follow=False)
        return
    for name, (start, end, value) in attrs.items():
        if (tag, name) in _LINK_ATTRS:
            yield Link(start, end, value, _LINK_ATTRS[(tag, name)])


@lru_cache(maxsize=65536)
def absolute(value: str, base: str) -> str | None:
    """A link's absolute http(s) URL without its fragment, spelt the way wget keys it; None
    for links wget does not follow (``javascript:``, ``mailto:``, …)."""
    joined = urljoin(base, value.strip())
    parts = urlsplit(joined)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return safe_url_string(urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, "")))


# --- the walk --------------------------------------------------------------------------


class _Wget:
    """One ``wget --mirror … https://blogs.example/<slug>/`` run against the in-process app."""

    def __init__(self, client: httpx.AsyncClient, root: Path, start: str, run: WgetRun, robots: Protego) -> None:
        self.client, self.root, self.start, self.run, self.robots = client, root, start, run, robots
        self.saved = SavedBlog(slug=urlsplit(start).path.strip("/"))
        self.reject = [re.compile(CALENDAR)] + ([re.compile(run.reject_regex)] if run.reject_regex else [])
        self.html_files: dict[str, PageLinks] = {}
        """Each saved page and its links (read while walking, converted at the end)."""

    async def mirror(self) -> SavedBlog:
        queue: deque[tuple[str, int, bool]] = deque([(self.start, 0, True)])
        blacklist = {self.start}
        while queue:
            url, depth, html_allowed = queue.popleft()
            fetched = await self._retrieve(url)
            if fetched is None:
                continue
            final, file, is_html = fetched
            if not (html_allowed and is_html) or (self.run.level is not None and depth >= self.run.level):
                continue
            if final != url and final in blacklist:
                continue  # redirected to a page already walked (``descend_redirect``)
            blacklist.add(final)
            page = self.html_files[file]
            if page.nofollow:
                continue
            for link in page.links:
                child = absolute(link.value, urljoin(final, page.base or ""))
                if child is None or not link.follow or child in blacklist or not self._wanted(child):
                    continue
                blacklist.add(child)
                queue.append((child, depth + 1, link.html_allowed))
        for file, page in self.html_files.items():
            self._convert(file, page)
        return self.saved

    def _wanted(self, url: str) -> bool:
        """``download_child``: same host, under the start directory, not rejected, allowed by robots.txt."""
        parts, start = urlsplit(url), urlsplit(self.start)
        if parts.netloc != start.netloc or not parts.path.startswith(start.path):
            return False
        if any(pattern.search(url) for pattern in self.reject):
            return False
        return self.robots.can_fetch(url, "Wget/1.21.3")

    async def _retrieve(self, url: str) -> tuple[str, str, bool] | None:
        """Fetch ``url`` (following redirects), save it; (final URL, file, is HTML) or None."""
        response = await self.client.get(url, follow_redirects=True)
        if response.status_code != 200:
            return None
        final = absolute(str(response.url), url) or url
        media_type = response.headers.get("content-type", "application/octet-stream")
        file = local_name(url, media_type, self.run.naming)
        target = self.root / file
        if any(parent.is_file() for parent in target.parents if parent.is_relative_to(self.root)):
            return None  # a file already sits where a directory is needed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.content)
        self.saved.files[final] = file  # register_download: the target now points at this file
        self.saved.files.setdefault(url, file)  # register_redirection
        self.saved.fetched[file] = final
        self.saved.media_types[file] = media_type
        is_html = media_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")
        if is_html:
            self.html_files[file] = scan_links(response.content.decode("utf-8", errors="replace"))  # as _convert reads it
        return final, file, is_html

    def _convert(self, file: str, page: PageLinks) -> None:
        """``--convert-links`` for one saved page."""
        path = self.root / file
        text = path.read_text(encoding="utf-8", errors="replace")
        base = urljoin(self.saved.fetched[file], page.base or "")
        pieces, last = [], 0
        for link in page.links:
            url = absolute(link.value, base)
            if url is None:
                continue
            local = self.saved.files.get(url)
            if local is not None:
                new = quote_local(relative_link(file, local)) + _fragment(text[link.start:link.end])
            elif not urlsplit(link.value.strip()).scheme:
                new = urljoin(base, link.value.strip())
                new = new if link.css else quote_html(new)
            else:
                continue  # complete links to what was not saved stay as they are
            if link.css:  # a url() inside a style attribute: replaced as is (``replace_plain``)
                pieces += [text[last:link.start], new]
            else:
                quote_char = text[link.start] if text[link.start] in "'\"" else '"'
                pieces += [text[last:link.start], quote_char, new, quote_char]
            last = link.end
        pieces.append(text[last:])
        path.write_text("".join(pieces), encoding="utf-8")


def _fragment(raw: str) -> str:
    """The ``#fragment`` of a link as written (``find_fragment``: a ``#`` right after ``&`` is an entity)."""
    value = raw[1:-1] if raw[:1] in ("'", '"') else raw
    for i, char in enumerate(value):
        if char == "#" and (i == 0 or value[i - 1] != "&"):
            return value[i:]
    return ""


def export_mirror(out: Path, network: Network | None = None, plan: dict[str, WgetRun] | None = None,
                  origin: str = ORIGIN) -> SavedCopy:
    """Write the network into ``out`` (new or empty) as wget saves it; what was saved."""
    net = network if network is not None else load_network()
    runs = PLAN if plan is None else plan
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty; give a new or empty directory for the copy")
    out.mkdir(parents=True, exist_ok=True)
    copy = SavedCopy(root=out)
    asyncio.run(_save_all(copy, net, runs, origin))
    return copy


async def _save_all(copy: SavedCopy, network: Network, runs: dict[str, WgetRun], origin: str) -> None:
    transport = httpx.ASGITransport(app=create_app(network, crawl_delay=0.0))
    async with httpx.AsyncClient(transport=transport, base_url=origin) as client:
        robots_txt = (await client.get("/robots.txt")).text
        (copy.root / "robots.txt").write_text(robots_txt, encoding="utf-8")
        robots = Protego.parse(robots_txt)
        for slug in sorted(network.blogs):
            start = f"{origin}/{slug}/"
            copy.blogs[slug] = await _Wget(client, copy.root, start, runs.get(slug, WgetRun()), robots).mirror()
