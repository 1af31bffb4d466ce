"""SearchService on the real node, over a small hand-built network (see search_fixtures)."""

from __future__ import annotations

from datetime import date

import pytest
from elasticsearch import Elasticsearch

from search_fixtures import TINY_THEMES, index_into, small_network
from shrinksearch.exceptions import IndexNotReady, QueryError
from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.service import SearchService


@pytest.fixture
def docs():
    return small_network()


@pytest.fixture
def service(es_client: Elasticsearch, test_alias: str, docs) -> SearchService:
    index_into(es_client, test_alias, list(docs.values()))
    return SearchService(es_client, test_alias, TINY_THEMES)


def test_who_ranks_the_seed_author_and_the_anonymous_commenter_first(service, docs):
    result = service.who("who discusses transference and vacations")
    top = result.people[:2]
    assert {p.key for p in top} == {"dinah", f"anonymous@{docs['anon_leave'].id}"}
    by_key = {p.key: p for p in top}
    assert by_key["dinah"].evidence[0].id == docs["seed"].id
    assert by_key["dinah"].role == "blogger"
    anon = by_key[f"anonymous@{docs['anon_leave'].id}"]
    assert anon.anonymous and anon.role == "commenter" and anon.name == "Anonymous"
    assert [h.id for h in anon.evidence] == [docs["anon_leave"].id]
    assert anon.evidence[0].post_url == docs["leave"].url


def test_who_is_a_person_level_and_across_documents(service, docs):
    # Rose: transference in a post, a vacation in a comment — neither alone shows both.
    people = service.who("who discusses transference and vacations").people
    rose = next(p for p in people if p.key == "rose")
    assert {h.id for h in rose.evidence} == {docs["rose_post"].id, docs["rose_vac"].id}
    assert all(len(h.concepts) == 1 for h in rose.evidence)


def test_comments_get_concepts_from_their_thread(service, docs):
    # Clink's holiday comment is under the seed post, which is about transference.
    people = service.who("who discusses transference and vacations").people
    clink = next(p for p in people if p.key == "clink")
    comment = next(h for h in clink.evidence if h.id == docs["clink_vac"].id)
    assert comment.concepts == ["transference", "vacations"]
    # ... but a reply that shows neither in its own words is no evidence at all
    assert docs["dinah_reply"].id not in {h.id for p in people for h in p.evidence}


def test_who_ranks_people_missing_a_concept_below_those_discussing_all(service, docs):
    people = service.who("who discusses transference and vacations").people
    keys = [p.key for p in people]
    assert "roy" not in keys  # lithium only: nothing of the question
    partial = f"anonymous@{docs['anon_other'].id}"  # holidays only, no transference
    assert partial in keys  # concepts rank, they never filter
    covering_all = [p.key for p in people if all(v == 1.0 for v in p.concept_scores.values())]
    assert {"dinah", "rose", "clink"} <= set(covering_all)
    assert all(keys.index(k) < keys.index(partial) for k in covering_all)


def test_anonymous_documents_are_separate_people(service, docs):
    people = service.who("who talks about lithium").people
    anonymous = [p for p in people if p.anonymous]
    assert [p.key for p in anonymous] == [f"anonymous@{docs['anon_other'].id}"]
    assert "anonymous" not in {p.key for p in people}


def test_who_evidence_snippets_are_highlighted_and_escaped(service, docs):
    people = service.who("who discusses vacations").people
    xss = next(p for p in people if p.evidence[0].id == docs["xss"].id)
    snippet = " ".join(xss.evidence[0].snippets)
    assert "<em>vacation</em>" in snippet
    assert "<img" not in snippet and "<script" not in snippet and "&lt;script&gt;" in snippet


def test_who_role_filter_and_question_form(service):
    bloggers = service.who("which bloggers discuss transference").people
    assert bloggers and all(p.role == "blogger" for p in bloggers)
    commenters = service.who("who discusses vacations", Filters(role="commenter")).people
    assert commenters and all(p.role == "commenter" for p in commenters)


def test_search_expands_concepts_and_ranks_posts_and_comments(service, docs):
    result = service.search("vacations")
    ids = [h.id for h in result.hits]
    # "vacation" literally, and "holiday" through the therapist-absence theme it names
    assert docs["clink_vac"].id in ids and docs["seed"].id in ids
    assert ids.index(docs["seed"].id) < ids.index(docs["clink_vac"].id)  # the user's word first
    assert result.expansions[0]["themes"] == ["therapist-absence"]
    # "holiday" is one member of the theme: its siblings only rank what "holiday" finds
    assert {h.id for h in service.search("holiday").hits} == {docs["clink_vac"].id, docs["anon_other"].id}


def test_search_excluded_and_required_words(service, docs):
    ids = {h.id for h in service.search("lithium -tremor").hits}
    assert docs["roy_reply"].id in ids and docs["meds"].id not in ids
    ids = {h.id for h in service.search("vacation +abandoned").hits}
    assert ids == {docs["seed"].id, docs["anon_leave"].id}


def test_a_comment_title_is_its_threads(service, docs):
    # Comments carry their post's title: a search counts it, as a plain multi_match does,
    # but the post whose title it is comes first; "who" counts only a person's own words.
    ids = [h.id for h in service.search('"you may leave now"').hits]
    assert ids[0] == docs["leave"].id and docs["anon_leave"].id in ids
    assert [p.key for p in service.who('who discusses "you may leave now"').people] == ["dinah"]


def test_filters_and_facets(service, docs):
    result = service.search("vacation", Filters(blogs=("shrink-notes",), kind="comment"))
    # in their own words (holiday ~ vacation) first, then the replies under "... the Vacation Question"
    assert {h.id for h in result.hits[:2]} == {docs["anon_leave"].id, docs["clink_vac"].id}
    assert {h.id for h in result.hits[2:]} == {docs["roy_reply"].id, docs["dinah_reply"].id}
    result = service.search("lithium")
    # Rose's comment says August, but it sits under "Lithium levels": its thread's title counts
    assert {v.value: v.count for v in result.facets["kind"]} == {"post": 1, "comment": 3}
    authors = {v.value: v.label for v in result.facets["author"]}
    assert authors["roy"] == "Roy"
    in_2010 = service.search("lithium", Filters(since=date(2010, 1, 1), until=date(2010, 12, 31))).hits
    assert {h.id for h in in_2010} == {docs["meds"].id, docs["anon_other"].id, docs["rose_vac"].id}


def test_pagination_and_date_sort(service):
    first = service.search("vacation", page=Page(size=2))
    second = service.search("vacation", page=Page(size=2, offset=2))
    assert first.total == second.total >= 4
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    dated = service.search("vacation", page=Page(size=10, sort="date")).hits
    years = [h.published for h in dated]
    assert years == sorted(years, reverse=True)


def test_thread_nests_replies(service, docs):
    thread = service.thread(docs["seed"].id)
    assert thread.post.id == docs["seed"].id and thread.total_comments == 3
    [clink] = thread.comments
    assert clink.comment.id == docs["clink_vac"].id
    assert clink.replies[0].comment.id == docs["roy_reply"].id
    assert clink.replies[0].replies[0].comment.id == docs["dinah_reply"].id
    assert service.thread(docs["roy_reply"].id).post.id == docs["seed"].id


def test_facets_and_timeline(service):
    facets = service.facets()
    assert {v["value"] for v in facets["blog"]} == {"shrink-notes", "med-check", "couch-side"}
    timeline = service.theme_timeline(["therapist-absence"], interval="year")
    assert timeline["themes"] == ["therapist-absence"]
    assert [p["period"] for p in timeline["periods"]] == ["2008", "2009", "2010", "2011"]


def test_user_errors_are_query_errors(service):
    for call in (lambda: service.search("   "), lambda: service.thread("nope"),
                 lambda: service.search("x", page=Page(size=1000)), lambda: service.who("who discusses"),
                 lambda: service.theme_timeline(interval="week")):
        with pytest.raises(QueryError):
            call()


def test_missing_index_says_what_to_do(es_client):
    with pytest.raises(IndexNotReady, match="index init"):
        SearchService(es_client, "sstest-missing-alias", TINY_THEMES).search("vacation")
