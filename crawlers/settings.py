"""Scrapy settings of the shrinksearch crawlers: polite defaults for real sites.

Every crawl runs with these; ``FAST_PROFILE`` lowers the delays and is accepted by the
runner only for loopback hosts (the local sample network in tests and demos). Settings of
our own components carry the ``SHRINKSEARCH_`` prefix.
"""

from __future__ import annotations

from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE as _SCRAPY_DOWNLOADER_MIDDLEWARES
from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS

from shrinksearch.settings import get_settings

BOT_NAME = "shrinksearch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = get_settings().user_agent

# --- politeness -----------------------------------------------------------------------
ROBOTSTXT_OBEY = True
# Seconds between requests to one host: 1.25 +- 20 %, so never under 1 s (AutoThrottle only
# raises it; robots.txt Crawl-delay raises it further).
DOWNLOAD_DELAY = 1.25
DOWNLOAD_DELAY_JITTER = 0.2
# One crawl is one blog, so one host: the engine pulls only as many requests out of the
# (JOBDIR-saved) scheduler as the host may get at once, and a pause (Ctrl-C) drains quickly.
CONCURRENT_REQUESTS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
SHRINKSEARCH_CRAWL_DELAY_MAX = 60.0  # robots.txt Crawl-delay is honoured up to this cap

# --- robustness -----------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 12
SHRINKSEARCH_MAX_PAGES = 5000  # responses per crawl (one crawl = one blog): bounds spider traps
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python code sent to a local HTTP port: never wanted in a
# crawler of untrusted sites.
REMOTE_CONTROL_ENABLED = False
HTTPERROR_ALLOWED_CODES = [304]  # conditional requests of incremental crawls
LOG_LEVEL = "INFO"
# Records are processed one response at a time by synchronous pipelines: Scrapy's default of
# 100 concurrent items only starts 100 idle asyncio tasks per response (a third of a crawl's
# CPU on the local sample network).
CONCURRENT_ITEMS = 1

# --- optional HTTP cache (off by default; `-s HTTPCACHE_ENABLED=1`) ----------------------
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"

# --- components -----------------------------------------------------------------------
# The components switched off above are taken out of Scrapy's base lists too: Scrapy imports
# every listed component, even one set to None, and theirs (aiohttp, tldextract, twisted.conch)
# cost ~0.2 s of each crawl's start, most of an incremental crawl of an unchanged blog.
_SWITCHED_OFF = {
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
}
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in _SCRAPY_DOWNLOADER_MIDDLEWARES.items() if k not in _SWITCHED_OFF}
EXTENSIONS_BASE = {k: v for k, v in _SCRAPY_EXTENSIONS.items() if k not in _SWITCHED_OFF}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.Rfc9309RobotsTxtMiddleware": 100,  # Scrapy's, with 4xx read as RFC 9309 says
    "crawlers.middlewares.RobotsCrawlDelayMiddleware": 110,
    "crawlers.politeness.PolitenessGuardMiddleware": 115,  # real hosts: >= 1 s, robots.txt, Crawl-delay
    "crawlers.middlewares.PageBudgetMiddleware": 120,
    "crawlers.media.MediaSkipMiddleware": 115,  # media never downloaded (before the page budget counts it)
    "crawlers.middlewares.RedirectLoopMiddleware": 650,  # sees 3xx before RedirectMiddleware (600)
}
SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.ErrorStatsMiddleware": 40,
    "crawlers.robots_meta.RobotsMetaMiddleware": 60,  # noindex / nofollow of the page
}
EXTENSIONS = {
    "crawlers.extensions.CrawlReport": 500,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.canonicalize.CanonicalizeUrlsPipeline": 100,
    "crawlers.pipelines.tombstones.TombstonePipeline": 150,  # before anything keeps content
    "crawlers.pipelines.validate.ValidateRecordPipeline": 200,
    "crawlers.pipelines.quality.FieldStatsPipeline": 300,
    "crawlers.pipelines.dedupe.DedupePipeline": 400,
    "crawlers.pipelines.jsonlines.AtomicJsonLinesPipeline": 800,
    "crawlers.pipelines.state.IncrementalStatePipeline": 900,
}

# Set per run by the runner (crawlers/runner.py):
SHRINKSEARCH_OUTPUT = None  # final JSON Lines path; written as <path>.part, renamed at the end
SHRINKSEARCH_STATE_FILE = None  # incremental state (JSON); None disables it
SHRINKSEARCH_INCREMENTAL = False
SHRINKSEARCH_REPORT_FILE = None  # where CrawlReport writes progress and the final summary
SHRINKSEARCH_URL_LOG = None  # optional: every fetched URL, one a line (tests, debugging)
SHRINKSEARCH_PRIVACY_DIR = None  # tombstones of `shrinksearch forget` (default: from shrinksearch settings)

FAST_PROFILE = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "SHRINKSEARCH_CRAWL_DELAY_MAX": 0,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 10,
}
"""Overrides for the local sample network only (loopback hosts): no delays."""
