"""Everything on the sample host that is not a blog page: the root index, robots.txt, the
spider trap, the robots-disallowed private pages and the broken pages.

These exist to test crawler manners and robustness: robots.txt disallows ``/private/`` and
every ``/<slug>/private/`` (which are still linked, so only a rude crawler fetches them), the
calendar links the next month forever, and ``/broken/`` answers every way a page can fail.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .network import Blog
from .pages import Page, Req, html_page, not_found, redirect

PLATFORM_LABELS = {"blogger": "Blogger", "wordpress": "WordPress", "generic": "static site"}
TRAP_START = "2008-01"
PRIVATE_MARKER = "PRIVATE: robots.txt disallows this page"
"""Text on every private page, so a test can tell one was fetched."""


@dataclass(frozen=True)
class Broken:
    """One malformed page: how it fails, and the status a client finally sees."""

    path: str
    description: str
    status: int


BROKEN_PAGES = [
    Broken("/broken/bad-encoding.html", "declares UTF-8 but the body is Windows-1252", 200),
    Broken("/broken/no-charset.html", "no charset in header or markup; the body is Latin-1", 200),
    Broken("/broken/truncated.html", "HTML cut off in the middle of a tag", 200),
    Broken("/broken/binary.html", "PNG bytes served as text/html", 200),
    Broken("/broken/empty.html", "200 with an empty body", 200),
    Broken("/broken/server-error.html", "500 Internal Server Error", 500),
    Broken("/broken/unavailable.html", "503 Service Unavailable with Retry-After", 503),
    Broken("/broken/redirect-loop.html", "302 to a page that redirects back, forever", 302),
    Broken("/broken/missing.html", "404 Not Found", 404),
    Broken("/broken/moved.html", "301 to the network's root page", 301),
    Broken("/broken/slow.html", "answers after ?seconds= (default 2, at most 30)", 200),
    Broken("/broken/huge.html", "a 12 MiB page (?mb= to change), streamed", 200),
]

_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(range(256)) * 4


# --- root and robots ----------------------------------------------------------------------


def root(req: Req) -> Page:
    blogs = [(f"/{b.slug}/", b.name, b.platform, PLATFORM_LABELS[b.platform]) for b in req.network.blogs.values()]
    return html_page("root.html", blogs=blogs, broken=BROKEN_PAGES, trap=f"/trap/calendar?month={TRAP_START}")


def robots(req: Req) -> Page:
    lines = ["# The shrinksearch sample blog network", "User-agent: *", f"Crawl-delay: {req.crawl_delay:g}", "Disallow: /private/"]
    for blog in req.network.blogs.values():
        lines.append(f"Disallow: /{blog.slug}/private/")
        if blog.platform == "wordpress":
            lines += [f"Disallow: /{blog.slug}/wp-admin/", f"Allow: /{blog.slug}/wp-admin/admin-ajax.php"]
    lines.append("")
    lines += [f"Sitemap: {req.base}{_sitemap(b)}" for b in req.network.blogs.values()]
    return Page("\n".join(lines) + "\n", "text/plain; charset=UTF-8")


def _sitemap(blog: Blog) -> str:
    return f"/{blog.slug}/wp-sitemap.xml" if blog.platform == "wordpress" else f"/{blog.slug}/sitemap.xml"


# --- the trap -----------------------------------------------------------------------------


def calendar(req: Req, base: str) -> Page:
    """An events calendar that always links a next (and previous) month: an infinite space."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", req.query.get("month", ""))
    year, month = (int(match.group(1)), int(match.group(2))) if match else (2008, 1)
    month = min(max(month, 1), 12)
    prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
    next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
    links = [
        (f"{base}?month={prev_y:04d}-{prev_m:02d}", "Previous month"),
        (f"{base}?month={next_y:04d}-{next_m:02d}", "Next month"),
        (f"{base}?month={year + 1:04d}-{month:02d}", "Same month next year"),
    ]
    return html_page("message.html", title=f"Events calendar: {year:04d}-{month:02d}", message="No events scheduled this month.", links=links)


# --- private pages -------------------------------------------------------------------------


def private(req: Req, base: str) -> Page:
    links = [(f"{base}draft-{n}.html", f"Unpublished draft {n}") for n in (1, 2)]
    return html_page("message.html", title="Contributors only", message=PRIVATE_MARKER, links=links)


# --- broken pages ---------------------------------------------------------------------------


def broken(req: Req, name: str) -> Page:
    maker = _BROKEN.get(name)
    return maker(req) if maker else not_found("No such broken page")


def _bad_encoding(req: Req) -> Page:
    text = "<html><head><meta charset='utf-8'><title>Caf\u00e9 notes</title></head><body><p>\u201cSmart quotes\u201d and caf\u00e9 na\u00efvet\u00e9 \u2014 in Windows-1252.</p></body></html>"
    return Page(text.encode("cp1252"), "text/html; charset=utf-8")


def _no_charset(req: Req) -> Page:
    text = "<html><head><title>Notes</title></head><body><p>Fran\u00e7ais, se\u00f1or, \u00fcber: Latin-1, and nothing says so.</p></body></html>"
    return Page(text.encode("latin-1"), "text/html")


def _truncated(req: Req) -> Page:
    return Page("<!DOCTYPE html><html><head><title>Cut short</title></head><body><div class='post'><p>This page stops in the mid", "text/html; charset=UTF-8")


def _slow(req: Req) -> Page:
    try:
        seconds = min(float(req.query.get("seconds", "2")), 30.0)
    except ValueError:
        seconds = 2.0
    page = html_page("message.html", title="Slow page", message=f"This answer waited {seconds:g} seconds.")
    page.delay, page.cacheable = max(seconds, 0.0), False
    return page


def _huge(req: Req) -> Page:
    try:
        mebibytes = min(max(int(req.query.get("mb", "12")), 1), 64)
    except ValueError:
        mebibytes = 12
    return Page(b"", cacheable=False, chunks=_huge_chunks(mebibytes), headers={"Content-Length": str(mebibytes * 1024 * 1024)})


def _huge_chunks(mebibytes: int) -> Iterator[bytes]:
    head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body><pre>"
    line = (b"all work and no play makes a very long page " * 30)[:1023] + b"\n"
    body = mebibytes * 1024 * 1024 - len(head)
    yield head
    for _ in range(body // 1024):
        yield line
    yield b"x" * (body % 1024)


_BROKEN = {
    "bad-encoding.html": _bad_encoding,
    "no-charset.html": _no_charset,
    "truncated.html": _truncated,
    "binary.html": lambda req: Page(_PNG, "text/html; charset=UTF-8"),
    "empty.html": lambda req: Page(b"", "text/html; charset=UTF-8"),
    "server-error.html": lambda req: Page("<h1>Internal Server Error</h1>", status=500, cacheable=False),
    "unavailable.html": lambda req: Page("<h1>Service Unavailable</h1>", status=503, headers={"Retry-After": "1"}, cacheable=False),
    "redirect-loop.html": lambda req: redirect("/broken/redirect-loop-2.html", 302),
    "redirect-loop-2.html": lambda req: redirect("/broken/redirect-loop.html", 302),
    "missing.html": lambda req: not_found("This page was removed."),
    "moved.html": lambda req: redirect("/", 301),
    "slow.html": _slow,
    "huge.html": _huge,
}


# --- static assets the platforms' pages link to ------------------------------------------------

_CSS = b"body{font-family:Georgia,serif;max-width:46em;margin:auto;color:#222}a{color:#2266aa}\n"
_ICO = bytes.fromhex("00000100010001010000010020003000000016000000") + bytes(48)


def stylesheet(req: Req) -> Page:
    return Page(_CSS, "text/css; charset=UTF-8")


def favicon(req: Req) -> Page:
    return Page(_ICO, "image/x-icon")


# --- dispatch -----------------------------------------------------------------------------


def handle_host(req: Req, head: str, rest: str) -> Page | None:
    """Pages of the host itself (``/trap/...``, ``/private/...``, ``/broken/...``)."""
    if head == "trap" and rest in ("calendar", "calendar/"):
        return calendar(req, "/trap/calendar")
    if head == "private":
        return private(req, "/private/")
    if head == "broken":
        return broken(req, rest)
    return None


def handle_blog(req: Req, blog: Blog, rest: str) -> Page | None:
    """The trap and private pages every blog has, whatever its platform."""
    if rest in ("calendar", "calendar/"):
        return calendar(req, f"/{blog.slug}/calendar/")
    if rest == "private" or rest.startswith("private/"):
        return private(req, f"/{blog.slug}/private/")
    return None


# --- what authors asked for: removed posts, robots directives ---------------------------------


def gone(req: Req) -> Page | None:
    """The answer of a post removed with ``Network.remove_post``: 410 Gone (or 404)."""
    status = req.network.gone.get(req.path)
    if status is None:
        return None
    if status == 404:
        return not_found("This post was removed.")
    return Page(html_page("message.html", title="410 Gone", message="This post was removed by its author.").body,
                status=410, cacheable=False)


_ROBOTS_META = {  # as each platform writes it
    "blogger": "<meta content='{}' name='robots'/>",
    "wordpress": "<meta name='robots' content='{}' />",
    "generic": '<meta name="robots" content="{}">',
}
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)


def with_robots(req: Req, blog: Blog, page: Page) -> Page:
    """A page carrying its robots directives: a post's ``robots`` (meta tag) and
    ``robots_header`` (``X-Robots-Tag``), or those ``Network.set_robots`` gave its path."""
    if page.status != 200 or not page.media_type.startswith("text/html"):
        return page
    post = next((p for p in blog.posts if (p.robots or p.robots_header) and blog.post_path(p) == req.path), None)
    meta, header = (post.robots, post.robots_header) if post else req.network.page_robots.get(req.path, (None, None))
    if not (meta or header):
        return page
    body, headers = page.body_bytes().decode("utf-8"), dict(page.headers)
    if meta:
        tag = _ROBOTS_META[blog.platform].format(meta)
        body = _HEAD.sub(lambda m: m.group(0) + "\n" + tag, body, count=1)
    if header:
        headers["X-Robots-Tag"] = header
    return dataclasses.replace(page, body=body, headers=headers)
