"""Flat rows for export: one per document of a search; one per person × evidence document
of a "who" answer. Column names are the keys; CSV and JSON Lines share them.

Snippets arrive as Elasticsearch highlight fragments (HTML-escaped, ``<em>`` marks); rows
carry them as plain text ("passages"), marks dropped and entities decoded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from shrinksearch.search.results import Hit, WhoResult

DOCUMENT_COLUMNS: tuple[str, ...] = (
    "rank", "id", "kind", "published", "blog", "author", "author_key", "author_role",
    "title", "url", "post_id", "parent_id", "score", "themes", "text",
)
EVIDENCE_FIELDS = ("id", "kind", "published", "blog", "author", "title", "url", "post_id", "score", "concepts")
PERSON_COLUMNS: tuple[str, ...] = (
    "person_rank", "person_key", "person_name", "person_role", "person_blogs", "person_score", "concept_scores",
    "evidence_rank", *EVIDENCE_FIELDS, "passages",
)
PASSAGE_SEPARATOR = " … "

_MARK = re.compile(r"</?em>")
_SPACES = re.compile(r"\s+")


def document_rows(hits: Iterable[Hit], first_rank: int = 1) -> Iterator[dict[str, Any]]:
    """A row per hit, ranked from ``first_rank`` (every other column is the hit's own field)."""
    for rank, hit in enumerate(hits, start=first_rank):
        yield {"rank": rank, **{column: getattr(hit, column) for column in DOCUMENT_COLUMNS[1:]}}


def people_rows(result: WhoResult) -> Iterator[dict[str, Any]]:
    """A row per person and evidence document, people in rank order, then their evidence."""
    for person_rank, person in enumerate(result.people, start=1):
        about = {
            "person_rank": person_rank,
            "person_key": person.key,
            "person_name": person.name,
            "person_role": person.role,
            "person_blogs": person.blogs,
            "person_score": person.score,
            "concept_scores": person.concept_scores,
        }
        for evidence_rank, hit in enumerate(person.evidence, start=1):
            evidence = {field: getattr(hit, field) for field in EVIDENCE_FIELDS}
            passages = PASSAGE_SEPARATOR.join(plain_passage(s) for s in hit.snippets)
            yield {**about, "evidence_rank": evidence_rank, **evidence, "passages": passages}


def plain_passage(fragment: str) -> str:
    """A highlight fragment as plain text: marks dropped, entities decoded, one line."""
    return _SPACES.sub(" ", html.unescape(_MARK.sub("", fragment))).strip()
