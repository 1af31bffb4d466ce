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


def test_questions_require_every_concept_and_plain_search_ranks():
    assert len(_body("who discusses transference and vacations")["query"]["bool"]["must"]) == 2
    plain = _body("transference vacations")["query"]["bool"]
    assert plain["minimum_should_match"] == 1 and len(plain["should"]) == 3  # 2 concepts + literal


def test_titles_count_only_for_posts():
    text = json.dumps(_body("vacations"))
    assert '"title"' in text
    clause = builder.own_words("match", {"query": "x"})
    title_branch = clause["bool"]["should"][1]["bool"]
    assert title_branch["filter"] == [{"term": {"kind": "post"}}]


def test_highlight_is_html_escaped():
    assert _body("vacations")["highlight"]["encoder"] == "html"


def test_theme_phrases_match_through_tags_and_are_marked_in_snippets():
    body = _body("who discusses vacations")
    query, marked = json.dumps(body["query"]), json.dumps(body["highlight"]["highlight_query"])
    assert '"holiday"' in query and "theme_tags.theme" in query  # a theme term, and the tags
    assert '"time off"' not in query and '"time off"' in marked  # its phrases: tags; snippets


def test_tag_weight_is_on_the_function_since_boost_mode_replace_drops_query_boosts():
    [tag] = builder._tag_clauses(["transference"], 2.0)
    scored = tag["nested"]["query"]["function_score"]
    assert scored["boost_mode"] == "replace" and scored["functions"][0]["weight"] == 2.0
    assert "boost" not in tag["nested"]


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


def test_who_asks_jointly_then_per_concept_once_each_for_ids_and_authors():
    parsed = parse_query("who discusses transference and vacations")
    queries = people_query.who_queries(parsed, EXPANDER.expand_all(parsed.concepts), Filters())
    bodies = [people_query.ranked_docs_body(query) for query in queries]  # as SearchService.who asks them
    assert len(bodies) == 3  # joint, transference, vacations
    joint = bodies[0]
    assert joint["_source"] is False and joint["docvalue_fields"] == ["author_key"]
    assert "sort" not in joint and "collapse" not in joint and "highlight" not in joint
    assert len(joint["query"]["bool"]["must"]) == 2


def test_ranked_documents_group_by_person_best_first_anonymous_each_their_own():
    from shrinksearch.search import people

    def raw(doc_id, author, score):
        return {"_id": doc_id, "_score": score, "fields": {"author_key": [author]}}

    ranked = [raw("a1", "dinah", 9), raw("n1", "anonymous", 8), raw("a2", "dinah", 7), raw("n2", "anonymous", 6),
              raw("a3", "dinah", 5), raw("a4", "dinah", 4)]
    [groups] = people.parse_responses([{"hits": {"hits": ranked}}])
    assert [h.id for h in groups["dinah"].hits] == ["a1", "a2", "a3"]  # EVIDENCE_PER_PERSON
    assert set(groups) == {"dinah", "anonymous@n1", "anonymous@n2"}


def test_people_rank_on_scores_then_show_their_strongest_documents():
    from shrinksearch.search import people

    def raw(doc_id, author, score):
        return {"_id": doc_id, "_score": score, "fields": {"author_key": [author]}}

    joint = {"hits": {"hits": [raw("d1", "dinah", 9)]}}
    first = {"hits": {"hits": [raw("d1", "dinah", 5), raw("r1", "rose", 4), raw("x1", "roy", 3)]}}
    second = {"hits": {"hits": [raw("r2", "rose", 6), raw("d1", "dinah", 4)]}}
    pairs = people.parse_responses([joint, first, second])
    ranked = people.rank_people(pairs, ["a", "b"], 10)
    assert [key for key, _, _ in ranked] == ["dinah", "rose"]  # roy lacks "b"
    [dinah, rose] = people.describe(pairs, ["a", "b"], ranked)
    assert [(h.id, h.concepts) for h in dinah.evidence] == [("d1", ["a", "b"])]
    assert people.unfetched(pairs, [dinah, rose]) == ["d1", "r2", "r1"]  # each once, whole later
