"""URL canonicalisation: one spelling per page, so ids are stable and dedupe works.

Pure functions; ``CanonicalizeUrlsPipeline`` and the spiders call them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "ref", "m", "amp",
     "showcomment", "replytocom", "spref"}
)
"""Query parameters that never change the content (``m=1`` is Blogger's mobile view)."""

_DIRECTORY_INDEX = re.compile(r"/index\.html?$")
"""A directory's index page is the directory: ``/2011/06/30/a-post/index.html`` is
``/2011/06/30/a-post/`` (saved copies — wget, HTTrack — link every directory URL so)."""

_BLOGSPOT_CC = re.compile(r"^(?P<name>[^.]+)\.blogspot\.(?!com$)[a-z.]+$")


def _keep_param(name: str) -> bool:
    lowered = name.lower()
    return not (lowered.startswith("utm_") or lowered in TRACKING_PARAMS)


def canonical_host(host: str) -> str:
    """Lowercase host; Blogspot's country domains (``x.blogspot.co.uk``) become ``x.blogspot.com``."""
    host = host.lower().rstrip(".")
    match = _BLOGSPOT_CC.match(host)
    return f"{match['name']}.blogspot.com" if match else host


# Cached: every comment of a thread repeats its post's URL and the blog's root, and w3lib's
# canonicalisation is one of the larger per-record costs of a crawl.
@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The canonical spelling of ``url``: no fragment, no tracking parameters, sorted query,
    no ``index.html`` at the end of the path."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keep_param(k)])
    netloc = canonical_host(parts.hostname or "")
    if parts.port and not (parts.scheme, parts.port) in {("http", 80), ("https", 443)}:
        netloc = f"{netloc}:{parts.port}"
    path = _DIRECTORY_INDEX.sub("/", parts.path or "/")
    cleaned = urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
    return canonicalize_url(cleaned)


@lru_cache(maxsize=256)
def blog_root(url: str) -> str:
    """The blog's home URL for a start URL: canonical, ending with a slash."""
    canon = canonical_url(url)
    parts = urlsplit(canon)
    path = parts.path
    if not path.endswith("/"):
        head, _, last = path.rpartition("/")
        path = f"{head}/" if "." in last else f"{path}/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_under(url: str, root: str) -> bool:
    """Whether ``url`` lies inside the blog rooted at ``root`` (same host, path prefix)."""
    a, b = urlsplit(canonical_url(url)), urlsplit(root)
    return a.netloc == b.netloc and a.path.startswith(b.path)


def is_saved_query_name(url: str) -> bool:
    """Whether ``url`` is a saved copy's file name for a URL with a query: wget saves
    WordPress's ``/?p=501`` shortlink as ``index.html%3Fp=501.html`` (linked as ``%253F``) and
    points every link to the post there, its canonical link included."""
    path = unquote(unquote(urlsplit(url).path))
    return "?" in path
