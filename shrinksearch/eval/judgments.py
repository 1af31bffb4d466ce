"""Judged query sets over the sample network: questions, what is relevant, who should answer.

File format (``index_config/judgments.yaml``, ``index_config/judgments-2.yaml``)::

    version: "1"
    queries:
      - id: seed
        type: who                      # topic | fact | who (default: who with people, else topic)
        query: who discusses transference and vacations
        relevant:                      # reference -> grade (2 = about it, 1 = touches it)
          shrink-notes/3002: 2         # blog slug / post id
          shrink-notes/3001#900101: 2  # ... # comment id
        people: [dinah, anonymous@shrink-notes/3001#900101]   # "who" questions: best first

References name sample content, not URLs, so the judgments survive any host, port or
re-crawl; ``resolve`` turns them into document ids through the index being evaluated.
People are author keys, except anonymous ones: each anonymous document is its own person.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from elasticsearch import Elasticsearch
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from shrinksearch.eval.corpus import index_url_keys, reference_key
from shrinksearch.exceptions import UsageError
from shrinksearch.samples.network import Network

JUDGMENTS_FILE = "judgments.yaml"
ANONYMOUS_PREFIX = "anonymous@"
QuestionClass = Literal["topic", "fact", "who"]
CLASSES: tuple[QuestionClass, ...] = ("topic", "fact", "who")


def _only_grades_1_and_2(relevant: dict[str, int]) -> dict[str, int]:
    bad = {ref: grade for ref, grade in relevant.items() if grade not in (1, 2)}
    if bad:
        raise ValueError(f"grades must be 1 or 2: {bad}")
    return relevant


Grades = Annotated[dict[str, int], Field(min_length=1), AfterValidator(_only_grades_1_and_2)]
"""A question's relevant documents, reference (or record id) -> grade: 2 = about it, 1 = touches it."""


class JudgedQuery(BaseModel):
    """One question with its graded relevant documents and, for "who", its expected people."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: QuestionClass | None = None
    query: str = Field(min_length=1)
    relevant: Grades
    people: list[str] = Field(default_factory=list)

    @property
    def question_class(self) -> QuestionClass:
        return self.type or ("who" if self.people else "topic")


class Judgments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    queries: list[JudgedQuery] = Field(min_length=1)


class ResolvedQuery(BaseModel):
    """A judged query with document ids and person keys as the index knows them.

    ``people`` empty for a "who" question means: whoever wrote its grade-2 documents."""

    id: str
    query: str
    question_class: QuestionClass = "topic"
    relevant: dict[str, int]
    people: list[str] = Field(default_factory=list)


def load_judgments(path: Path) -> Judgments:
    """Read and validate the judged query set; a bad file is a UsageError naming it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Judgments.model_validate(data)
    except OSError as err:
        raise UsageError(f"cannot read judgments {path}: {err.strerror}; pass --judgments PATH") from None
    except ValidationError as err:
        raise UsageError(f"{path}: invalid judgments: {validation_message(err)}") from None
    except yaml.YAMLError as err:
        raise UsageError(f"{path}: invalid judgments: {str(err).splitlines()[0]}") from None


def validation_message(err: ValidationError) -> str:
    """The first problem pydantic found, where it is and what it is, on one line."""
    first = err.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))


def resolve(judgments: Judgments, network: Network, client: Elasticsearch, alias: str) -> list[ResolvedQuery]:
    """Judgments with references replaced by the ids of the documents behind ``alias``."""
    ids = index_url_keys(client, alias)
    return [_resolve_query(q, network, ids) for q in judgments.queries]


def _resolve_query(query: JudgedQuery, network: Network, ids: dict[tuple[str, str], str]) -> ResolvedQuery:
    relevant = {_doc_id(ref, network, ids, query.id): grade for ref, grade in query.relevant.items()}
    people = [_person(p, network, ids, query.id) for p in query.people]
    return ResolvedQuery(id=query.id, query=query.query, question_class=query.question_class, relevant=relevant, people=people)


def _person(person: str, network: Network, ids: dict[tuple[str, str], str], query_id: str) -> str:
    if person.startswith(ANONYMOUS_PREFIX):
        return ANONYMOUS_PREFIX + _doc_id(person[len(ANONYMOUS_PREFIX):], network, ids, query_id)
    return person


def _doc_id(ref: str, network: Network, ids: dict[tuple[str, str], str], query_id: str) -> str:
    try:
        key = reference_key(network, ref)
    except (KeyError, UsageError) as err:
        raise UsageError(f"judgments, query {query_id!r}: {err}") from None
    if key not in ids:
        raise UsageError(
            f"judgments, query {query_id!r}: {ref} is not in the index; index the sample network first "
            "(`shrinksearch pipeline run`) or use `shrinksearch eval --samples`"
        )
    return ids[key]
