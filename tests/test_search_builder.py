"""Query bodies and concept expansion: pure code, checked without a node (the service
tests run the same bodies against the real one)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from search_fixtures import TINY_THEMES
from shrinksearch.exceptions import QueryError
from shrinksearch.search import builder, people_query
from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.expand import Expander, stem_key
from shrinksearch.search.query import parse_query

EXPANDER = Expander(TINY_THEMES)


def _keys(body: object) -> set[str]:
    """Every dict key anywhere in a body."""
    if isinstance(body, dict):
        return set(body) | {k for v in body.values() for k in _keys(v)}
    if isinstance(body, list):
        return {k for v in body for k in _keys(v)}
    return set()


def _body(text: str, filters: Filters = Filters(), page: Page = Page()) -> dict:
    parsed = parse_query(text)
    return builder.search_body(parsed, EXPANDER.expand_all(parsed.concepts), filters, page)


@pytest.mark.parametrize(
    ("word", "direct", "ranking"),
    [
        ("vacations", ["therapist-absence"], []),  # named by the label "... and vacations"
        ("vacation", ["therapist-absence"], []),  # the theme's headword (first term)
        ("holiday", [], ["therapist-absence"]),  # a member: its siblings only rank
        ("transference", ["transference"], ["therapeutic-relationship"]),  # direct, then related
        ("therapist vacations", ["therapist-absence"], []),
        ("time off", [], ["therapist-absence"]),
        ("tremor", [], []),
    ],
)
def test_expansion_finds_themes_by_stem(word, direct, ranking):
    [concept] = parse_query(f"who discusses {word}").concepts
    expansion = EXPANDER.expand(concept)
    assert (expansion.direct_themes, expansion.related_themes) == (direct, ranking)


def test_expansion_weights_user_words_over_taxonomy_over_related():
    [concept] = parse_query("who discusses transference").concepts
    [wording] = EXPANDER.expand(concept).wordings
    variants = {v.text: (v.weight, v.tier) for v in wording.parts[0].variants}
    assert variants["transference"] == (1.0, "user")
    assert variants["feelings about the therapist"] == (0.6, "theme")
    assert variants["rapport"] == (0.25, "related")


def test_multi_word_wordings_split_into_parts_at_taxonomy_words():
    [concept] = parse_query("who discusses lithium weight").concepts
    [wording] = EXPANDER.expand(concept).wordings
    assert [p.text for p in wording.parts] == ["lithium", "weight"]
    [concept] = parse_query("who discusses feelings about the therapist").concepts
    assert [p.text for p in EXPANDER.expand(concept).wordings[0].parts] == ["feelings therapist"]


def test_a_theme_two_concepts_share_only_ranks():
    parsed = parse_query("who discusses vacations and holidays")
    first, second = EXPANDER.expand_all(parsed.concepts)
    assert first.direct_themes == [] and "therapist-absence" in first.related_themes
    assert second.direct_themes == []


def test_quoted_phrases_are_not_expanded():
    [concept] = parse_query('who discusses "time off"').concepts
    assert EXPANDER.expand(concept).theme_ids == []


def test_stem_key_joins_inflections():
    assert stem_key("Vacations") == stem_key("vacation")
    assert stem_key("rescheduled sessions") == stem_key("reschedule session")


def test_no_query_string_ever():
    for text in ("title:x AND y", 'who discusses "a b" and c', "+x -y z"):
        assert "query_string" not in _keys(_body(text))


def _retrieving(body: dict) -> list[dict]:
    """The clauses that retrieve documents (inside the one ``must``)."""
    query = body["query"].get("boosting", {}).get("positive", body["query"])
    return query["bool"]["must"][0]["bool"]["should"]


def test_concepts_rank_never_filter_the_words_are_the_floor():
    body = _body("who discusses transference and vacations")
    query = body["query"]["bool"]
    assert len(query["must"]) == 1 and query["must"][0]["bool"]["minimum_should_match"] == 1
    floor, *widening = _retrieving(body)
    texts = [q["match"][f]["query"] for q in floor["dis_max"]["queries"] if "match" in q for f in q["match"]]
    assert texts and set(texts) == {"transference vacations"}  # every word, as plain BM25
    assert len(widening) == 2 and "_name" not in json.dumps(widening)  # a way into each concept: its themes
    assert '"themes"' in json.dumps(widening[1]) and "holiday" in json.dumps(widening[1])
    ranked = body["rescore"][0]["query"]  # the concepts in full rank the best documents, named: who reads them
    assert ranked["score_mode"] == "total" and ranked["rescore_query_weight"] == 1.0
    named = [c["bool"]["_name"] for c in ranked["rescore_query"]["bool"]["should"] if "_name" in c.get("bool", {})]
    assert named == ["concept:0", "concept:1"]


def test_documents_showing_every_concept_come_first_by_a_rescore():
    body = _body("transference and vacations")
    rescore = body["rescore"][-1]
    functions = rescore["query"]["rescore_query"]["function_score"]["functions"]
    assert rescore["window_size"] >= 10 and rescore["query"]["score_mode"] == "multiply"
    assert functions[0] == {"weight": 1.0} and len(functions) == 3  # 1 + a share per concept
    assert [r["query"]["score_mode"] for r in _body("vacations")["rescore"]] == ["total"] and "sort" not in body
    assert "rescore" not in _body("transference and vacations", page=Page(sort="date"))


def test_negated_words_push_documents_down_without_filtering():
    body = _body("psychedelic therapy but not ketamine")
    boosting = body["query"]["boosting"]
    assert boosting["negative_boost"] < 1 and "ketamine" in json.dumps(boosting["negative"])
    assert "ketamine" not in json.dumps(boosting["positive"])
    assert "must_not" in _body("psychedelic -ketamine")["query"]["bool"]  # an explicit - still filters


def test_long_questions_keep_every_word_and_make_concepts_only_of_known_terms():
    text = "My psychiatrist gives me fifteen minutes every few months and mostly refills my prescriptions"
    parsed = parse_query(text)
    concepts = EXPANDER.concepts_of(parsed.concepts)
    assert all(len(c.terms[0].text.split()) <= 3 for c in concepts)
    floor = _retrieving(_body(text))[0]
    assert "fifteen minutes" in json.dumps(floor) and "refills prescriptions" in json.dumps(floor)


def test_a_comments_title_counts_for_search_but_not_for_who():
    parsed = parse_query("vacations")
    search_floor = json.dumps(builder.floor_clause(parsed))
    who_floor = json.dumps(builder.floor_clause(parsed, thread_titles=False))
    assert '{"term": {"kind": "comment"}}' in search_floor and '{"term": {"kind": "comment"}}' not in who_floor
    assert '"author"' in who_floor  # a person named counts
    [blog] = builder.blog_name_clauses(parsed)  # a blog named ranks its documents higher
    assert blog["match"]["blog.text"]["query"] == "vacations" and "blog.text" not in search_floor
    clause = builder.own_words("match", {"query": "x"})
    title_branch = clause["bool"]["should"][1]["bool"]
    assert title_branch["filter"] == [{"term": {"kind": "post"}}]


def test_highlight_is_html_escaped():
    assert _body("vacations")["highlight"]["encoder"] == "html"


def test_theme_phrases_match_through_tags_and_are_marked_in_snippets():
    body = _body("who discusses vacations")
    query, marked = json.dumps(body["query"]), json.dumps(body["highlight"]["highlight_query"])
    ranked = json.dumps(body["rescore"])
    assert "holiday" in query and '"themes"' in query  # a theme term, and the tags
    assert "theme_tags.theme" in ranked and "theme_tags" not in query  # how strongly tagged: ranks only
    assert '"time off"' not in query + ranked and '"time off"' in marked  # its phrases: tags; snippets


def test_aboutness_weights_are_on_the_functions_since_boost_mode_replace_drops_query_boosts():
    parsed = parse_query("transference and vacations")
    about = builder.aboutness_clause(EXPANDER.expand_all(parsed.concepts))
    scored = about["nested"]["query"]["function_score"]
    weights = {f["filter"]["term"]["theme_tags.theme"]: f["weight"] for f in scored["functions"]}
    assert scored["boost_mode"] == "replace" and "boost" not in about["nested"]
    assert weights["transference"] == weights["therapist-absence"] == builder.ABOUT_BOOST


def test_filters_and_question_forms():
    body = _body("which posts discuss lithium", Filters(blogs=("a",), role="blogger"))
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"kind": "post"}} in filters
    assert {"terms": {"blog": ["a"]}} in filters and {"term": {"author_role": "blogger"}} in filters


@pytest.mark.parametrize(
    "make",
    [
        lambda: Page(size=0),
        lambda: Page(size=101),
        lambda: Page(size=10, offset=9995),
        lambda: Page(offset=-1),
        lambda: Filters(since=date(2020, 1, 2), until=date(2020, 1, 1)),
    ],
)
def test_bad_paging_and_ranges_are_query_errors(make):
    with pytest.raises(QueryError):
        make()


def test_who_reads_the_same_ranking_as_ids_authors_and_concepts():
    parsed = parse_query("who discusses transference and vacations")
    expansions = EXPANDER.expand_all(parsed.concepts)
    query = builder.query_clause(parsed, expansions, Filters(), thread_titles=False)
    rescore = builder.rescorers(parsed, expansions, people_query.RANKED_DOCS, coverage=False)
    body = people_query.ranked_docs_body(query, rescore)  # as SearchService.who asks it
    assert body["_source"] is False and body["docvalue_fields"] == ["author_key", "kind", "blog"]
    assert [r["query"]["score_mode"] for r in body["rescore"]] == ["total"]  # coverage: people.py's
    assert body["rescore"][0]["window_size"] == people_query.RANKED_DOCS
    assert "sort" not in body and "collapse" not in body and "highlight" not in body


def _raw(doc_id, author, score, kind="comment", blog="b", concepts=()):
    return {"_id": doc_id, "_score": score, "fields": {"author_key": [author], "kind": [kind], "blog": [blog]},
            "matched_queries": [f"concept:{i}" for i in concepts]}


def test_ranked_documents_group_by_person_best_first():
    from shrinksearch.search import people

    ranked = [_raw("a1", "dinah", 9), _raw("n1", "anonymous", 8), _raw("a2", "dinah", 7), _raw("n2", "anonymous", 6),
              _raw("a3", "dinah", 5), _raw("a4", "dinah", 4), _raw("p1", "anonymous", 3, kind="post", blog="Couch Side"),
              _raw("p2", "anonymous", 2, kind="post", blog="Couch Side")]
    groups, docs = people.parse_ranked({"hits": {"hits": ranked}})
    assert [h.id for h in groups["dinah"].hits] == ["a1", "a2", "a3"]  # EVIDENCE_PER_PERSON
    # anonymous comments are each their own person; a post naming nobody is its blog's author's
    assert set(groups) == {"dinah", "anonymous@n1", "anonymous@n2", "blog@Couch Side"}
    assert [h.id for h in groups["blog@Couch Side"].hits] == ["p1", "p2"]
    assert people.display_name("blog@Couch Side", "Anonymous") == "the author of Couch Side"


def test_people_covering_every_concept_come_first():
    from shrinksearch.search import people

    ranked = [_raw("d1", "dinah", 9, concepts=(0,)), _raw("r1", "rose", 8, concepts=(0,)), _raw("r2", "rose", 2, concepts=(1,)),
              _raw("x1", "roy", 8.5, concepts=(0, 1)), _raw("y1", "ann", 6, concepts=(0, 1))]
    groups, docs = people.parse_ranked({"hits": {"hits": ranked}}, concepts=2)
    assert docs[0].id == "x1"  # both concepts: 8.5 × (1 + w) beats 9 × (1 + w/2) (w = builder.COVERAGE_WEIGHT)
    order = people.rank_people(groups, docs, 2, 10)
    keys = [key for key, _, _ in order]
    assert keys[0] == "roy" and keys.index("rose") < keys.index("dinah")  # rose covers both, across two documents
    [roy] = people.describe(groups, ["a", "b"], order[:1])
    assert [(h.id, h.concepts) for h in roy.evidence] == [("x1", ["a", "b"])]


def test_whoever_wrote_the_best_document_is_never_below_third():
    from shrinksearch.search import people

    ranked = [_raw("d1", "dinah", 10, concepts=(0,))] + [_raw(f"{k}1", k, 8, concepts=(0, 1)) for k in ("ann", "bob", "cy")]
    groups, docs = people.parse_ranked({"hits": {"hits": ranked}}, concepts=2)
    assert docs[0].id == "d1"
    keys = [key for key, _, _ in people.rank_people(groups, docs, 2, 10)]
    assert keys == ["ann", "bob", "dinah", "cy"]  # fourth on coverage, moved up to third
