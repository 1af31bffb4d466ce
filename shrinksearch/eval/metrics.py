"""Ranking metrics: nDCG@k with graded relevance, reciprocal rank, recall@k, and who top-k accuracy."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains in rank order (exponential gain: 2^rel - 1)."""
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of a ranking of ids against graded judgments (unjudged ids count 0)."""
    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevance.get(doc_id, 0) for doc_id in ranked[:k]]) / ideal


def reciprocal_rank(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    """1/rank of the first relevant id within the top k, else 0."""
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if relevance.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant ids (any grade) found in the top k."""
    relevant = {doc_id for doc_id, grade in relevance.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def any_in_top(ranked_people: Sequence[str], expected: Sequence[str], k: int = 3) -> float:
    """1.0 when any expected person is among the top k answers, else 0.0."""
    return 1.0 if set(expected) & set(ranked_people[:k]) else 0.0


def top_k_accuracy(ranked_people: Sequence[str], expected: Sequence[str], k: int = 3) -> float:
    """Share of the expected people (the first k listed) found among the top k answers."""
    wanted = list(expected)[:k]
    if not wanted:
        return 0.0
    return sum(1 for person in wanted if person in ranked_people[:k]) / len(wanted)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
