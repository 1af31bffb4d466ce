"""How `shrinksearch eval` shows its figures: rich tables (per question class), or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from shrinksearch.eval.run import Report


def _pair(project: float, baseline: float, digits: int = 3) -> str:
    colour = "green" if project >= baseline - 1e-9 else "red"
    return f"[{colour}]{project:.{digits}f}[/] / {baseline:.{digits}f}"


def summary_table(report: Report) -> Table:
    """One row per question class: the project next to the multi_match baseline."""
    table = Table(title=f"{len(report.queries)} judged questions on '{report.alias}': shrinksearch / multi_match baseline")
    for column in ("questions", "nDCG@10", "ratio", "recall@10", "MRR", "empty answers", "who@3"):
        table.add_column(column, justify="right" if column != "questions" else "left")
    for name in report.rows():
        p, b, counts = report.summary("project", name), report.summary("baseline", name), report.row_counts(name)
        ratio = p["ndcg@10"] / b["ndcg@10"] if b["ndcg@10"] else float("inf")
        empty = f"{p['empty']} / {b['empty']}"
        if counts["refused"]:
            empty += f" ({counts['refused']} refused)"
        who = _pair(p["who_top3"], b["who_top3"], 2) + f" ({p['who_questions']})" if p["who_questions"] else ""
        table.add_row(f"{name} ({p['questions']})", _pair(p["ndcg@10"], b["ndcg@10"]), f"{ratio:.2f}",
                      _pair(p["recall@10"], b["recall@10"]), _pair(p["mrr"], b["mrr"]), empty, who)
    return table


def per_query_table(report: Report) -> Table:
    table = Table(title="per question (nDCG@10: project / baseline)", show_lines=False)
    for column in ("id", "class", "question", "nDCG@10", "recall@10", "who@3"):
        table.add_column(column)
    for q in report.queries:
        who = "" if q.project.who is None else f"{q.project.who:.2f} / {q.baseline.who:.2f}"
        ndcg = "refused" if q.refused else _pair(q.project.ndcg, q.baseline.ndcg, 2)
        table.add_row(Text(q.id), q.question_class, Text(q.query), ndcg, _pair(q.project.recall, q.baseline.recall, 2), who)
    return table


def print_report(console: Console, report: Report, per_query: bool = True) -> None:
    if per_query:
        console.print(per_query_table(report))
    console.print(summary_table(report))
    failures = report.failures()
    if failures:
        console.print(Text("Below the baseline:\n  " + "\n  ".join(failures), style="bold red"))
    else:
        console.print(Text("At or above the baseline on every question class.", style="green"))


def report_json(report: Report) -> str:
    rows = {
        name: {"project": report.summary("project", name), "baseline": report.summary("baseline", name), **report.row_counts(name)}
        for name in report.rows()
    }
    body = {
        "alias": report.alias,
        "summary": {"project": report.summary("project"), "baseline": report.summary("baseline")},
        "classes": rows,
        "failures": report.failures(),
        "queries": [asdict(q) for q in report.queries],
    }
    return json.dumps(body, indent=2)
