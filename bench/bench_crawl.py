"""crawl: pages/s of the project's crawls vs a bare Scrapy spider, and incremental vs full.

A scaled-up sample network (``corpus.scaled_network``: Blogger threaded, WordPress, generic,
Blogger classic; ``--size`` posts per blog) is served on 127.0.0.1 by the samples server in
this process. Per blog:

1. a full project crawl, not timed: it warms the server's render cache and its request log
   gives the URLs a complete crawl fetches;
2. the bare spider (``bare_spider.py``) fetching exactly those URLs, parsing nothing, with
   Scrapy's defaults (the baseline of the target);
3. the project's full crawl (``crawlers.runner.run_crawl(fast=True)``), checked complete;
4. the bare spider again with the engine settings the project tunes (``TUNED``: the
   project's ``CONCURRENT_ITEMS`` also speeds up a spider that parses nothing), so the
   project's own parsing and pipeline cost is shown apart from Scrapy's defaults;
5. an incremental re-crawl of the unchanged blog (``incremental=True``).

Both crawlers run as child processes (as the flows run crawls) with the same fast profile
(no delays, ``CONCURRENT_REQUESTS``/``_PER_DOMAIN`` from ``FAST_PROFILE``, robots.txt
obeyed). Rates are pages (responses but robots.txt) per second of the child's wall time
(start to exit); the ratio per second of the engine's own elapsed time (no start-up) and
per CPU second of the child (robust to other load on the machine) are shown too. Targets: project >= 0.7 of
the bare spider; incremental <= 0.1 of full.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawlers.runner import CrawlSummary, run_crawl
from crawlers.settings import CONCURRENT_ITEMS, FAST_PROFILE, USER_AGENT
from shrinksearch.samples import expected_counts, running_server
from shrinksearch.settings import Settings

from .common import BENCH_DIR, console, ratio, settings, show, write_results
from .corpus import scaled_network

POSTS_PER_BLOG = 2000
BLOGS = 4
TARGET_RATE = 0.7
TARGET_INCREMENTAL = 0.1

# Settings the project's crawls get on top of the project's own (none: crawls run as the flows run them).
PROJECT_OVERRIDES: dict[str, Any] = {}

# The Scrapy settings the project's crawls share with the baseline (besides FAST_PROFILE).
SHARED = {"ROBOTSTXT_OBEY": True, "USER_AGENT": USER_AGENT, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
          "LOG_LEVEL": "INFO", "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024}


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fetched_urls(request_log: Path) -> list[str]:
    """The URLs a crawl received a response for, but robots.txt (the baseline fetches its own)."""
    urls = []
    for line in request_log.read_text(encoding="utf-8").splitlines():
        _, event, url = line.split(" ", 2)
        if event.startswith("got-") and not url.endswith("/robots.txt"):
            urls.append(url)
    return urls


# Engine settings of the project's (crawlers/settings.py) that a bare spider gains from too.
TUNED = {"CONCURRENT_ITEMS": CONCURRENT_ITEMS}


def bare_crawl(urls: list[str], workdir: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the bare spider over ``urls`` in a child process; its stats and wall time."""
    url_file, stats_file = workdir / "bare-urls.txt", workdir / "bare-stats.json"
    url_file.write_text("\n".join(urls), encoding="utf-8")
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(BENCH_DIR / "bare_spider.py"),
           "-a", f"urls={url_file}", "-a", f"stats={stats_file}", "-s", f"LOG_FILE={workdir / 'bare.log'}"]
    for key, value in {**SHARED, **FAST_PROFILE, **(extra or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    started, cpu = time.perf_counter(), children_cpu()
    # cwd: a folder without scrapy.cfg, so no project settings are picked up
    subprocess.run(cmd, cwd=workdir, env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    pages = stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0)
    return {"pages": pages, "wall_s": round(wall, 3), "engine_s": round(stats["elapsed_time_seconds"], 3), "cpu_s": round(cpu, 3),
            "status_200": stats.get("downloader/response_status_count/200", 0)}


def project_crawl(url: str, platform: str, out: Path, cfg: Settings, incremental: bool = False) -> tuple[CrawlSummary, float, float]:
    """A crawl as the flows run it; its summary, wall seconds and the child's CPU seconds."""
    started, cpu = time.perf_counter(), children_cpu()
    summary = run_crawl(url=url, platform=platform, fast=True, incremental=incremental, resume=False,
                        out=out, settings=cfg, scrapy_settings=PROJECT_OVERRIDES)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if not summary.finished:
        raise RuntimeError(f"crawl of {url} ended early ({summary.finish_reason}); see {summary.log}")
    return summary, wall, cpu


def crawl_blog(base: str, slug: str, platform: str, expected: Any, workdir: Path, cfg: Settings) -> dict[str, Any]:
    url = f"{base}/{slug}/"
    warm, _, _ = project_crawl(url, platform, workdir / f"{slug}-warm.jsonl", cfg)
    assert warm.request_log is not None
    urls = fetched_urls(warm.request_log)
    bare = bare_crawl(urls, workdir)
    full, full_wall, full_cpu = project_crawl(url, platform, workdir / f"{slug}-full.jsonl", cfg)
    tuned = bare_crawl(urls, workdir, TUNED)
    if (full.posts, full.comments) != (expected.posts, expected.comments):
        raise RuntimeError(f"{slug}: crawled {full.posts} posts/{full.comments} comments, expected {expected.posts}/{expected.comments}")
    incremental, inc_wall, _ = project_crawl(url, platform, workdir / f"{slug}-incremental.jsonl", cfg, incremental=True)
    row = {
        "blog": slug, "platform": platform, "posts": full.posts, "comments": full.comments,
        "pages": full.pages, "bare_pages": bare["pages"],
        "project_wall_s": round(full_wall, 3), "project_engine_s": round(full.stats["elapsed_time_seconds"], 3),
        "bare_wall_s": bare["wall_s"], "bare_engine_s": bare["engine_s"],
        "project_pages_per_s": round(full.pages / full_wall, 1), "bare_pages_per_s": round(bare["pages"] / bare["wall_s"], 1),
        "incremental_wall_s": round(inc_wall, 3), "incremental_pages": incremental.pages,
        "incremental_records": incremental.posts + incremental.comments,
    }
    row["rate_ratio"] = ratio(row["project_pages_per_s"], row["bare_pages_per_s"])
    row["engine_rate_ratio"] = ratio(full.pages / row["project_engine_s"], bare["pages"] / bare["engine_s"])
    row["project_cpu_s"], row["bare_cpu_s"] = round(full_cpu, 3), bare["cpu_s"]
    row["cpu_rate_ratio"] = ratio(full.pages / full_cpu, bare["pages"] / bare["cpu_s"])
    row["incremental_ratio"] = ratio(inc_wall, full_wall)
    row["bare_tuned_wall_s"], row["bare_tuned_cpu_s"] = tuned["wall_s"], tuned["cpu_s"]
    row["bare_tuned_pages_per_s"] = round(tuned["pages"] / tuned["wall_s"], 1)
    row["tuned_rate_ratio"] = ratio(row["project_pages_per_s"], row["bare_tuned_pages_per_s"])
    console.print(f"[dim]{slug}: {row['pages']} pages, project {row['project_wall_s']}s, bare {row['bare_wall_s']}s, "
                  f"incremental {row['incremental_wall_s']}s[/dim]")
    return row


def run(size: int | None = None) -> dict[str, Any]:
    posts = size or POSTS_PER_BLOG
    network = scaled_network(posts, BLOGS)
    expected = expected_counts(network)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp, running_server(network=network) as base:
        workdir = Path(tmp)
        cfg = settings().model_copy(update={"data_dir": workdir / "data"})
        rows = [crawl_blog(base, slug, blog.platform, expected.blogs[slug], workdir, cfg)
                for slug, blog in network.blogs.items()]
    total = {key: round(sum(r[key] for r in rows), 3) for key in
             ("pages", "bare_pages", "project_wall_s", "bare_wall_s", "project_engine_s", "bare_engine_s",
              "project_cpu_s", "bare_cpu_s", "incremental_wall_s", "bare_tuned_wall_s", "bare_tuned_cpu_s")}
    total["rate_ratio"] = ratio(total["pages"] / total["project_wall_s"], total["bare_pages"] / total["bare_wall_s"])
    total["engine_rate_ratio"] = ratio(total["pages"] / total["project_engine_s"], total["bare_pages"] / total["bare_engine_s"])
    total["cpu_rate_ratio"] = ratio(total["pages"] / total["project_cpu_s"], total["bare_pages"] / total["bare_cpu_s"])
    total["incremental_ratio"] = ratio(total["incremental_wall_s"], total["project_wall_s"])
    total["tuned_rate_ratio"] = ratio(total["pages"] / total["project_wall_s"], total["bare_pages"] / total["bare_tuned_wall_s"])
    table_rows = [
        (r["blog"], r["pages"], r["bare_pages_per_s"], r["project_pages_per_s"], r["rate_ratio"], r["engine_rate_ratio"],
         r["cpu_rate_ratio"], r["bare_tuned_pages_per_s"], r["tuned_rate_ratio"], r["project_wall_s"], r["incremental_wall_s"],
         r["incremental_ratio"])
        for r in rows
    ]
    table_rows.append(("all blogs", total["pages"], round(total["bare_pages"] / total["bare_wall_s"], 1),
                       round(total["pages"] / total["project_wall_s"], 1), total["rate_ratio"], total["engine_rate_ratio"],
                       total["cpu_rate_ratio"], round(total["bare_pages"] / total["bare_tuned_wall_s"], 1), total["tuned_rate_ratio"],
                       total["project_wall_s"], total["incremental_wall_s"], total["incremental_ratio"]))
    show(f"crawl: {BLOGS} blogs x {posts:,} posts on 127.0.0.1 (pages/s of child wall time)",
         ["blog", "pages", "bare/s", "project/s", "ratio", "engine ratio", "CPU ratio", "tuned bare/s", "vs tuned",
          "full s", "incr. s", "incr./full"], table_rows)
    show("crawl targets", ["target", "value", "met"], [
        (f"project/bare >= {TARGET_RATE}", total["rate_ratio"], total["rate_ratio"] >= TARGET_RATE),
        (f"incremental/full <= {TARGET_INCREMENTAL}", total["incremental_ratio"], total["incremental_ratio"] <= TARGET_INCREMENTAL),
        ("(no target) project/bare with the project's engine settings", total["tuned_rate_ratio"], "-"),
    ])
    payload = {"posts_per_blog": posts, "blogs": rows, "total": total, "project_overrides": PROJECT_OVERRIDES, "tuned": TUNED,
               "targets": {"rate_ratio": TARGET_RATE, "incremental_ratio": TARGET_INCREMENTAL}}
    write_results("crawl", payload)
    return payload
