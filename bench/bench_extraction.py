"""extraction: precision and recall of posts and comments, and field coverage, on saved sites.

Two kinds of material, each served on 127.0.0.1 by the static server for saved copies
(``shrinksearch.samples.mirror``) and crawled by the real spider (``run_crawl``, fast
profile, in its own process, platform detected unless the truth names it):

- every fixture of ``tests/fixtures/real_markup/`` — a saved site whose markup reproduces a
  real blog's, with its ``truth.yaml``;
- every blog of the sample network's wget-mirror copy (``shrinksearch.samples.wget_mirror``),
  its truth what the copy holds (``mirror_truth``).

``shrinksearch.samples.groundtruth.check`` compares the records with the truth; its counts
give, per variant and over all of them:

- precision = records matched to the truth / records written (posts, comments apart);
- recall = matched / what the truth lists;
- field coverage = matched records whose field is right / matched records the truth checks
  it on: author (``author``, ``author_shown``), date (``published``), parent (a comment's
  ``parent_id``), text (``text_has`` present, ``text_lacks`` absent).

Writes ``bench/results/extraction.json`` and rewrites its own section of BENCHMARKS.md
(between the ``bench extraction`` markers; nothing else in the file changes).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawlers.runner import run_crawl
from shrinksearch.samples.groundtruth import Verdict, check, load_truth
from shrinksearch.samples.mirror import running_mirror
from shrinksearch.samples.network import load_network
from shrinksearch.samples.wget_mirror import export_mirror
from shrinksearch.samples.wget_truth import mirror_truth

from .common import BENCH_DIR, console, machine, settings, show, write_results

FIXTURES = BENCH_DIR.parent / "tests" / "fixtures" / "real_markup"
BENCHMARKS_MD = BENCH_DIR.parent / "BENCHMARKS.md"
BEGIN, END = "<!-- bench extraction: begin -->", "<!-- bench extraction: end -->"

FIELDS = {
    "author": ("post.author", "comment.author", "comment.author_shown"),
    "date": ("post.published", "comment.published"),
    "parent": ("comment.parent",),
    "text": ("post.text", "comment.text"),
}
"""The fields the benchmark reports, each over the checks of ``groundtruth.check`` it sums."""


def crawl_and_check(root: Path, truth: dict[str, Any], workdir: Path, name: str) -> tuple[Verdict, str]:
    """Serve ``root``, crawl from the truth's start, check the records; the verdict and the crawl's completeness line."""
    out = workdir / f"{name}.jsonl"
    cfg = settings().model_copy(update={"data_dir": workdir / "data"})
    with running_mirror(root) as base:
        summary = run_crawl(url=base + truth.get("start", "/"), platform=truth.get("platform"), fast=True,
                            resume=False, out=out, settings=cfg)
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
        verdict = check(records, truth, base)
    if not summary.finished:
        verdict.fail(f"the crawl did not finish: {summary.finish_reason}")
    return verdict, summary.completeness.line()


def material(workdir: Path) -> list[tuple[str, str, Path, dict[str, Any]]]:
    """(variant, kind, saved site, truth) for every fixture and every blog of the wget copy."""
    found = [(p.name, "fixture", p / "site", load_truth(p)) for p in sorted(FIXTURES.iterdir()) if (p / "truth.yaml").exists()]
    network = load_network()
    copy = export_mirror(workdir / "wget-copy", network)
    for slug, saved in copy.blogs.items():
        found.append((f"wget/{slug}", "wget copy", copy.root, mirror_truth(saved, network.blog(slug), copy.root)))
    return found


def scores(verdict: Verdict) -> dict[str, Any]:
    """The counts of one verdict and what they give: precision, recall, field coverage."""
    row: dict[str, Any] = {}
    for kind in ("post", "comment"):
        expected, found, matched = verdict.expected[kind], verdict.found[kind], verdict.matched[kind]
        row[kind] = {"expected": expected, "found": found, "matched": matched,
                     "precision": _share(matched, found), "recall": _share(matched, expected)}
    row["fields"] = {name: {"right": sum(verdict.fields_right[c] for c in checks),
                            "checked": sum(verdict.fields_checked[c] for c in checks)} for name, checks in FIELDS.items()}
    for counts in row["fields"].values():
        counts["coverage"] = _share(counts["right"], counts["checked"])
    row["problems"] = len(verdict.problems)
    return row


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def total(verdicts: list[Verdict]) -> Verdict:
    summed = Verdict()
    for verdict in verdicts:
        for name in ("expected", "found", "matched", "fields_right", "fields_checked"):
            getattr(summed, name).update(getattr(verdict, name))
        summed.problems += verdict.problems
    return summed


def run(size: int | None = None) -> dict[str, Any]:
    rows, verdicts = [], []
    with tempfile.TemporaryDirectory(prefix="bench-extraction-") as tmp:
        workdir = Path(tmp)
        for index, (variant, kind, root, truth) in enumerate(material(workdir)):
            verdict, completeness = crawl_and_check(root, truth, workdir, f"crawl-{index}")
            verdicts.append(verdict)
            rows.append({"variant": variant, "kind": kind, **scores(verdict), "completeness": completeness,
                         "first_problems": verdict.problems[:8]})
            console.print(f"[dim]{variant}: {len(verdict.problems)} problems; {completeness}[/dim]")
    groups = {"all": total(verdicts), "fixtures": total([v for v, r in zip(verdicts, rows) if r["kind"] == "fixture"]),
              "wget copy": total([v for v, r in zip(verdicts, rows) if r["kind"] == "wget copy"])}
    totals = {name: scores(verdict) for name, verdict in groups.items()}
    show("extraction: precision / recall of posts and comments, field coverage (matched records)",
         ["variant", "posts P", "posts R", "comments P", "comments R", "author", "date", "parent", "text", "problems"],
         [_table_row(r["variant"], r) for r in rows] + [_table_row(name, t) for name, t in totals.items()])
    payload = {"variants": rows, "totals": totals, "problem_kinds": dict(problem_kinds(groups["all"].problems))}
    write_results("extraction", payload)
    write_section(rows, totals, payload["problem_kinds"])
    return payload


def _table_row(name: str, row: dict[str, Any]) -> list[Any]:
    return [name, _pct(row["post"]["precision"]), _pct(row["post"]["recall"]), _pct(row["comment"]["precision"]),
            _pct(row["comment"]["recall"]), *(_pct(row["fields"][f]["coverage"]) for f in FIELDS), row["problems"]]


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def problem_kinds(problems: list[str]) -> Counter[str]:
    """Problems by kind, the specifics (ids, paths, values) left out: "comment …: published is …"."""
    kinds: Counter[str] = Counter()
    for problem in problems:
        kind = re.sub(r"^(comment|post) \S+(?: on \S+)?: (\w+) is .*", r"\1: \2 wrong", problem)
        kind = re.sub(r"^(?:(comment) \S+ on \S+: missing|(post) missing: .*)$", lambda m: f"{m[1] or m[2]} missing", kind)
        kind = re.sub(r"^(post|comment) not in the truth: .*", r"\1 not in the truth", kind)
        kind = re.sub(r"^(comment|post) \S+(?: on \S+)?: text (lacks|has boilerplate).*", r"\1: text \2 …", kind)
        kind = re.sub(r"^(duplicate \w+|relative \w+): .*", r"\1", kind)
        kinds[kind] += 1
    return kinds


def write_section(rows: list[dict[str, Any]], totals: dict[str, dict[str, Any]], kinds: dict[str, int]) -> None:
    """Rewrite the benchmark's own section of BENCHMARKS.md (appended the first time)."""
    info = machine()
    head = ["| variant | posts P | posts R | comments P | comments R | author | date | parent | text | problems |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    lines = [BEGIN, "",
             f"Run {datetime.now(timezone.utc):%d %B %Y, %H:%M} UTC, commit `{info['commit']}`, "
             f"load average {info['load_avg_1_5_15_min'][0]}; `python -m bench extraction`.", "", *head]
    lines += ["| " + " | ".join(str(c) for c in _table_row(r["variant"], r)) + " |" for r in rows]
    lines += ["| **" + name + "** | " + " | ".join(str(c) for c in _table_row(name, t)[1:]) + " |" for name, t in totals.items()]
    counts = totals["all"]
    lines += ["", f"Posts: {counts['post']['matched']} of {counts['post']['expected']} found "
                  f"({counts['post']['found']} written); comments: {counts['comment']['matched']} of "
                  f"{counts['comment']['expected']} ({counts['comment']['found']} written).", ""]
    if kinds:
        lines += ["What fails, by kind (over every variant):", ""]
        lines += [f"- {kind}: {n}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
        lines.append("")
    lines.append(END)
    text = BENCHMARKS_MD.read_text(encoding="utf-8")
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## extraction\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    console.print("[dim]BENCHMARKS.md: section 'extraction' rewritten[/dim]")
