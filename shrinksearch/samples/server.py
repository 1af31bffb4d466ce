"""The HTTP server of the sample blog network: a Starlette app run by uvicorn.

``create_app`` maps every request to a renderer (extras for the host's own pages, then the
blog's platform module) and turns its Page into a response, answering conditional requests
(``If-None-Match`` against a strong ETag of the body, ``If-Modified-Since`` against the
page's content date) with 304. ``serve`` runs it in the foreground; ``running_server``
runs it on a background thread for tests and yields the base URL; ``running_hosts`` serves it
on several loopback addresses at once (127.0.0.2, 127.0.0.3, …: distinct hosts, as real blogs
are), optionally recording every request in an ``AccessLog``.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from collections import OrderedDict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from types import ModuleType

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from shrinksearch.exceptions import UsageError
from shrinksearch.settings import get_settings

from . import blogger, extras, generic, wordpress
from .network import Network, load_network
from .pages import Page, Req, not_found, redirect

PLATFORMS: dict[str, ModuleType] = {"blogger": blogger, "wordpress": wordpress, "generic": generic}
DEFAULT_CRAWL_DELAY = 1.0
"""What robots.txt asks of crawlers when a user runs the network (tests use 0)."""
STARTUP_TIMEOUT = 10.0


def dispatch(req: Req) -> Page:
    """The Page for a request: host pages first, then the blog's own platform."""
    if req.path == "/":
        return extras.root(req)
    if req.path == "/robots.txt":
        return extras.robots(req)
    head, slash, rest = req.path.lstrip("/").partition("/")
    host_page = extras.handle_host(req, head, rest)
    if host_page is not None:
        return host_page
    blog = req.network.blogs.get(head)
    if blog is None:
        return not_found()
    if not slash:
        return redirect(f"/{head}/")
    removed = extras.gone(req)
    if removed is not None:
        return removed
    page = extras.handle_blog(req, blog, rest) or PLATFORMS[blog.platform].handle(req, blog, rest)
    return extras.with_robots(req, blog, page) if page else not_found()


# --- conditional requests ---------------------------------------------------------------


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


def to_response(request: Request, page: Page) -> Response:
    # The content type goes in as a header, exactly: Starlette would add a charset to text/*,
    # and the broken pages need to send none (or a wrong one).
    headers = {**page.headers, "Content-Type": page.media_type}
    if page.chunks is not None:
        return StreamingResponse(page.chunks, status_code=page.status, headers=headers)
    body = page.body_bytes()
    if page.cacheable and page.status == 200:
        etag = '"' + hashlib.sha1(body).hexdigest()[:27] + '"'
        headers["ETag"] = etag
        if page.last_modified is not None:
            headers["Last-Modified"] = http_date(page.last_modified)
        if _not_modified(request, etag, page.last_modified):
            kept = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
            return Response(status_code=304, headers=kept)
    return Response(body, status_code=page.status, headers=headers)


# --- the app ---------------------------------------------------------------------------

RENDER_CACHE_SIZE = 4096


class RenderCache:
    """Rendered pages by (network revision, host, path, query): crawl tests fetch the same
    pages many times, and any change to the network bumps its revision."""

    def __init__(self, network: Network, size: int = RENDER_CACHE_SIZE) -> None:
        self.network, self.size = network, size
        self.pages: OrderedDict[tuple[object, ...], Page] = OrderedDict()
        self.lock = threading.Lock()

    def page(self, req: Req) -> Page:
        key = (self.network.revision, req.base, req.path, tuple(sorted(req.query.items())))
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        page = dispatch(req)
        if page.chunks is None:  # a stream can be sent only once
            with self.lock:
                self.pages[key] = page
                if len(self.pages) > self.size:
                    self.pages.popitem(last=False)
        return page


@dataclass(frozen=True)
class Access:
    """One request as the server saw it: the host it came to, when it started and ended."""

    host: str
    path: str
    user_agent: str
    started: float
    finished: float
    status: int


class AccessLog:
    """Every request served, with ``time.time()`` timestamps (tests check who fetched what when)."""

    def __init__(self) -> None:
        self.entries: list[Access] = []
        self._lock = threading.Lock()

    def add(self, entry: Access) -> None:
        with self._lock:
            self.entries.append(entry)

    def snapshot(self) -> list[Access]:
        with self._lock:
            return list(self.entries)


def create_app(network: Network | None = None, crawl_delay: float = DEFAULT_CRAWL_DELAY, access_log: AccessLog | None = None) -> Starlette:
    """The ASGI app serving ``network`` (default: the shipped blogs); it reads the network on
    every request, so changes made through ``network.add_post``/``add_comment`` show at once.
    Every request is recorded in ``access_log`` when one is given."""
    net = network if network is not None else load_network()
    cache = RenderCache(net)

    async def endpoint(request: Request) -> Response:
        started = time.time()
        response = await respond(request)
        if access_log is not None:
            access_log.add(Access(request.url.netloc, request.url.path, request.headers.get("user-agent", ""),
                                  started, time.time(), response.status_code))
        return response

    async def respond(request: Request) -> Response:
        req = Req(
            base=f"{request.url.scheme}://{request.url.netloc}",
            path=request.url.path,
            query=dict(request.query_params),
            network=net,
            crawl_delay=crawl_delay,
        )
        page = cache.page(req)
        if page.delay:
            await asyncio.sleep(page.delay)
        return to_response(request, page)

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "HEAD"])])
    app.state.network = net
    return app


# --- running it ------------------------------------------------------------------------


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a UsageError naming the fix when the port is taken."""
    # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that say so, and
    # without it every keep-alive response stalls 40 ms on Nagle plus delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({err.strerror}); pass --port with a free port") from None
    return sock


def serve(
    port: int | None = None,
    host: str | Sequence[str] = "127.0.0.1",
    network: Network | None = None,
    crawl_delay: float = DEFAULT_CRAWL_DELAY,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the network in the foreground until interrupted, on one address or several (the same
    port on each); ``on_ready`` gets each base URL once its port is bound (the CLI prints them)."""
    serve_app(create_app(network, crawl_delay), port if port is not None else get_settings().samples_port, host, on_ready)


def serve_app(app: Starlette, port: int, host: str | Sequence[str] = "127.0.0.1",
              on_ready: Callable[[str], None] | None = None) -> None:
    """Run any ASGI ``app`` (the network, a saved copy) in the foreground until interrupted."""
    sockets = bind_all([host] if isinstance(host, str) else list(host), port)
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    if on_ready is not None:
        for sock in sockets:
            on_ready(_base_url(sock))
    try:
        uvicorn.Server(config).run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()


def bind_all(hosts: Sequence[str], port: int, attempts: int = 5) -> list[socket.socket]:
    """One listening socket per host, all on the same port (a free one when ``port`` is 0)."""
    for _ in range(attempts):
        first = bind(hosts[0], port)
        sockets = [first]
        try:
            sockets += [bind(host, first.getsockname()[1]) for host in hosts[1:]]
            return sockets
        except UsageError:
            for sock in sockets:
                sock.close()
            if port != 0:
                raise
    raise UsageError(f"no port free on all of {', '.join(hosts)}; pass --port with a free port")


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def running_server(
    port: int = 0, network: Network | None = None, crawl_delay: float = 0.0, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve the network on a background thread; yields its base URL, e.g. ``http://127.0.0.1:41234``.

    ``port=0`` picks a free port. Pass your own ``network`` to change it while it is served.
    ``crawl_delay`` defaults to 0 here so tests crawl at full speed.
    """
    with running_hosts([host], port, network, crawl_delay) as [base_url]:
        yield base_url


@contextmanager
def running_hosts(
    hosts: Sequence[str], port: int = 0, network: Network | None = None, crawl_delay: float = 0.0,
    access_log: AccessLog | None = None,
) -> Iterator[list[str]]:
    """Serve the network on every address of ``hosts`` (the same port on each) on a background
    thread; yields the base URLs in the order of ``hosts``. On Linux every 127.x.y.z is loopback,
    so ``["127.0.0.2", "127.0.0.3"]`` gives two distinct hosts on one machine."""
    with _running(create_app(network, crawl_delay, access_log), hosts, port) as base_urls:
        yield base_urls


@contextmanager
def running_app(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve any ASGI ``app`` on a background thread; yields its base URL (``port=0``: a free port)."""
    with _running(app, [host], port) as [base_url]:
        yield base_url


@contextmanager
def _running(app: Starlette, hosts: Sequence[str], port: int) -> Iterator[list[str]]:
    sockets = bind_all(hosts, port)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, name="samples-server", daemon=True)
    with ExitStack() as cleanup:
        for sock in sockets:
            cleanup.callback(sock.close)
        thread.start()
        try:
            _wait_started(server, thread)
            yield [_base_url(sock) for sock in sockets]
        finally:
            server.should_exit = True
            thread.join(STARTUP_TIMEOUT)


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    waited = 0.0
    while not server.started:
        if not thread.is_alive() or waited > STARTUP_TIMEOUT:
            raise RuntimeError("the sample network server did not start")
        threading.Event().wait(0.02)
        waited += 0.02
