"""Media is never downloaded: audio, video, images, office files, archives, PDFs.

Blogs link podcasts, slides and photos from every post; a crawler of text has no use for
them, and one episode weighs more than a blog's whole text. ``MediaSkipMiddleware`` (a
downloader middleware, so it serves every spider) refuses them twice:

- before the request, by the URL's extension (``.mp3``, ``.pdf``, ``.jpg`` …);
- when the response headers arrive and BEFORE the body is read (Scrapy's
  ``headers_received`` signal and ``StopDownload``), by ``Content-Type`` — a podcast
  served from ``/episode/12`` has no extension. A URL that names a page (``.html``,
  ``.php``…) is read whatever its type says: misconfigured servers label pages
  ``application/octet-stream`` or ``image/png``, and the spiders count those as
  ``wrong_type``. Oversized bodies of any type are stopped before the body too, by Scrapy's
  own ``DOWNLOAD_MAXSIZE`` (from ``Content-Length``).

Each skip counts ``shrinksearch/skipped/media``; the request ends in ``MediaSkipped`` (an
``IgnoreRequest``), which the spiders do not count as an error.
"""

from __future__ import annotations

import logging
import posixpath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, StopDownload

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Headers

logger = logging.getLogger(__name__)

MEDIA_EXTENSIONS = frozenset(
    # audio, video
    "mp3 m4a m4b aac ogg oga opus wav flac wma aiff mid midi ra ram "
    "mp4 m4v mov avi wmv flv mkv webm mpg mpeg 3gp ogv swf "
    # images
    "jpg jpeg png gif bmp tif tiff webp avif heic ico svg psd raw "
    # documents and archives
    "pdf doc docx xls xlsx ppt pptx pps ppsx odt ods odp rtf epub mobi djvu "
    "zip rar 7z gz tgz bz2 xz tar dmg iso exe msi apk bin torrent".split()
)
"""URL extensions that name media files. ``.xml.gz`` sitemaps are the one kind of archive
a crawl reads (``.gz`` after ``.xml``)."""

MEDIA_TYPES = ("audio/", "video/", "image/", "font/", "application/pdf", "application/msword",
               "application/vnd.", "application/zip", "application/x-rar", "application/x-7z",
               "application/x-tar", "application/epub", "application/octet-stream",
               "application/x-shockwave-flash", "application/x-msdownload", "application/postscript")
"""Content-Type prefixes of media. ``application/x-gzip`` is not among them: gzipped sitemaps."""

PAGE_EXTENSIONS = frozenset("html htm xhtml shtml php php3 asp aspx jsp cfm cgi pl xml rss atom json txt".split())
"""URL extensions that name a page or a feed: read whatever Content-Type the server gives."""


class MediaSkipped(IgnoreRequest):
    """A request for media, refused before or while its headers arrived (not an error)."""


def url_extension(url: str) -> str:
    """The lower-case extension of a URL's last path segment ("" for none)."""
    name = posixpath.basename(unquote(urlsplit(url).path).lower())
    _, dot, extension = name.rpartition(".")
    return extension if dot else ""


def media_extension(url: str) -> str | None:
    """The media extension of a URL's path (``"mp3"``), or None."""
    if urlsplit(url).path.lower().endswith(".xml.gz"):
        return None
    extension = url_extension(url)
    return extension if extension in MEDIA_EXTENSIONS else None


def is_media_type(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return bool(kind) and kind.startswith(MEDIA_TYPES)


class MediaSkipMiddleware:
    """Refuse media requests by extension; stop media responses after their headers."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MediaSkipMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        return middleware

    def process_request(self, request: Request) -> None:
        extension = media_extension(request.url)
        if extension is not None:
            self._skipped(request, f".{extension}")
            raise MediaSkipped(f"media: .{extension} file {request.url}")

    def headers_received(self, headers: Headers, body_length: int, request: Request, spider: Spider) -> None:
        """Stop the download of a media body before it is read (the connection is dropped)."""
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1")
        if is_media_type(content_type) and url_extension(request.url) not in PAGE_EXTENSIONS:
            self._skipped(request, content_type)
            raise StopDownload(fail=True)

    def process_exception(self, request: Request, exception: Exception) -> Any:
        if isinstance(exception, StopDownload):
            raise MediaSkipped(f"media: stopped after the headers of {request.url}")
        return None

    def _skipped(self, request: Request, what: str) -> None:
        self.stats.inc_value("shrinksearch/skipped/media")
        logger.info("skipped media (%s): %s", what, request.url)
