"""How `shrinksearch eval` shows its figures: a rich table, or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from shrinksearch.eval.run import Report

METRICS = (("ndcg@10", "nDCG@10"), ("mrr", "MRR"), ("who_top3", "who top-3 accuracy"))


def summary_table(report: Report) -> Table:
    project, baseline = report.summary("project"), report.summary("baseline")
    table = Table(title=f"{len(report.queries)} judged queries ({report.who_questions} 'who') on '{report.alias}'")
    table.add_column("metric")
    table.add_column("shrinksearch", justify="right")
    table.add_column("multi_match baseline", justify="right")
    table.add_column("Δ", justify="right")
    for key, label in METRICS:
        delta = project[key] - baseline[key]
        table.add_row(label, f"{project[key]:.3f}", f"{baseline[key]:.3f}", f"[{'green' if delta >= 0 else 'red'}]{delta:+.3f}[/]")
    return table


def per_query_table(report: Report) -> Table:
    table = Table(title="per query (nDCG@10: project / baseline)", show_lines=False)
    for column in ("id", "query", "project", "baseline", "who@3"):
        table.add_column(column)
    for q in report.queries:
        who = "" if q.project.who is None else f"{q.project.who:.2f} / {q.baseline.who:.2f}"
        table.add_row(Text(q.id), Text(q.query), f"{q.project.ndcg:.2f}", f"{q.baseline.ndcg:.2f}", who)
    return table


def print_report(console: Console, report: Report, per_query: bool = True) -> None:
    if per_query:
        console.print(per_query_table(report))
    console.print(summary_table(report))


def report_json(report: Report) -> str:
    body = {
        "alias": report.alias,
        "summary": {"project": report.summary("project"), "baseline": report.summary("baseline")},
        "queries": [asdict(q) for q in report.queries],
    }
    return json.dumps(body, indent=2)
