"""The markdown summary each pipeline run publishes as a Prefect artifact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from crawlers.runner import CrawlSummary
from shrinksearch.es.bulk import BulkReport
from shrinksearch.pipeline.reports import StageReport
from shrinksearch.privacy.deletions import DeletionReport

TOP_THEMES = 10


def pipeline_summary_markdown(
    crawls: list[CrawlSummary], cleaned: StageReport, enriched: StageReport, indexed: BulkReport, rejects: Path,
    incomplete: list[CrawlSummary] | None = None,
    deleted: DeletionReport | None = None,
) -> str:
    """One table of totals, the completeness of each crawl, then the most frequent themes
    and the reject reasons."""
    deleted = deleted or DeletionReport()
    rows = [
        ("pages fetched", sum(c.pages for c in crawls)),
        ("posts", cleaned.kinds.get("post", 0)),
        ("comments", cleaned.kinds.get("comment", 0)),
        ("rejected", cleaned.rejected + enriched.rejected),
        ("documents indexed", indexed.indexed),
        ("index failures", indexed.failed),
        ("posts deleted upstream (404/410, noindex)", deleted.posts),
        ("comments deleted upstream", deleted.comments),
        ("documents removed for deletions upstream", deleted.documents),
        ("records left out: noindex pages", sum(c.dropped.get("noindex", 0) for c in crawls)),
        ("links not followed: nofollow pages", sum(c.stats.get("shrinksearch/skipped/nofollow", 0) for c in crawls)),
        ("records left out: forgotten", cleaned.forgotten + sum(c.dropped.get("forgotten", 0) for c in crawls)),
    ]
    lines = ["## crawl-and-index", "", "| measure | count |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines += completeness_markdown(crawls, incomplete or [])
    lines += ["", "### Top themes", "", "| theme | documents |", "|---|---:|"]
    lines += [f"| {theme} | {n} |" for theme, n in Counter(enriched.kinds).most_common(TOP_THEMES)]
    if cleaned.repairs:
        lines += ["", "### Kept without a field", "", "| why | count |", "|---|---:|"]
        lines += [f"| {why} | {n} |" for why, n in cleaned.repairs.most_common()]
    reasons = cleaned.reasons + enriched.reasons
    if reasons:
        lines += ["", f"### Rejects (`{rejects}`)", "", "| reason | count |", "|---|---:|"]
        lines += [f"| {reason} | {n} |" for reason, n in reasons.most_common()]
    return "\n".join(lines) + "\n"


def completeness_markdown(crawls: list[CrawlSummary], incomplete: list[CrawlSummary]) -> list[str]:
    """Per blog: found against declared, field coverage, and why a crawl is incomplete."""
    lines = ["", "### Completeness (found / declared)", "",
             "| blog | posts | comments | author | date | parent | incomplete because |", "|---|---:|---:|---:|---:|---:|---|"]
    for crawl in crawls + incomplete:
        c = crawl.completeness
        cover = [("n/a" if c.coverage.get(k) is None else f"{c.coverage[k]:.0%}") for k in ("author", "date", "parent")]
        declared = ["?" if n is None else str(n) for n in (c.posts_declared, c.comments_declared)]
        lines.append(f"| {crawl.name} | {c.posts_found}/{declared[0]} | {c.comments_found}/{declared[1]} | "
                     f"{' | '.join(cover)} | {c.problem or ''} |")
    return lines


def fan_out_summary_markdown(children, results: dict[str, dict]) -> str:  # noqa: ANN001 - list[fanout.Child]
    """One row per fanned-out run (its state, attempts and numbers), then the totals."""
    keys = ("posts", "comments", "rejected", "indexed", "failed")
    lines = ["## crawl-and-index (fanned out to the work pool)", "",
             "| run | state | attempts | " + " | ".join(keys) + " |", "|---|---|---:|" + "---:|" * len(keys)]
    for child in children:
        numbers = results.get(child.label, {})
        lines.append(f"| {child.label} | {child.state} | {child.attempts} | " + " | ".join(str(numbers.get(k, 0)) for k in keys) + " |")
    totals = [str(sum(r.get(k, 0) for r in results.values())) for k in keys]
    lines.append("| **all** | | | " + " | ".join(totals) + " |")
    return "\n".join(lines) + "\n"
