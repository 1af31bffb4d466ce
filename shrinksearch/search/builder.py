"""Elasticsearch query bodies, built from a parsed query and its expanded concepts.

Pure functions returning plain dicts (tested without a node, run against one in the
service). The shape:

* each concept is the user's own words (matched on the text and on the title of *posts
  only*: a comment carries its post's title, which is not its author's words), the
  single-word terms of the themes they name, or the enricher's tags for those themes
  (weighted by the tag's score): the best one scores. The themes' phrases are not OR-ed
  over the text: the enricher matched them (and its patterns) at index time into the
  tags, and dozens of phrase queries per concept were most of a search's time at 100k
  documents. Tags of related themes only add to the score; a wording of several parts
  needs them all;
* questions and "a and b" queries require every concept (``must``); plain searches rank
  by how many concepts match (``should``) plus a ``simple_query_string`` of the literal
  words — user text never reaches ``query_string``;
* filters, facets (aggregations, in a request of their own), highlighting (``encoder: html``: fragments come back
  escaped, only the ``<em>`` tags are markup), sorting and pagination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shrinksearch.exceptions import QueryError
from shrinksearch.search.expand import Expansion, Part, Variant, Wording
from shrinksearch.search.query import ParsedQuery, Role, Term

Sort = Literal["relevance", "date"]
Kind = Literal["post", "comment"]

ANONYMOUS_KEY = "anonymous"
TITLE_BOOST = 1.5  # a post's title names its subject; worth more than one body mention
AUTHOR_BOOST = 2.0  # a plain search for "dinah" should find Dinah's writing
THEME_TAG_BOOST = 2.0  # a tag stands in for the theme's phrases (not OR-ed over the text)
RELATED_TAG_BOOST = 1.0  # what it weighed in effect when set to 0.25 (see _tag_clauses)
PHRASE_SLOP = 1
TIE_BREAKER = 0.1  # a concept's best wording counts fully, the others a little
MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window

SOURCE_EXCLUDES = ["html", "embedding", "theme_tags"]


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents count (facet selections, CLI options)."""

    blogs: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # author_key values
    themes: tuple[str, ...] = ()
    role: Role | None = None
    kind: Kind | None = None
    since: date | None = None
    until: date | None = None
    post_id: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise QueryError(f"date range is empty: since {self.since} is after until {self.until}")

    def merged(self, parsed: ParsedQuery) -> Filters:
        """These filters plus what the question implies ("which posts…", "which bloggers…")."""
        kind = self.kind or parsed.kind
        role = self.role or parsed.role
        return Filters(self.blogs, self.authors, self.themes, role, kind, self.since, self.until, self.post_id)


@dataclass(frozen=True)
class Page:
    """Which slice of the ranking to return."""

    size: int = 10
    offset: int = 0
    sort: Sort = "relevance"
    facets: bool = True
    highlight: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.size <= MAX_PAGE_SIZE:
            raise QueryError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {self.size}")
        if self.offset < 0 or self.offset + self.size > MAX_WINDOW:
            raise QueryError(f"results beyond the first {MAX_WINDOW} cannot be paged to; narrow the query")


# --- matching ---------------------------------------------------------------------------


def own_words(query_type: str, body: dict, boost: float = 1.0, title: bool = True) -> dict:
    """A match on the document's own words: its text, and the title when it is a post."""
    on_text = {query_type: {"text": {**body, "boost": boost}}}
    if not title:
        return on_text
    on_title = {query_type: {"title": {**body, "boost": boost * TITLE_BOOST}}}
    return {"bool": {"should": [on_text, {"bool": {"must": [on_title], "filter": [{"term": {"kind": "post"}}]}}]}}


def term_clause(term: Term, boost: float = 1.0, loose: bool = False, title: bool = True) -> dict:
    """A literal wording: an exact phrase, or its words (nearby words score higher): all
    of them, or with ``loose`` all but one ("therapist vacations" finds a psychiatrist's
    vacation; documents with both words still score higher)."""
    if term.phrase:
        return own_words("match_phrase", {"query": term.text, "slop": PHRASE_SLOP}, boost, title)
    several = " " in term.text
    words = {"minimum_should_match": "-1"} if loose and several else {"operator": "and"}
    clause = own_words("match", {"query": term.text, **words}, boost, title)
    if not title:
        clause = {"bool": {"should": [clause]}}
    if several:  # words of a multi-word wording close together are a better match
        clause["bool"]["should"].append(
            {"match_phrase": {"text": {"query": term.text, "slop": 3, "boost": boost * 0.5}}}
        )
    return clause


def concept_clause(expansion: Expansion) -> dict:
    """Any wording of the concept (alternatives: the best one scores)."""
    return _best_of([_wording_clause(w) for w in expansion.wordings])


def _wording_clause(wording: Wording) -> dict:
    # All parts but one are required ("therapist vacations": a psychiatrist's vacation
    # counts too), every part matched scores, and the user's words together score extra.
    if len(wording.parts) == 1:
        return part_clause(wording.parts[0])
    parts = [part_clause(p) for p in wording.parts]
    return {
        "bool": {
            "should": parts + [term_clause(wording.term)],
            "minimum_should_match": len(parts) - 1,
        }
    }


def part_clause(part: Part) -> dict:
    """The part's own words, its themes' single-word terms, or its theme tags (the best one
    scores); the tags of related and shared themes add to the score of documents that
    match, but never make one match.

    A theme's phrases are left to the tags: the enricher tags a document for one phrase,
    and phrase queries (positions) over a 100k-document index were most of a search's
    time. Its terms stay: one word ("my own holiday always stirs them up") is too little
    for a tag, but enough to say the concept, and a term query is cheap."""
    words = part.tier("user") + [v for v in part.tier("theme") if not v.phrase]
    core = _best_of([variant_clause(v) for v in words] + _tag_clauses(list(part.themes), THEME_TAG_BOOST))
    ranking = _tag_clauses(list(part.ranking_themes), RELATED_TAG_BOOST)
    if not ranking:
        return core
    return {"bool": {"must": [core], "should": ranking}}


def _best_of(queries: list[dict]) -> dict:
    if len(queries) == 1:
        return queries[0]
    return {"dis_max": {"queries": queries, "tie_breaker": TIE_BREAKER}}


def variant_clause(variant: Variant) -> dict:
    # The user's own unquoted words match loosely, and count in a post's title too; the
    # taxonomy's wordings match exactly, in the text only (a short title that happens to
    # hold one of a theme's phrases would otherwise outweigh a whole post about it).
    user = variant.tier == "user"
    return term_clause(Term(variant.text, variant.phrase), variant.weight, loose=user, title=user)


def _tag_clauses(themes: list[str], boost: float) -> list[dict]:
    """Documents the enricher tagged with these themes, stronger tags scoring more.

    The nested ``theme_tags`` (not just the ``themes`` list) so the tag's own score counts:
    ln(1 + score), so a theme tagged 12 is not four times one tagged 3."""
    if not themes:
        return []
    scored = {
        "function_score": {
            "query": {"terms": {"theme_tags.theme": themes}},
            "functions": [
                {"field_value_factor": {"field": "theme_tags.score", "modifier": "ln1p", "missing": 1.0}, "weight": boost}
            ],
            "boost_mode": "replace",
        }
    }
    # The boost goes on the function: with boost_mode replace, a query boost is replaced too
    return [{"nested": {"path": "theme_tags", "score_mode": "max", "query": scored}}]


def literal_clause(parsed: ParsedQuery) -> dict | None:
    """The user's words as typed, all of them, via simple_query_string (never query_string)."""
    text = parsed.simple_query()
    if not text:
        return None
    common = {"query": text, "default_operator": "and", "flags": "PHRASE|WHITESPACE", "lenient": True}
    return {
        "bool": {
            "should": [
                {"simple_query_string": {**common, "fields": ["text", f"author^{AUTHOR_BOOST}"]}},
                {
                    "bool": {
                        "must": [{"simple_query_string": {**common, "fields": [f"title^{TITLE_BOOST}"]}}],
                        "filter": [{"term": {"kind": "post"}}],
                    }
                },
            ]
        }
    }


Context = list[dict[str, float]]
"""Per concept, post id -> score a comment under that post gets for the concept (see
``context_body``); empty dicts when there is no thread context."""


def query_clause(
    parsed: ParsedQuery,
    expansions: list[Expansion],
    filters: Filters,
    context: Context | None = None,
    own: list[Expansion] | None = None,
) -> dict:
    """The whole query: concepts (all required for questions), +/- words, filters.

    With ``context``, a comment also shows a concept when the post it is under is about it
    (comments are short and lean on their thread), but — except for "what do commenters
    say about …" — it must show one of the question's concepts (``own``, default all
    ``expansions``) in its own words: a "thank you" under the right post shows nothing.
    """
    concepts = [concept_clause(e) for e in expansions]
    if context:
        concepts = [_with_thread(c, ctx) for c, ctx in zip(concepts, context)]
    bool_query: dict = {"filter": filter_clauses(filters)}
    if context and any(context) and parsed.intent != "comments":
        bool_query["filter"].append(any_concept_clause(own or expansions))
    if parsed.match_all:
        bool_query["must"] = list(concepts)
    else:
        literal = literal_clause(parsed)
        bool_query["should"] = concepts + ([literal] if literal else [])
        if concepts:
            bool_query["minimum_should_match"] = 1
    bool_query.setdefault("must", []).extend(term_clause(t) for t in parsed.required)
    bool_query["must_not"] = [term_clause(t) for t in parsed.excluded]
    return {"bool": bool_query}


def _with_thread(concept: dict, posts: dict[str, float]) -> dict:
    if not posts:
        return concept
    under = [{"constant_score": {"filter": {"term": {"post_id": pid}}, "boost": score}} for pid, score in posts.items()]
    thread = {"bool": {"filter": [{"term": {"kind": "comment"}}], "should": under, "minimum_should_match": 1}}
    return {"dis_max": {"queries": [concept, thread]}}


def any_concept_clause(expansions: list[Expansion]) -> dict:
    """Any concept at all: what highlighting marks in a snippet."""
    return {"bool": {"should": [concept_clause(e) for e in expansions], "minimum_should_match": 1}}


# --- filters ----------------------------------------------------------------------------


def filter_clauses(filters: Filters) -> list[dict]:
    """Structured filters; values are matched exactly, never parsed as query syntax."""
    out: list[dict] = []
    for name, values in (("blog", filters.blogs), ("author_key", filters.authors), ("themes", filters.themes)):
        if values:
            out.append({"terms": {name: list(values)}})
    if filters.role:
        out.append({"term": {"author_role": filters.role}})
    if filters.kind:
        out.append({"term": {"kind": filters.kind}})
    if filters.post_id:
        out.append({"term": {"post_id": filters.post_id}})
    if filters.since or filters.until:
        out.append({"range": {"published": _date_range(filters)}})
    return out


def _date_range(filters: Filters) -> dict:
    bounds: dict = {}
    if filters.since:
        bounds["gte"] = filters.since.isoformat()
    if filters.until:
        bounds["lte"] = filters.until.isoformat() + "T23:59:59.999Z"
    return bounds


# --- the rest of a search request -------------------------------------------------------


def highlight(expansions: list[Expansion] | None = None) -> dict:
    """Snippets with every concept marked; escaped by Elasticsearch (encoder html)."""
    body: dict = {
        "encoder": "html",
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "fields": {
            "text": {"fragment_size": 180, "number_of_fragments": 3, "no_match_size": 180},
            "title": {"number_of_fragments": 0},
        },
    }
    if expansions:
        body["highlight_query"] = marked_words_clause(expansions)
    return body


def marked_words_clause(expansions: list[Expansion]) -> dict:
    """What snippets mark: the user's words and the taxonomy's wordings of the themes they
    name, so a document matched by its tags shows why (run on the shown hits only)."""
    parts = [p for e in expansions for w in e.wordings for p in w.parts]
    return {"bool": {"should": [variant_clause(v) for p in parts for v in p.tier("user", "theme")]}}


def facet_aggs() -> dict:
    """Counts by kind, blog, role, author, theme and year (of the matching documents)."""
    return {
        "kind": {"terms": {"field": "kind"}},
        "blog": {"terms": {"field": "blog", "size": 30}},
        "role": {"terms": {"field": "author_role"}},
        "author": {
            "terms": {"field": "author_key", "size": 30},
            "aggs": {"name": {"terms": {"field": "author.keyword", "size": 1}}},
        },
        "theme": {"terms": {"field": "themes", "size": 60}},
        "year": {"date_histogram": {"field": "published", "calendar_interval": "year", "min_doc_count": 1}},
    }


def sort_clause(sort: Sort) -> list:
    if sort == "date":
        return [{"published": {"order": "desc", "missing": "_last"}}, "_score"]
    return ["_score", {"published": {"order": "desc", "missing": "_last"}}]


def search_body(
    parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, page: Page, context: Context | None = None
) -> dict:
    """The ranked page with its snippets. With facets, its total comes from ``facets_body``
    (asked alongside): counting every match here too would score each of them in full,
    where the top page alone lets Elasticsearch skip documents that cannot make it."""
    body: dict = {
        "query": query_clause(parsed, expansions, filters.merged(parsed), context),
        "from": page.offset,
        "size": page.size,
        "sort": sort_clause(page.sort),
        "track_total_hits": not page.facets,
        "track_scores": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
    if page.highlight:
        body["highlight"] = highlight(expansions)
    return body


def facets_body(query: dict) -> dict:
    """Facet counts and the exact total of the documents ``query`` matches, unscored
    (filter context); a separate request so Elasticsearch runs it beside the ranked page,
    and one its request cache can keep (size 0)."""
    return {"size": 0, "query": {"constant_score": {"filter": query}}, "track_total_hits": True, "aggs": facet_aggs()}


def baseline_body(text: str, size: int = 10) -> dict:
    """The plain multi_match the evaluation compares against: no concepts, no expansion."""
    return {
        "query": {"multi_match": {"query": text, "fields": ["title", "text"]}},
        "size": size,
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
