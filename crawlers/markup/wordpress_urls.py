"""URLs of a WordPress copy: the Wayback Machine's wrapping, and links that name the original host.

A blog often reaches us as a copy: a wget mirror or static export served on 127.0.0.1, a
Wayback Machine capture (every link rewritten to ``https://web.archive.org/web/<ts>/<original>``),
a download of such a capture (files at the original paths, the links still wrapped). The
copy keeps the paths; its feeds, REST answers, canonical links and sitemaps still name the
original host. Records name what was crawled, so such links are mapped onto the copy before
they are followed or stored: ``unwrap_wayback`` takes the Wayback wrapping off, ``OriginMap``
learns "the original host is served here" from a page whose canonical URL names another
host at the same path, and maps every later link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

_WAYBACK = re.compile(r"^(?:https?:)?//[^/]+/web/\d{4,14}(?:[a-z]{2}_)?/(?P<inner>.+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^(https?):/+", re.IGNORECASE)


def unwrap_wayback(url: str) -> str:
    """The original URL inside a Wayback Machine URL (``…/web/20130307194448/http://x.net/a``
    → ``http://x.net/a``); any other URL unchanged."""
    found = _WAYBACK.match(url.strip())
    if not found:
        return url
    inner = found["inner"]
    if _SCHEME.match(inner):
        return _SCHEME.sub(lambda m: f"{m[1].lower()}://", inner, count=1)
    return "http://" + inner.lstrip("/")


def _host_variants(host: str) -> list[str]:
    bare = host.removeprefix("www.")
    return [bare, f"www.{bare}"]


@dataclass
class OriginMap:
    """Original hosts of a copy, mapped onto where the copy is served."""

    served: dict[str, str] = field(default_factory=dict)
    """Original ``host[:port]`` → base URL of the copy (scheme, host and path prefix)."""
    moved: dict[str, str] = field(default_factory=dict)
    """Original base URL → base URL of the copy on the same host, for a copy published higher
    up than the blog lived (a static export of a blog at ``/blog/`` served at ``/``)."""

    def learn(self, fetched_url: str, named_url: str | None) -> None:
        """``named_url`` (a page's canonical or ``og:url``) names the page fetched from
        ``fetched_url``: when it is another host at the same path, that host is the
        original of this copy."""
        if not named_url:
            return
        named = urlsplit(unwrap_wayback(urljoin(fetched_url, named_url.strip())))
        fetched = urlsplit(fetched_url)
        if not named.netloc or named.netloc.lower() == fetched.netloc.lower():
            return
        named_path, fetched_path = (named.path or "/").rstrip("/"), (fetched.path or "/").rstrip("/")
        if not fetched_path.endswith(named_path) or (not named_path and fetched_path):
            return  # not the same page (a home link seen from a post says nothing about paths)
        prefix = fetched_path[: len(fetched_path) - len(named_path)]
        base = urlunsplit((fetched.scheme, fetched.netloc, prefix + "/", "", ""))
        for host in _host_variants(named.netloc.lower()):
            self.served.setdefault(host, base)

    def learn_moved(self, fetched_url: str, home_url: str | None) -> None:
        """The blog's home page, fetched from ``fetched_url``, says its home is ``home_url``
        (the root of its REST API): at a deeper path of the same host, the copy was published
        higher up, and every link naming that path is mapped onto it. (Never the other way:
        a live multilingual home at ``/de/`` whose API is at ``/wp-json/`` is no copy.)"""
        if not home_url:
            return
        home, fetched = urlsplit(urljoin(fetched_url, home_url.strip())), urlsplit(fetched_url)
        home_path, fetched_path = home.path or "/", fetched.path or "/"
        if home.netloc.lower() != fetched.netloc.lower() or not fetched_path.endswith("/") \
                or not home_path.endswith("/") or home_path == fetched_path or not home_path.startswith(fetched_path):
            return
        self.moved.setdefault(urlunsplit((fetched.scheme, fetched.netloc, home_path, "", "")),
                              urlunsplit((fetched.scheme, fetched.netloc, fetched_path, "", "")))

    def learn_wayback(self, fetched_url: str, links: list[str]) -> None:
        """A Wayback Machine capture served as a copy: its links wrap the original host's
        URLs; the host they wrap most is the original, served at the copy's root."""
        hosts: dict[str, int] = {}
        for link in links:
            if _WAYBACK.match(link.strip()):
                host = urlsplit(unwrap_wayback(link)).netloc.lower()
                hosts[host] = hosts.get(host, 0) + 1
        fetched = urlsplit(fetched_url)
        if not hosts or self.served:
            return
        original = max(sorted(hosts), key=lambda h: hosts[h])
        if original != fetched.netloc.lower():
            for host in _host_variants(original):
                self.served.setdefault(host, urlunsplit((fetched.scheme, fetched.netloc, "/", "", "")))

    def local(self, url: str | None) -> str | None:
        """``url`` as the copy serves it: unwrapped from the Wayback Machine, its original
        host (if this is a copy) replaced by the copy's."""
        if not url:
            return url
        url = unwrap_wayback(url.strip())
        for original, copy in self.moved.items():
            if url.startswith(original):
                return copy + url[len(original):]
        parts = urlsplit(url)
        base = self.served.get(parts.netloc.lower())
        if base is None:
            return url
        rest = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        return base + rest

    def is_copy(self) -> bool:
        return bool(self.served or self.moved)
