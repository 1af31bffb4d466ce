"""Run a judged question set against the project's search and a plain multi_match baseline.

Both systems answer every question on the same index. Documents: nDCG@10, MRR and
recall@10 of the top 10 (the project's ``search``; the baseline's ``multi_match`` over
title and text of the question as typed), and whether the answer was empty. People, for
"who" questions: the project's ``who``; for the baseline, the authors of its top documents
in order of first appearance (attributed as the project attributes them) — then top-3
accuracy against the expected people, or, when the set names none, whether the top 3 hold
an author of a grade-2 document.

Figures are reported per question class (topic, fact, who) and overall; a class where the
project is below the baseline (nDCG@10 or recall@10), answers nothing where the baseline
answers, or refuses a question, is a failure (``Report.failures``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import Elasticsearch

from shrinksearch.enrich.taxonomy import THEMES_FILE, load_taxonomy
from shrinksearch.es import IndexManager, index_documents
from shrinksearch.es.client import make_client, translate_errors
from shrinksearch.eval.corpus import sample_documents
from shrinksearch.eval.judged_set import load_manifest, load_questions, resolve_file_set
from shrinksearch.eval.judgments import CLASSES, JUDGMENTS_FILE, ResolvedQuery, load_judgments, resolve
from shrinksearch.eval.metrics import any_in_top, mean, ndcg_at, recall_at, reciprocal_rank, top_k_accuracy
from shrinksearch.exceptions import QueryError, UsageError
from shrinksearch.samples.network import load_network
from shrinksearch.search.builder import Page
from shrinksearch.search.people import key_of, person_key
from shrinksearch.search.results import Hit
from shrinksearch.search.service import SearchService, load_themes
from shrinksearch.settings import Settings

K = 10
WHO_K = 3
BASELINE_DEPTH = 50  # documents the baseline reads to name people


@dataclass
class Scores:
    ndcg: float
    rr: float
    recall: float
    empty: bool
    who: float | None = None  # "who" questions only


@dataclass
class QueryResult:
    id: str
    query: str
    question_class: str
    project: Scores
    baseline: Scores
    refused: str | None = None  # the project's error message, when it refused the question
    project_people: list[str] = field(default_factory=list)
    baseline_people: list[str] = field(default_factory=list)


@dataclass
class Report:
    alias: str
    queries: list[QueryResult]

    def rows(self) -> dict[str, list[QueryResult]]:
        """Question class -> its questions; "all" first, then the classes present."""
        rows = {"all": self.queries}
        rows.update({c: [q for q in self.queries if q.question_class == c] for c in CLASSES})
        return {name: qs for name, qs in rows.items() if qs}

    def summary(self, system: str, name: str = "all") -> dict[str, float]:
        """Means over a row's questions for one system ("project" or "baseline")."""
        questions = self.rows().get(name, [])
        scores = [getattr(q, system) for q in questions]
        who = [s.who for s in scores if s.who is not None]
        return {
            "questions": len(questions),
            "ndcg@10": mean([s.ndcg for s in scores]),
            "mrr": mean([s.rr for s in scores]),
            "recall@10": mean([s.recall for s in scores]),
            "empty": sum(1 for s in scores if s.empty),
            "who_top3": mean(who),
            "who_questions": len(who),
        }

    def row_counts(self, name: str) -> dict[str, int]:
        questions = self.rows().get(name, [])
        return {
            "empty_where_baseline_answers": sum(1 for q in questions if q.project.empty and not q.baseline.empty),
            "refused": sum(1 for q in questions if q.refused),
        }

    def failures(self) -> list[str]:
        """One line per row where the project does worse than the baseline."""
        out = []
        for name in self.rows():
            project, baseline, counts = self.summary("project", name), self.summary("baseline", name), self.row_counts(name)
            for metric in ("ndcg@10", "recall@10"):
                if project[metric] < baseline[metric] - 1e-9:
                    out.append(f"{name}: {metric} {project[metric]:.3f} below the baseline's {baseline[metric]:.3f}")
            if counts["empty_where_baseline_answers"]:
                out.append(f"{name}: {counts['empty_where_baseline_answers']} questions answered by nothing where the baseline answers")
            if counts["refused"]:
                out.append(f"{name}: {counts['refused']} questions refused")
        return out


def run_evaluation(
    settings: Settings, judgments_path: Path | None = None, fresh_samples: bool = False, manifest_path: Path | None = None
) -> Report:
    """Evaluate on the alias (or, with ``fresh_samples``, on a temporary sample-network index).

    With ``manifest_path``, ``judgments_path`` is a questions file judged by record ids
    (judged_set.py); otherwise a sample-network judgments file (judgments.py)."""
    client = make_client(settings)
    themes = load_themes(settings)
    with _index(client, settings, fresh_samples) as alias, translate_errors(settings):
        resolved = _resolved(client, alias, settings, judgments_path, manifest_path)
        return evaluate(SearchService(client, alias, themes), resolved)


def _resolved(client: Elasticsearch, alias: str, settings: Settings, judgments_path: Path | None,
              manifest_path: Path | None) -> list[ResolvedQuery]:
    if manifest_path is not None:
        if judgments_path is None:
            raise UsageError("--manifest goes with --judgments QUESTIONS (the questions judged by record id)")
        return resolve_file_set(load_questions(judgments_path), load_manifest(manifest_path), client, alias)
    judgments = load_judgments(judgments_path or settings.index_config_dir / JUDGMENTS_FILE)
    return resolve(judgments, load_network(), client, alias)


def evaluate(service: SearchService, queries: list[ResolvedQuery]) -> Report:
    """Both systems on every resolved query."""
    return Report(service.alias, [_one(service, q) for q in queries])


def _one(service: SearchService, q: ResolvedQuery) -> QueryResult:
    refused = None
    try:
        ranked = [h.id for h in service.search(q.query, page=Page(size=K, facets=False, highlight=False)).hits]
    except QueryError as err:
        ranked, refused = [], str(err)
    baseline_hits = service.baseline(q.query, BASELINE_DEPTH)
    baseline_ranked = [h.id for h in baseline_hits[:K]]
    result = QueryResult(q.id, q.query, q.question_class, _scores(ranked, q), _scores(baseline_ranked, q), refused)
    if q.question_class == "who":
        _score_people(service, q, result, baseline_hits)
    return result


def _scores(ranked: list[str], q: ResolvedQuery) -> Scores:
    return Scores(ndcg_at(ranked, q.relevant, K), reciprocal_rank(ranked, q.relevant, K), recall_at(ranked, q.relevant, K),
                  empty=not ranked)


def _score_people(service: SearchService, q: ResolvedQuery, result: QueryResult, baseline_hits: list[Hit]) -> None:
    try:
        result.project_people = [p.key for p in service.who(q.query, limit=WHO_K).people]
    except QueryError:
        result.project_people = []
    result.baseline_people = people_in_order(baseline_hits)[:WHO_K]
    if q.people:
        result.project.who = top_k_accuracy(result.project_people, q.people, WHO_K)
        result.baseline.who = top_k_accuracy(result.baseline_people, q.people, WHO_K)
    else:
        expected = authors_of(service, [doc_id for doc_id, grade in q.relevant.items() if grade == 2])
        result.project.who = any_in_top(result.project_people, expected, WHO_K)
        result.baseline.who = any_in_top(result.baseline_people, expected, WHO_K)


def people_in_order(hits: list[Hit]) -> list[str]:
    """Authors of ranked documents, each once, in order of first appearance."""
    return list(dict.fromkeys(key_of(h) for h in hits))


def authors_of(service: SearchService, ids: list[str]) -> list[str]:
    """Who the index says wrote these documents (people.person_key)."""
    if not ids:
        return []
    response = service.client.mget(index=service.alias, ids=ids, source=["author_key", "kind", "blog"])
    return [person_key(d["_id"], d["_source"].get("author_key", ""), d["_source"].get("kind", ""), d["_source"].get("blog", ""))
            for d in response["docs"] if d.get("found")]


@contextmanager
def _index(client: Elasticsearch, settings: Settings, fresh_samples: bool) -> Iterator[str]:
    if not fresh_samples:
        yield settings.index_alias
        return
    alias = f"{settings.index_alias}-eval-{os.getpid()}"
    manager = IndexManager(client, alias, settings.index_config_dir)
    with translate_errors(settings):
        manager.init()
        taxonomy = load_taxonomy(settings.index_config_dir / THEMES_FILE)
        docs = sample_documents(load_network(), f"http://127.0.0.1:{settings.samples_port}", taxonomy)
        index_documents(client, alias, docs, refresh=True)
    try:
        yield alias
    finally:
        client.indices.delete(index=",".join(manager.generations().values()))
