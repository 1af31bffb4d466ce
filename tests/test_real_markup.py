"""Crawls of saved sites whose markup follows real blogs, checked field by field.

Every directory of ``tests/fixtures/real_markup/`` is one variant real blogs use (a Blogger
template, a WordPress theme, a feed layout, a language): a small saved site in ``site/`` —
the structure copied from the real page named in its ``truth.yaml``, the text our own —
served as a static copy on 127.0.0.1 (``shrinksearch.samples.mirror``) and crawled by the real
spider in its own process. ``truth.yaml`` says what a complete crawl finds; the check is
``shrinksearch.samples.groundtruth.check``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawlers.runner import CrawlSummary, run_crawl
from shrinksearch.samples.groundtruth import check, load_truth
from shrinksearch.samples.mirror import running_mirror

FIXTURES = Path(__file__).parent / "fixtures" / "real_markup"
VARIANTS = sorted(p.name for p in FIXTURES.iterdir() if (p / "truth.yaml").exists()) if FIXTURES.exists() else []


def crawl_fixture(name: str, out: Path) -> tuple[CrawlSummary, list[dict[str, Any]], str, dict[str, Any]]:
    """Serve one fixture, crawl it, and return the summary, the records, the base URL and the truth."""
    fixture = FIXTURES / name
    truth = load_truth(fixture)
    with running_mirror(fixture / "site") as base_url:
        summary = run_crawl(url=base_url + truth.get("start", "/"), platform=truth.get("platform"),
                            fast=True, resume=False, out=out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return summary, records, base_url, truth


def test_the_fixture_library_covers_the_variants() -> None:
    assert len(VARIANTS) >= 1
    for name in VARIANTS:
        truth = load_truth(FIXTURES / name)
        assert truth.get("structure_from"), f"{name}: truth.yaml must say which real page its structure follows"


@pytest.mark.parametrize("name", VARIANTS)
def test_a_crawl_finds_everything_the_saved_site_holds(name: str, data_dir: Path, tmp_path: Path) -> None:
    summary, records, base_url, truth = crawl_fixture(name, tmp_path / "out.jsonl")
    assert summary.finished, f"{name}: {summary.finish_reason}; log {summary.log}"
    verdict = check(records, truth, base_url)
    assert not verdict.problems, f"{name}:\n" + "\n".join(verdict.problems)
    assert summary.completeness.problem == truth.get("expect_problem"), summary.completeness.line()


@pytest.mark.parametrize("name", VARIANTS[:3])
def test_two_crawls_of_one_site_give_the_same_records(name: str, data_dir: Path, tmp_path: Path) -> None:
    _, first, _, _ = crawl_fixture(name, tmp_path / "first.jsonl")
    _, second, _, _ = crawl_fixture(name, tmp_path / "second.jsonl")

    assert len(first) == len(second)
    assert [_without_port(r) for r in first] == [_without_port(r) for r in second]


def _without_port(record: dict[str, Any]) -> str:
    """A record as text, its crawl time left out and the mirror's port blanked (the two
    crawls are served on different ports)."""
    text = json.dumps({k: v for k, v in record.items() if k != "crawled"}, sort_keys=True, ensure_ascii=False)
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
