"""Elasticsearch query bodies, built from a parsed query and its expanded concepts.

Pure functions returning plain dicts (tested without a node, run against one in the
service). One ranking serves every search and every "who" question, in two phases.

What retrieves a document (``query_clause``: flat disjunctions, so Elasticsearch can skip
documents that cannot make the top):

* **the recall floor**: the user's words as plain BM25 over a document's text and title,
  its author's name, best field counting, as a plain ``multi_match`` over title and text
  would. A comment carries its post's title: what the thread is about, counted as a plain
  multi_match counts it, and not at all for "who" (a person's own words). Every document
  that has any of the words is in the answer; nothing below only filters it out;
* quoted phrases, as phrases;
* **a way into each concept** besides its words: the single-word terms of the themes it
  names in the sense the question supports (expand.py), and the themes' tags (a synonym,
  a tagged document, widen the floor).

What ranks the best ``RESCORE_WINDOW`` of them (``rescorers``: queries that would cost
too much over every document cost little over a window):

* **concepts**: each group of words (query.py) is the user's own words, its themes'
  terms or their tags, the best one scoring; named ``concept:<i>`` so a hit's
  ``matched_queries`` says which concepts it shows. A comment also shows a concept its
  thread is about (context.py) when its own words say something of the question;
* **proximity**: the words of each group side by side (``text.shingles``);
* **aboutness**: how strongly the enricher tagged the document with the question's themes;
  a blog the question names;
* **all concepts first**: each score multiplied by ``1 + COVERAGE_WEIGHT × (share of the
  concepts the document shows)``: documents showing every concept come first, then most,
  then the rest;
* ``+required`` words must match, ``-excluded`` words must not; words the question negates
  ("but not ketamine") only push documents down (a ``boosting`` query, in both phases).

And filters, facets (aggregations, in a request of their own), highlighting (``encoder:
html``: fragments come back escaped, only the ``<em>`` tags are markup), sorting and
pagination. User text never reaches ``query_string``.
"""

from __future__ import annotations

import math
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
THEME_TAG_BOOST = 2.0  # a tag stands in for the theme's phrases (not OR-ed over the text)
RELATED_TAG_BOOST = 0.25  # a related or shared theme's tag (see aboutness_clause)
WEAK_TAG_BOOST = 0.1  # a sense the question does not support: a little, never more than a word
PHRASE_SLOP = 1
TIE_BREAKER = 0.1  # a concept's best wording counts fully, the others a little
FLOOR_TIE_BREAKER = 0.3  # text or title, whichever matches best (as a plain multi_match)
# The floor's fields. A comment's title is its post's: not its author's words, but what the
# thread is about, and a plain multi_match counts it too. "dinah" finds Dinah's writing.
FLOOR_FIELDS = {"text": 1.0, "title": TITLE_BOOST, "author": 1.0}
BLOG_BOOST = 1.0  # a question naming a blog ("the Unplugged blogger"): ranks, never retrieves
COMMENT_TITLE_BOOST = 1.0  # a comment's title is its thread's: it counts as in a plain multi_match, no more
PROXIMITY_BOOST = 0.2  # each pair of the user's words found side by side
PHRASE_BOOST = 2.0  # a quoted phrase found as a phrase
CONCEPT_BOOST = 0.25  # each concept shown, on top of its words' floor score
ABOUT_BOOST = 0.5  # each theme the question is about, per ln(1 + tag score)
AVOIDED_FACTOR = 0.3  # score kept by documents with a word the question negates
COVERAGE_WEIGHT = 0.5  # a document showing every concept scores 1.5 times what it would showing none
RESCORE_WINDOW = 100
CONCEPT_SHARE = 0.6  # of a concept's words, this share (rounded up) shows the concept
MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window

SOURCE_EXCLUDES = ["html", "embedding", "theme_tags"]
CONCEPT_NAME = "concept:"  # _name prefix of concept clauses (matched_queries tells which matched)


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


def enough(words: int) -> int:
    """How many of a group's words show it: all of one or two, then about 60 percent."""
    return max(1, math.ceil(CONCEPT_SHARE * words)) if words > 2 else words


def term_clause(term: Term, boost: float = 1.0, loose: bool = False, title: bool = True) -> dict:
    """A literal wording: an exact phrase, or its words: all of them, or with ``loose``
    enough of them (``enough``: "therapist vacations" finds a psychiatrist's vacation;
    documents with both words still score higher). Words side by side are rewarded once,
    for the whole question, by ``shingle_clauses``: a phrase query per concept was most of
    a search's time at 100k documents."""
    if term.phrase:
        return own_words("match_phrase", {"query": term.text, "slop": PHRASE_SLOP}, boost, title)
    n = len(term.text.split())
    words = {"minimum_should_match": str(enough(n))} if loose and n > 1 else {"operator": "and"}
    return own_words("match", {"query": term.text, **words}, boost, title)


def concept_clause(expansion: Expansion) -> dict:
    """Any wording of the concept (alternatives: the best one scores)."""
    return _best_of([_wording_clause(w) for w in expansion.wordings])


def _wording_clause(wording: Wording) -> dict:
    # Enough parts (``enough``) are required ("therapist vacations": a psychiatrist's
    # vacation counts too), every part matched scores, and the user's words together
    # score extra.
    if len(wording.parts) == 1:
        return part_clause(wording.parts[0])
    parts = [part_clause(p) for p in wording.parts]
    return {
        "bool": {
            "should": parts + [term_clause(wording.term, loose=True)],
            "minimum_should_match": enough(len(parts)),
        }
    }


def part_clause(part: Part) -> dict:
    """The part's own words, its themes' single-word terms, or being tagged with one of its
    themes (the flat ``themes`` field; how strongly a document is tagged counts in
    ``aboutness_clause``); the best one scores. The tags of related and shared themes, and
    of senses the question does not support, only count there.

    A theme's phrases are left to the tags: the enricher tags a document for one phrase,
    and phrase queries (positions) over a 100k-document index were most of a search's
    time. Its terms stay: one word ("my own holiday always stirs them up") is too little
    for a tag, but enough to say the concept, and a term query is cheap."""
    words = part.tier("user") + [v for v in part.tier("theme") if not v.phrase]
    tagged = [{"constant_score": {"filter": {"terms": {"themes": list(part.themes)}}, "boost": THEME_TAG_BOOST}}] if part.themes else []
    return _best_of([variant_clause(v) for v in words] + tagged)


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


def floor_clause(parsed: ParsedQuery, thread_titles: bool = True) -> dict | None:
    """The recall floor: the user's words as plain BM25 over a document's text and title
    and its author's name, best field counting (a blog's name only ranks). A comment's title is its
    post's, what the thread is about: it counts (``COMMENT_TITLE_BOOST``), except with
    ``thread_titles`` off ("who": what a person wrote)."""
    text = parsed.plain_text()
    if not text:
        return None
    fields = [_field(field, text, boost, thread_titles) for field, boost in FLOOR_FIELDS.items() if boost]
    return {"dis_max": {"queries": [f for fs in fields for f in fs], "tie_breaker": FLOOR_TIE_BREAKER}}


def _field(field: str, text: str, boost: float, thread_titles: bool) -> list[dict]:
    def match(kind: str, weight: float) -> dict:
        return {"bool": {"must": [{"match": {field: {"query": text, "boost": weight}}}], "filter": [{"term": {"kind": kind}}]}}

    if field != "title":
        return [{"match": {field: {"query": text, "boost": boost}}}]
    own = [match("post", boost)]
    return own + [match("comment", COMMENT_TITLE_BOOST)] if thread_titles and COMMENT_TITLE_BOOST else own


def blog_name_clauses(parsed: ParsedQuery) -> list[dict]:
    """A question naming a blog ("the Unplugged blogger"): its documents rank higher."""
    text = parsed.plain_text()
    if not text or not BLOG_BOOST:
        return []
    return [{"match": {"blog.text": {"query": text, "boost": BLOG_BOOST}}}]


def shingle_clauses(parsed: ParsedQuery) -> list[dict]:
    """Each group's words side by side (shingles of the text)."""
    if not PROXIMITY_BOOST:
        return []
    return [{"match": {"text.shingles": {"query": seq, "boost": PROXIMITY_BOOST}}} for seq in parsed.sequences]


def phrase_clauses(parsed: ParsedQuery) -> list[dict]:
    """Each quoted phrase, as a phrase."""
    return [term_clause(p, PHRASE_BOOST) for p in parsed.phrases]


Context = list[dict[str, float]]
"""Per concept, post id -> score a comment under that post gets for the concept (see
``context_body``); empty dicts when there is no thread context."""


def named_concepts(expansions: list[Expansion], context: Context | None = None, parsed: ParsedQuery | None = None) -> list[dict]:
    """One clause per concept, named ``concept:<i>`` so a hit's ``matched_queries`` says
    which concepts it shows. With ``context``, a comment also shows a concept when the post
    it is under is about it, provided its own words say something of the question (a
    "thank you" under the right post shows nothing; "diagnosed at 41" under a post on adult
    ADHD shows ADHD)."""
    own = [concept_clause(e) for e in expansions]
    words = parsed.plain_text() if parsed is not None else ""
    says = ([{"match": {"text": {"query": words}}}] if words else []) + own
    anything: dict | None = {"bool": {"should": says, "minimum_should_match": 1}} if says else None
    clauses = []
    for i, clause in enumerate(own):
        posts = context[i] if context and i < len(context) else {}
        if posts and anything is not None:
            clause = _with_thread(clause, posts, anything)
        clauses.append(_named(clause, f"{CONCEPT_NAME}{i}", CONCEPT_BOOST))
    return clauses


def _named(clause: dict, name: str, boost: float) -> dict:
    return {"bool": {"should": [clause], "boost": boost, "_name": name}}


def aboutness_clause(expansions: list[Expansion]) -> dict | None:
    """How much a document is *about* the question's themes, by the enricher's tags (ln(1 +
    tag score), per theme): the themes its words name or belong to at ABOUT_BOOST, related
    and shared themes at RELATED_TAG_BOOST, senses the question does not support at
    WEAK_TAG_BOOST. Added to the words' score, never retrieving a document; one nested
    query for all of them (one per theme and part was most of a search's time at 100k)."""
    weights: dict[str, float] = {}
    for e in expansions:
        for w in e.wordings:
            for p in w.parts:
                for themes, weight in ((p.themes, ABOUT_BOOST), (p.member_themes, ABOUT_BOOST),
                                       (p.ranking_themes, RELATED_TAG_BOOST), (p.weak_themes, WEAK_TAG_BOOST)):
                    for t in themes:
                        weights[t] = max(weights.get(t, 0.0), weight)
    weights = {t: w for t, w in weights.items() if w}
    if not weights:
        return None
    functions = [
        {"filter": {"term": {"theme_tags.theme": t}}, "weight": w,
         "field_value_factor": {"field": "theme_tags.score", "modifier": "ln1p", "missing": 1.0}}
        for t, w in weights.items()
    ]
    scored = {"function_score": {"query": {"terms": {"theme_tags.theme": list(weights)}}, "functions": functions,
                                 "score_mode": "max", "boost_mode": "replace"}}
    return {"nested": {"path": "theme_tags", "score_mode": "sum", "query": scored}}


def query_clause(parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, thread_titles: bool = True) -> dict:
    """What retrieves a document (see the module docstring): any of the user's words (the
    floor), a quoted phrase, or a way into a concept the words do not cover (``widen_clause``):
    flat disjunctions, cheap enough for Elasticsearch to skip what cannot make the top.
    ``rescorers`` then rank the best of them. ``thread_titles``: see ``floor_clause``."""
    retrieve = [c for c in [floor_clause(parsed, thread_titles)] if c] + phrase_clauses(parsed)
    retrieve += [c for c in (widen_clause(e) for e in expansions) if c]
    must = [{"bool": {"should": retrieve, "minimum_should_match": 1}}] if retrieve else []
    must += [term_clause(t) for t in parsed.required]
    bool_query: dict = {"filter": filter_clauses(filters), "must": must}
    if parsed.excluded:
        bool_query["must_not"] = [term_clause(t) for t in parsed.excluded]
    return _avoiding(parsed, {"bool": bool_query})


def _avoiding(parsed: ParsedQuery, query: dict) -> dict:
    """``query``, with documents holding a word the question negates pushed down."""
    if not parsed.avoided:
        return query
    negative = {"bool": {"should": [term_clause(t, loose=True) for t in parsed.avoided], "minimum_should_match": 1}}
    return {"boosting": {"positive": query, "negative": negative, "negative_boost": AVOIDED_FACTOR}}


def widen_clause(expansion: Expansion) -> dict | None:
    """The ways into a concept besides the user's own words (the floor has those): the
    single-word terms of the themes it names, and the themes' tags. Scored flat and low, as
    in ``concept_clause`` (the rescore scores the concept in full)."""
    parts = [p for w in expansion.wordings for p in w.parts]
    terms = list(dict.fromkeys(v.text for p in parts for v in p.tier("theme") if not v.phrase))
    themes = list(dict.fromkeys(t for p in parts for t in p.themes))
    weight = max((v.weight for p in parts for v in p.tier("theme")), default=0.0)
    ways: list[dict] = []
    if terms:
        ways.append({"match": {"text": {"query": " ".join(terms), "boost": CONCEPT_BOOST * weight}}})
    if themes:
        ways.append({"constant_score": {"filter": {"terms": {"themes": themes}}, "boost": CONCEPT_BOOST * THEME_TAG_BOOST}})
    if len(ways) < 2:
        return ways[0] if ways else None
    return {"bool": {"should": ways}}


def rescorers(
    parsed: ParsedQuery,
    expansions: list[Expansion],
    window: int = RESCORE_WINDOW,
    context: Context | None = None,
    coverage: bool = True,
) -> list[dict]:
    """What ranks the best ``window`` documents of ``query_clause``: first each concept
    shown (named ``concept:<i>``: a hit's ``matched_queries`` says which), the words side by
    side, the themes the question is about and a blog it names are added (negated words
    still pushing down); then (``coverage``) each score is multiplied by 1 + COVERAGE_WEIGHT
    × the share of concepts the document shows (``coverage_rescore``; "who" applies it
    itself, from the concepts each document shows). Only ``window`` documents are scored:
    phrase-like and nested queries here cost little at any index size."""
    extras = named_concepts(expansions, context, parsed) + shingle_clauses(parsed)
    extras += [c for c in [aboutness_clause(expansions)] if c] + blog_name_clauses(parsed)
    out = []
    if extras:
        ranked = _avoiding(parsed, {"bool": {"should": extras}})
        out.append({"window_size": window, "query": {
            "rescore_query": ranked, "query_weight": 1.0, "rescore_query_weight": 1.0, "score_mode": "total"}})
    covered = coverage_rescore(expansions, window) if coverage else None
    return out + ([covered] if covered else [])


def folded_rescore(query: dict, rescore: list[dict]) -> dict:
    """``query`` with the ``rescorers`` folded in: one query scoring every document as the
    rescore scores the best window. For an export, which pages through every match with
    ``search_after`` (a sort that no rescore can join): "total" steps add their query as a
    ``should``, the coverage step multiplies by its functions."""
    for step in rescore:
        spec = step["query"]
        if spec["score_mode"] == "total":
            query = {"bool": {"must": [query], "should": [spec["rescore_query"]]}}
        else:  # coverage_rescore: a function_score over every document, multiplied in
            functions = spec["rescore_query"]["function_score"]["functions"]
            query = {"function_score": {"query": query, "functions": functions, "score_mode": "sum", "boost_mode": "multiply"}}
    return query


def coverage_rescore(expansions: list[Expansion], window: int = RESCORE_WINDOW) -> dict | None:
    """Multiply the best ``window`` scores by 1 + COVERAGE_WEIGHT × the share of concepts shown."""
    if len(expansions) < 2:
        return None
    share = COVERAGE_WEIGHT / len(expansions)
    functions = [{"filter": concept_clause(e), "weight": share} for e in expansions]
    return {
        "window_size": window,
        "query": {
            "rescore_query": {
                "function_score": {"functions": [{"weight": 1.0}, *functions], "score_mode": "sum", "boost_mode": "replace"}
            },
            "query_weight": 1.0,
            "rescore_query_weight": 1.0,
            "score_mode": "multiply",
        },
    }


def _with_thread(concept: dict, posts: dict[str, float], own_concept: dict) -> dict:
    under = [{"constant_score": {"filter": {"term": {"post_id": pid}}, "boost": score}} for pid, score in posts.items()]
    thread = {
        "bool": {
            "filter": [{"term": {"kind": "comment"}}, own_concept],
            "should": under,
            "minimum_should_match": 1,
        }
    }
    return {"dis_max": {"queries": [concept, thread]}}


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


def highlight(expansions: list[Expansion] | None = None, parsed: ParsedQuery | None = None) -> dict:
    """Snippets with every word and concept marked; escaped by Elasticsearch (encoder html)."""
    body: dict = {
        "encoder": "html",
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "fields": {
            "text": {"fragment_size": 180, "number_of_fragments": 3, "no_match_size": 180},
            "title": {"number_of_fragments": 0},
        },
    }
    if expansions or parsed is not None:
        body["highlight_query"] = marked_words_clause(expansions or [], parsed)
    return body


def marked_words_clause(expansions: list[Expansion], parsed: ParsedQuery | None = None) -> dict:
    """What snippets mark: the user's words and the taxonomy's wordings of the themes they
    name, so a document matched by its tags shows why (run on the shown hits only)."""
    parts = [p for e in expansions for w in e.wordings for p in w.parts]
    marked = [variant_clause(v) for p in parts for v in p.tier("user", "theme")]
    if parsed is not None:
        marked += [{"match": {"text": {"query": t.text}}} for t in parsed.words]
        marked += [term_clause(t, title=False) for t in parsed.phrases]
    return {"bool": {"should": marked}}


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
        "query": query_clause(parsed, expansions, filters.merged(parsed)),
        "from": page.offset,
        "size": page.size,
        "sort": sort_clause(page.sort),
        "track_total_hits": not page.facets,
        "track_scores": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
    rescore = rescorers(parsed, expansions, max(RESCORE_WINDOW, page.offset + page.size), context) if page.sort == "relevance" else []
    if rescore:
        body["rescore"] = rescore
        del body["sort"]  # a rescore ranks by score alone; ties keep Elasticsearch's order
    if page.highlight:
        body["highlight"] = highlight(expansions, parsed)
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
