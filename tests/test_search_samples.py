"""Search and "who" on the whole sample network, indexed through the real clean + enrich."""

from __future__ import annotations

from sample_index import SampleIndex, indexed_samples  # noqa: F401  (session fixture)
from shrinksearch.search.builder import Filters, Page

SEED_POST = "shrink-notes/3002"
SEED_COMMENT = "shrink-notes/3001#900101"  # the anonymous comment the seed post answers


def test_seed_question_answers_dinah_then_the_anonymous_commenter(indexed_samples: SampleIndex):
    result = indexed_samples.service.who("who discusses transference and vacations")
    first, second = result.people[:2]
    assert (first.key, first.name, first.role, first.blogs[0]) == ("dinah", "Dinah", "blogger", "Shrink Notes")
    assert first.evidence[0].id == indexed_samples.doc_id(SEED_POST)
    assert first.evidence[0].concepts == ["transference", "vacations"]
    comment_id = indexed_samples.doc_id(SEED_COMMENT)
    assert (second.key, second.anonymous, second.role) == (f"anonymous@{comment_id}", True, "commenter")
    assert [h.id for h in second.evidence] == [comment_id]
    # her own words say vacation; the seed post, which quotes her, says transference
    assert second.evidence[0].quoted_in[0]["id"] == indexed_samples.doc_id(SEED_POST)
    assert any("<em>" in s for s in second.evidence[0].snippets)


def test_other_anonymous_commenters_stay_separate_people(indexed_samples: SampleIndex):
    people = indexed_samples.service.who("who discusses transference and vacations", limit=30).people
    anonymous = [p for p in people if p.anonymous]
    assert len(anonymous) >= 2
    assert len({p.key for p in anonymous}) == len(anonymous)
    assert all(len({h.id for h in p.evidence}) == 1 for p in anonymous)


def test_question_forms_restrict_kind_and_role(indexed_samples: SampleIndex):
    service = indexed_samples.service
    posts = service.search("which posts discuss the insanity defense").hits
    assert posts and {h.kind for h in posts} == {"post"}
    assert posts[0].id == indexed_samples.doc_id("forensic-frontiers/803")
    comments = service.search("what do commenters say about brain zaps").hits
    assert comments and {h.kind for h in comments} == {"comment"}
    bloggers = service.who("which bloggers write about involuntary commitment").people
    assert {p.role for p in bloggers} == {"blogger"}


def test_filters_facets_and_pages_on_the_network(indexed_samples: SampleIndex):
    service = indexed_samples.service
    result = service.search("vacation", Filters(blogs=("Couch Side",), role="commenter"), Page(size=5))
    assert result.total > 5 and {(h.blog, h.author_role) for h in result.hits} == {("Couch Side", "commenter")}
    second = service.search("vacation", Filters(blogs=("Couch Side",), role="commenter"), Page(size=5, offset=5))
    assert not {h.id for h in result.hits} & {h.id for h in second.hits}
    facets = service.facets()
    assert sum(v["count"] for v in facets["kind"]) == indexed_samples.documents
    assert {v["value"] for v in facets["blog"]} >= {"Shrink Notes", "Couch Side", "The Med Check"}
    assert "therapist-absence" in {v["value"] for v in facets["theme"]}


def test_thread_view_of_the_seed_post(indexed_samples: SampleIndex):
    thread = indexed_samples.service.thread(indexed_samples.doc_id(SEED_POST))
    assert thread.post.title == "Transference and the Vacation Question"
    first = thread.comments[0]
    assert first.comment.author == "Sarebear"
    assert {r.comment.author for r in first.replies} == {"Dinah", "Anonymous"}


def test_timeline_counts_theme_mentions_per_year(indexed_samples: SampleIndex):
    timeline = indexed_samples.service.theme_timeline(["therapist-absence", "transference"])
    by_year = {p["period"]: p["counts"] for p in timeline["periods"]}
    assert by_year["2008"]["therapist-absence"] >= 3 and by_year["2008"]["transference"] >= 1
