"""Run the judged query set against the project's search and a plain multi_match baseline.

Both systems answer every question on the same index. Documents: nDCG@10 and MRR of the
top 10 (the project's ``search``; the baseline's ``multi_match`` over title and text).
People, for "who" questions: the project's ``who``; for the baseline, the authors of its
top documents in order of first appearance (anonymous documents each their own person, as
in the project) — then top-3 accuracy against the expected people.
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
from shrinksearch.eval.corpus import sample_documents
from shrinksearch.eval.judgments import JUDGMENTS_FILE, ResolvedQuery, load_judgments, resolve
from shrinksearch.eval.metrics import mean, ndcg_at, reciprocal_rank, top_k_accuracy
from shrinksearch.es.client import make_client, translate_errors
from shrinksearch.samples.network import load_network
from shrinksearch.search.builder import ANONYMOUS_KEY, Page
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
    who: float | None = None  # top-3 accuracy, "who" questions only


@dataclass
class QueryResult:
    id: str
    query: str
    project: Scores
    baseline: Scores
    project_people: list[str] = field(default_factory=list)
    baseline_people: list[str] = field(default_factory=list)


@dataclass
class Report:
    alias: str
    queries: list[QueryResult]

    def summary(self, system: str) -> dict[str, float]:
        scores = [getattr(q, system) for q in self.queries]
        who = [s.who for s in scores if s.who is not None]
        return {"ndcg@10": mean([s.ndcg for s in scores]), "mrr": mean([s.rr for s in scores]), "who_top3": mean(who)}

    @property
    def who_questions(self) -> int:
        return sum(1 for q in self.queries if q.project.who is not None)


def run_evaluation(settings: Settings, judgments_path: Path | None = None, fresh_samples: bool = False) -> Report:
    """Evaluate on the alias (or, with ``fresh_samples``, on a temporary sample-network index)."""
    judgments = load_judgments(judgments_path or settings.index_config_dir / JUDGMENTS_FILE)
    network = load_network()
    client = make_client(settings)
    themes = load_themes(settings)
    with _index(client, settings, fresh_samples) as alias, translate_errors(settings):
        resolved = resolve(judgments, network, client, alias)
        return evaluate(SearchService(client, alias, themes), resolved)


def evaluate(service: SearchService, queries: list[ResolvedQuery]) -> Report:
    """Both systems on every resolved query."""
    return Report(service.alias, [_one(service, q) for q in queries])


def _one(service: SearchService, q: ResolvedQuery) -> QueryResult:
    ranked = [h.id for h in service.search(q.query, page=Page(size=K, facets=False, highlight=False)).hits]
    baseline_hits = service.baseline(q.query, BASELINE_DEPTH)
    baseline_ranked = [h.id for h in baseline_hits[:K]]
    result = QueryResult(
        q.id, q.query,
        project=Scores(ndcg_at(ranked, q.relevant, K), reciprocal_rank(ranked, q.relevant, K)),
        baseline=Scores(ndcg_at(baseline_ranked, q.relevant, K), reciprocal_rank(baseline_ranked, q.relevant, K)),
    )
    if q.people:
        result.project_people = [p.key for p in service.who(q.query, limit=WHO_K).people]
        result.baseline_people = people_in_order(baseline_hits)[:WHO_K]
        result.project.who = top_k_accuracy(result.project_people, q.people, WHO_K)
        result.baseline.who = top_k_accuracy(result.baseline_people, q.people, WHO_K)
    return result


def people_in_order(hits: list[Hit]) -> list[str]:
    """Authors of ranked documents, each once, in order of first appearance."""
    keys = [f"anonymous@{h.id}" if h.author_key == ANONYMOUS_KEY else h.author_key for h in hits]
    return list(dict.fromkeys(keys))


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
