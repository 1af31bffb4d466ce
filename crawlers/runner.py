"""Run one crawl in its own process and report what it did.

``run_crawl`` is what the CLI (``shrinksearch crawl``) and the flows call. Each crawl is a
child ``python -m crawlers.crawl <platform>`` process (``scrapy crawl`` without the command
line's start-up; the Twisted reactor cannot be restarted inside a long-lived process); the
parent polls the child's report file for progress and returns a ``CrawlSummary``.

Per blog (``name``: the sources.yaml entry, or one derived from the URL) the runner keeps,
under ``settings.data_dir``:

- ``raw/<name>-<UTC time>.jsonl``: the output of one run (written as ``.part``, renamed at
  the end — see ``crawlers.pipelines.jsonlines``);
- ``jobs/<name>/``: Scrapy's JOBDIR, the run record ``run.json``, the report and the log;
- ``state/<name>.json``: the incremental state (``crawlers.state``).

A crawl holds ``jobs/<name>/.lock`` (``Job.owned``) while it runs, so two crawls of one blog —
two shells, or two workers sharing the data directory — never write the same files.

A run that did not finish is resumed by the next run of the same blog: after a clean pause
(SIGINT/SIGTERM) Scrapy's JOBDIR queue is used as is; after a kill (SIGKILL, power loss)
that queue cannot be trusted (Scrapy saves it only on a clean stop), so the blog is walked
again while the records already written are kept and not written twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from protego import Protego

from crawlers.completeness import Completeness, assess, tried_from_request_log
from crawlers.detect import PLATFORMS, detect_platform
from crawlers.extensions import write_json_atomically
from crawlers.pipelines.jsonlines import read_records
from crawlers.politeness import is_loopback_host, refuse_impolite
from crawlers.settings import FAST_PROFILE
from crawlers.sources import Source, find_source
from crawlers.urls import blog_root
from shrinksearch.exceptions import CrawlError, UsageError
from shrinksearch.settings import PROJECT_ROOT, Settings, get_settings, privacy_path


@dataclass
class CrawlProgress:
    """A live snapshot of a running crawl."""

    pid: int
    pages: int
    requests: int
    posts: int
    comments: int
    errors: int


@dataclass
class CrawlSummary:
    """What one crawl did."""

    name: str
    url: str
    platform: str
    output: Path | None
    finish_reason: str
    pages: int = 0
    requests: int = 0
    posts: int = 0
    comments: int = 0
    skipped_by_robots: int = 0
    not_modified: int = 0
    resumed_records: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    missing_fields: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    log: Path | None = None
    request_log: Path | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    completeness: Completeness = field(default_factory=Completeness)

    @property
    def finished(self) -> bool:
        return self.output is not None and self.finish_reason not in ("shutdown", "killed", "crashed")

    @property
    def succeeded(self) -> bool:
        """Finished, and found what a crawl of this blog should (``crawlers.completeness``)."""
        return self.finished and self.completeness.problem is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every field but the raw Scrapy stats, plus the completeness line."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("stats", "completeness")}
        data = {name: str(value) if isinstance(value, Path) else value for name, value in data.items()}
        return {**data, "succeeded": self.succeeded, "completeness": self.completeness.as_dict(),
                "completeness_line": self.completeness.line()}


def job_name(url: str) -> str:
    """A file-safe name for a blog given by URL: host and path, e.g. ``127.0.0.1-8765-shrink-notes``."""
    parts = urlsplit(url)
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.netloc}{parts.path}").strip("-").lower() or "blog"


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def resolve_target(source: str | None, url: str | None, platform: str | None, settings: Settings) -> Source:
    """The blog to crawl, from a sources.yaml name or a URL (exactly one of them)."""
    if bool(source) == bool(url):
        raise UsageError("give either --source NAME or --url URL (one of them)")
    if platform is not None and platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}")
    if source:
        entry = find_source(source, settings.sources_file)
        return entry.model_copy(update={"platform": platform or entry.platform})
    assert url is not None
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise UsageError(f"{url!r} is not an http(s) URL; give the blog's home page, e.g. https://example.blogspot.com/")
    return Source(name=job_name(blog_root(url)), url=url, platform=platform, group="url")


def detect(url: str, user_agent: str) -> str:
    """Fetch the home page (if robots.txt allows) and tell its platform."""
    home = blog_root(url)
    try:
        with httpx.Client(headers={"User-Agent": user_agent}, timeout=30, follow_redirects=True) as client:
            robots = client.get(f"{urlsplit(home).scheme}://{urlsplit(home).netloc}/robots.txt")
            if robots.status_code == 200 and not Protego.parse(robots.text).can_fetch(home, user_agent):
                raise CrawlError(f"robots.txt of {urlsplit(home).netloc} disallows {home}; pass --platform to skip detection")
            return detect_platform(client.get(home).text)
    except httpx.HTTPError as err:
        raise CrawlError(f"cannot reach {home} ({err.__class__.__name__}); check the URL or pass --platform") from None


@dataclass
class Job:
    """Where one blog's crawl keeps its files."""

    name: str
    data_dir: Path

    @property
    def dir(self) -> Path:
        return self.data_dir / "jobs" / self.name

    @property
    def jobdir(self) -> Path:
        return self.dir / "scrapy"

    @property
    def run_file(self) -> Path:
        return self.dir / "run.json"

    @property
    def report(self) -> Path:
        return self.dir / "report.json"

    @property
    def log(self) -> Path:
        return self.dir / "crawl.log"

    @property
    def request_log(self) -> Path:
        return self.dir / "requests.log"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state" / f"{self.name}.json"

    def default_output(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return self.data_dir / "raw" / f"{self.name}-{stamp}.jsonl"

    def previous_run(self) -> dict[str, Any] | None:
        """The record of an unfinished run of this job, if any."""
        if not self.run_file.exists():
            return None
        run = json.loads(self.run_file.read_text(encoding="utf-8"))
        return run if run.get("status") in ("running", "paused") else None

    @contextmanager
    def owned(self) -> Iterator[None]:
        """Hold this blog's job files and crawl state for one crawl; a second crawl of the blog
        (another process, or another worker on a shared data directory) is refused meanwhile."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / ".lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CrawlError(f"{self.name} is being crawled by another process ({self.dir / '.lock'}); wait for it to finish") from None
            yield

    def forget_scheduler(self) -> None:
        """Drop Scrapy's queue and seen-requests after a kill: saved only on clean stops."""
        for name in ("requests.queue", "requests.seen", "spider.state"):
            path = self.jobdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def crawl_command(target: Source, platform: str, output: Path, job: Job, incremental: bool,
                  extra: dict[str, Any], spider_args: dict[str, Any] | None = None) -> list[str]:
    """The child process's command line."""
    args = {"url": target.url, "blog_name": target.title or "", "source": "" if target.group == "url" else target.name,
            "allow": json.dumps(target.allow), "deny": json.dumps(target.deny), **(spider_args or {})}
    sets = {
        "SHRINKSEARCH_OUTPUT": output, "JOBDIR": job.jobdir, "SHRINKSEARCH_REPORT_FILE": job.report,
        "SHRINKSEARCH_STATE_FILE": job.state_file, "SHRINKSEARCH_INCREMENTAL": incremental,
        "SHRINKSEARCH_URL_LOG": job.request_log, "LOG_FILE": job.log, "LOG_FILE_APPEND": True, **extra,
    }
    cmd = [sys.executable, "-m", "crawlers.crawl", platform]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in sets.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def _child_env() -> dict[str, str]:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawlers.settings")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_crawl(
    *,
    source: str | None = None,
    url: str | None = None,
    platform: str | None = None,
    out: Path | None = None,
    incremental: bool = False,
    fast: bool = False,
    resume: bool = True,
    http_cache: bool = False,
    scrapy_settings: dict[str, Any] | None = None,
    spider_args: dict[str, Any] | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
    settings: Settings | None = None,
) -> CrawlSummary:
    """Crawl one blog (a sources.yaml ``source`` or a ``url``) in a child process.

    ``platform`` skips detection; ``out`` names the JSON Lines output (default under
    ``data_dir/raw``); ``incremental`` fetches only what changed since the last finished
    crawl; ``fast`` drops the politeness delays (loopback hosts only: the sample network);
    ``resume`` continues an unfinished run of the same blog; ``http_cache`` keeps responses
    in ``jobs/<name>/httpcache`` (RFC 2616 policy: revalidated, so changes still show);
    ``scrapy_settings`` are extra
    Scrapy settings and ``spider_args`` extra spider arguments (e.g. ``follow_links`` for the
    generic spider); ``on_progress`` is called with snapshots while the crawl runs.
    """
    settings = settings or get_settings()
    target = resolve_target(source, url, platform, settings)
    if fast and not is_loopback(target.url):
        raise UsageError("--fast is only for the local sample network (127.0.0.1); real sites get the polite defaults")
    refuse_impolite(target.url, scrapy_settings or {})
    _refuse_forgotten_blog(settings, target.url)
    chosen = target.platform or detect(target.url, settings.user_agent)
    job = Job(target.name, Path(settings.data_dir))
    with job.owned():  # one crawl of a blog at a time, whichever process or worker runs it
        output = _prepare_job(job, out, resume)
        cache = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": job.dir / "httpcache"} if http_cache else {}
        extra = {**(FAST_PROFILE if fast else {}), **cache, "SHRINKSEARCH_PRIVACY_DIR": privacy_path(settings),
                 **(scrapy_settings or {})}
        cmd = crawl_command(target, chosen, output, job, incremental, extra, spider_args)
        write_json_atomically(job.run_file, {"status": "running", "output": str(output), "url": target.url})
        started = time.monotonic()
        code = _supervise(cmd, job, on_progress)
        summary = _summarise(job, target, chosen, output, code, time.monotonic() - started, incremental)
        status = "finished" if summary.finished else ("paused" if summary.finish_reason == "shutdown" else "running")
        write_json_atomically(job.run_file, {"status": status, "output": str(output), "url": target.url})
    return summary


def _refuse_forgotten_blog(settings: Settings, url: str) -> None:
    """A blog `shrinksearch forget --blog` forgot is not crawled (ForgottenBlog says how to undo)."""
    if (privacy_path(settings) / "tombstones.json").exists():
        from shrinksearch.privacy.tombstones import refuse_forgotten_blog

        refuse_forgotten_blog(settings, blog_root(url))


def _prepare_job(job: Job, out: Path | None, resume: bool) -> Path:
    """The output path of this run: the unfinished run's when resuming, else a new one."""
    job.dir.mkdir(parents=True, exist_ok=True)
    job.report.unlink(missing_ok=True)
    job.request_log.unlink(missing_ok=True)
    previous = job.previous_run() if resume else None
    if previous and (out is None or Path(out) == Path(previous["output"])):
        if previous["status"] == "running":  # killed: Scrapy's queue was never saved
            job.forget_scheduler()
        return Path(previous["output"])
    if job.jobdir.exists():
        shutil.rmtree(job.jobdir)
    return Path(out) if out is not None else job.default_output()


def _supervise(cmd: list[str], job: Job, on_progress: Callable[[CrawlProgress], None] | None) -> int:
    with job.log.open("ab") as log:
        proc = subprocess.Popen(cmd, env=_child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    try:
        while proc.poll() is None:
            if on_progress is not None:
                progress = _progress(job, proc.pid)
                if progress is not None:
                    on_progress(progress)
            try:  # returns as soon as the child exits: a sleep made every crawl a multiple of 0.25 s
                proc.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:  # Ctrl-C reached the child too: let it pause cleanly
        proc.wait()
    return proc.returncode


def _read_report(job: Job) -> dict[str, Any] | None:
    try:
        return json.loads(job.report.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _progress(job: Job, pid: int) -> CrawlProgress | None:
    report = _read_report(job)
    if report is None:
        return None
    s = report["stats"]
    return CrawlProgress(
        pid=pid, pages=_pages(s), requests=s.get("downloader/request_count", 0),
        posts=s.get("shrinksearch/items/post", 0), comments=s.get("shrinksearch/items/comment", 0),
        errors=sum(v for k, v in s.items() if k.startswith("shrinksearch/errors/")),
    )


def _pages(stats: dict[str, Any]) -> int:
    return max(0, stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0))


def _prefixed(stats: dict[str, Any], prefix: str, suffix: str = "") -> dict[str, int]:
    return {k[len(prefix):len(k) - len(suffix)]: v for k, v in sorted(stats.items())
            if k.startswith(prefix) and k.endswith(suffix)}


def _summarise(job: Job, target: Source, platform: str, output: Path, code: int, elapsed: float,
               incremental: bool) -> CrawlSummary:
    report = _read_report(job)
    stats: dict[str, Any] = report["stats"] if report else {}
    reason = stats.get("finish_reason") or ("killed" if code < 0 else "crashed")
    finished = output.exists() and reason not in ("shutdown", "killed", "crashed")
    records = list(read_records(output)) if finished else []
    return CrawlSummary(
        name=job.name, url=target.url, platform=platform, output=output if finished else None,
        finish_reason=reason, pages=_pages(stats), requests=stats.get("downloader/request_count", 0),
        posts=sum(r.get("type") == "post" for r in records),
        comments=sum(r.get("type") == "comment" for r in records),
        skipped_by_robots=stats.get("robotstxt/forbidden", 0),
        not_modified=stats.get("shrinksearch/not_modified", 0),
        resumed_records=stats.get("shrinksearch/resumed_records", 0),
        errors=_prefixed(stats, "shrinksearch/errors/"),
        missing_fields=_prefixed(stats, "shrinksearch/field/", "/missing"),
        dropped=_prefixed(stats, "shrinksearch/dropped/"),
        elapsed=elapsed, log=job.log, request_log=job.request_log, stats=stats,
        completeness=assess(records, stats, incremental=incremental, tried=_tried(job)) if finished else Completeness(),
    )


def _tried(job: Job) -> list[tuple[str, str]]:
    """What the crawl asked for and what answered, from its request log."""
    try:
        return tried_from_request_log(job.request_log.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return []
