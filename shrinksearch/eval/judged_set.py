"""Judged question sets given as files: questions with graded record ids, plus a manifest
mapping those ids to URLs, scored against whatever is indexed behind the alias.

This is how a set judged outside the sample network is evaluated: crawl and index its
pages with the project's own pipeline, then ``shrinksearch eval --judgments QUESTIONS
--manifest MANIFEST``. No path is built in.

Questions file: JSON Lines (one question a line), a JSON list, or YAML with a ``queries``
list. Each question::

    {"id": "q01", "question": "who writes about …",       # or "query"
     "type": "who",                                       # topic | fact | who
     "relevant": [{"id": "record-id", "grade": 2}, …],    # or {"record-id": 2, …}
     "people": ["author key", …]}                         # optional, "who" questions

Other fields (notes, expected authors in prose) are ignored. Without ``people``, a "who"
question expects whoever wrote its grade-2 documents, as the index attributes them.

Manifest: JSON ``{"posts": {record id: url, …}}`` (what the real-text dev set's ``serve.py
--manifest`` prints; other top-level keys are ignored) or a flat ``{record id: url}``. A URL
with a ``#c<id>`` / ``#comment-<id>`` anchor names a comment. URLs are matched to indexed
documents by path and anchor, so the host and port a crawl used do not matter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from elasticsearch import Elasticsearch
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from shrinksearch.eval.corpus import comment_id_from_anchor, index_url_keys
from shrinksearch.eval.judgments import Grades, QuestionClass, ResolvedQuery, validation_message
from shrinksearch.exceptions import UsageError


class FileQuestion(BaseModel):
    """One judged question of a questions file."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    query: str = Field(min_length=1, validation_alias=AliasChoices("question", "query"))
    type: QuestionClass = "topic"
    relevant: Grades
    people: list[str] = Field(default_factory=list)

    @field_validator("relevant", mode="before")
    @classmethod
    def _graded(cls, value: Any) -> Any:
        if isinstance(value, list):  # [{"id": …, "grade": …}, …]
            return {str(item["id"]): item["grade"] for item in value}
        return value


def load_questions(path: Path) -> list[FileQuestion]:
    """Read and validate a questions file; a bad file is a UsageError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
        items = _items(path, text)
        return [FileQuestion.model_validate(item) for item in items]
    except OSError as err:
        raise UsageError(f"cannot read questions {path}: {err.strerror}") from None
    except ValidationError as err:
        raise UsageError(f"{path}: invalid questions: {validation_message(err)}") from None
    except (ValueError, yaml.YAMLError, KeyError, TypeError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise UsageError(f"{path}: invalid questions: {first}") from None


def _items(path: Path, text: str) -> list[Any]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    items = data.get("queries") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError("expected a list of questions (or a 'queries' list)")
    return items


def load_manifest(path: Path) -> dict[str, str]:
    """Record id -> URL, from ``{"posts": {…}}`` or a flat mapping."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"cannot read manifest {path}: {err.strerror}") from None
    except ValueError as err:
        raise UsageError(f"{path}: invalid manifest: {err}") from None
    mapping = data.get("posts", data) if isinstance(data, dict) else None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise UsageError(f"{path}: a manifest maps record ids to URLs: {{\"posts\": {{id: url}}}} or {{id: url}}")
    return {str(k): v for k, v in mapping.items()}


def url_key(url: str) -> tuple[str, str]:
    """(URL path, comment id or "") as ``index_url_keys`` keys documents."""
    parts = urlsplit(url)
    return parts.path, comment_id_from_anchor(parts.fragment) if parts.fragment else ""


def resolve_file_set(
    questions: list[FileQuestion], manifest: dict[str, str], client: Elasticsearch, alias: str
) -> list[ResolvedQuery]:
    """The questions with record ids replaced by the ids of the documents behind ``alias``."""
    ids = index_url_keys(client, alias)
    missing = sorted({ref for q in questions for ref in q.relevant if url_key(manifest.get(ref, "")) not in ids})
    if missing:
        unknown = [ref for ref in missing if ref not in manifest]
        what = f"{len(unknown)} ids are not in the manifest" if unknown else f"{len(missing)} judged documents are not indexed"
        raise UsageError(f"{what} (first: {missing[0]}); index the judged pages first, or check the manifest")
    return [
        ResolvedQuery(
            id=q.id,
            query=q.query,
            question_class=q.type,
            relevant={ids[url_key(manifest[ref])]: grade for ref, grade in q.relevant.items()},
            people=list(q.people),
        )
        for q in questions
    ]
