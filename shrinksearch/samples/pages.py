"""What every sample-network renderer shares: the Page it returns, the request view it reads,
date formats, query parsing, the Jinja templates and a tiny regex router.

Renderers are plain functions ``(Req, Blog, match) -> Page``; the server turns a Page into an
HTTP response (and answers conditional requests from it), so renderers never touch HTTP.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import unescape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import etree

from .network import Blog, Network

TEMPLATES = Path(__file__).resolve().parent / "templates"

_jinja = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Page:
    """A rendered answer: body and type, plus what conditional requests are judged on."""

    body: bytes | str
    media_type: str = "text/html; charset=UTF-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    cacheable: bool = True
    """False for answers that must never turn into 304 (errors, redirects)."""
    delay: float = 0.0
    """Seconds to wait before answering (the slow page)."""
    chunks: Iterable[bytes] | None = None
    """A body streamed in pieces instead of ``body`` (the huge page)."""

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Req:
    """The parts of a request a renderer may read."""

    base: str
    """Scheme and host, e.g. ``http://127.0.0.1:8765`` (no trailing slash)."""
    path: str
    query: Mapping[str, str]
    network: Network
    crawl_delay: float = 1.0

    def blog_home(self, blog: Blog) -> str:
        return f"{self.base}/{blog.slug}/"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def int_param(self, name: str, default: int, lo: int = 1, hi: int | None = None) -> int:
        """An integer query parameter; ValueError (a 400 for the caller) when malformed or out of range."""
        raw = self.query.get(name)
        if not raw:
            return default
        value = int(raw)
        if value < lo or (hi is not None and value > hi):
            raise ValueError(f"{name} must be between {lo} and {hi or 'infinity'}")
        return value

    def date_param(self, name: str, tz: timezone) -> datetime | None:
        """An ISO 8601 query parameter; naive values are in the blog's time zone."""
        raw = self.query.get(name)
        if not raw:
            return None
        # An unencoded '+' in a query string arrives as a space.
        value = datetime.fromisoformat(raw.strip().replace(" ", "+"))
        return value if value.tzinfo else value.replace(tzinfo=tz)


def html_page(template: str, **context: Any) -> Page:
    return Page(_jinja.get_template(template).render(**context))


def render(template: str, **context: Any) -> str:
    return _jinja.get_template(template).render(**context)


def xml_page(root: etree._Element, media_type: str, last_modified: datetime | None = None) -> Page:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Page(body, media_type=media_type, last_modified=last_modified)


def not_found(what: str = "Not Found") -> Page:
    return Page(render("message.html", title="404 Not Found", message=what), status=404, cacheable=False)


def redirect(location: str, status: int = 301) -> Page:
    return Page(b"", status=status, headers={"Location": location}, cacheable=False)


def bad_request(message: str, media_type: str = "text/plain; charset=UTF-8") -> Page:
    return Page(message, media_type=media_type, status=400, cacheable=False)


# --- dates -------------------------------------------------------------------------------


def iso_millis(moment: datetime, tz: timezone) -> str:
    """Blogger's feed format: local time with milliseconds and offset, 2008-03-01T09:05:00.000-05:00."""
    return moment.astimezone(tz).isoformat(timespec="milliseconds")


def iso_seconds(moment: datetime, tz: timezone = timezone.utc) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds")


def naive_iso(moment: datetime, tz: timezone) -> str:
    """WordPress REST's format: local time without an offset, 2008-03-01T09:05:00."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S")


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc))


def long_date(moment: datetime) -> str:
    """'March 1, 2008' (no zero padding, like the platforms print it)."""
    return f"{moment:%B} {moment.day}, {moment.year}"


def clock(moment: datetime) -> str:
    """'6:22 PM'."""
    return f"{(moment.hour % 12) or 12}:{moment:%M %p}"


def newest(moments: list[datetime]) -> datetime | None:
    return max(moments) if moments else None


# --- text --------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def snippet(html: str, length: int) -> str:
    text = plain_text(html)
    return text if len(text) <= length else text[: length - 3].rstrip() + "..."


def words(html: str, count: int) -> str:
    parts = plain_text(html).split()
    return " ".join(parts[:count]) + ("\u2026" if len(parts) > count else "")


def stable_digits(*parts: str, length: int = 20) -> str:
    """A stable pseudo id (profile numbers, avatar ids) derived from the given strings."""
    digest = int(hashlib.sha1("/".join(parts).encode("utf-8")).hexdigest(), 16)
    return str(digest)[:length]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- routing -----------------------------------------------------------------------------

Handler = Callable[[Req, Blog, "re.Match[str]"], Page]


def route(routes: Sequence[tuple[re.Pattern[str], Handler]], req: Req, blog: Blog, rest: str) -> Page | None:
    """The first handler whose pattern matches the path below the blog's slug."""
    for pattern, handler in routes:
        match = pattern.fullmatch(rest)
        if match:
            return handler(req, blog, match)
    return None
