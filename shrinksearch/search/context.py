"""Thread context: a comment is read in the light of the post it is under.

Comments are short and lean on their thread ("Same here." under a post on lithium). Before
the main query, ``context_body`` finds, per concept, the posts most about it;
``context_from`` turns them into the score a comment under each of those posts gets for the
concept (``builder.rescorers`` add it as an alternative way to show the concept).
"""

from __future__ import annotations

from shrinksearch.search.builder import concept_clause
from shrinksearch.search.expand import Expansion

CONTEXT_POSTS = 5  # the posts most about a concept lend it to their comments
CONTEXT_MIN = 0.5  # ... if they score at least half the best post's score
CONTEXT_SHARE = 0.1  # ... at a tenth of the post's score


def context_body(expansion: Expansion) -> dict:
    """The posts most about one concept: their comments get it as thread context."""
    return {
        "size": CONTEXT_POSTS,
        "query": {"bool": {"must": [concept_clause(expansion)], "filter": [{"term": {"kind": "post"}}]}},
        "_source": False,
        "track_total_hits": False,
    }


def context_from(response: dict) -> dict[str, float]:
    """Post id -> context score, from a ``context_body`` response."""
    hits = response["hits"]["hits"]
    best = max((h["_score"] for h in hits), default=0.0)
    return {h["_id"]: round(CONTEXT_SHARE * h["_score"], 4) for h in hits if h["_score"] >= CONTEXT_MIN * best}
