"""Enrichment: the theme taxonomy, concept expansion, tagging with evidence, embeddings."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from shrinksearch.enrich import (
    EMBEDDING_DIMS,
    MIN_SCORE,
    PIPELINE_VERSION,
    Taxonomy,
    embed_documents,
    embed_texts,
    expand_concept,
    load_taxonomy,
    parse_taxonomy,
    tag_document,
    tag_text,
)
from shrinksearch.clean.html import html_to_text
from shrinksearch.enrich.stemming import stems
from shrinksearch.records import Document
from shrinksearch.samples import load_network
from shrinksearch.settings import PROJECT_ROOT, get_settings

SEED_POST = ("shrink-notes", "transference-and-the-vacation-question")  # the restored seed post, in the sample network
# Prose that no theme matches: padding to make a text long without adding evidence.
FILLER = "the garden grew tomatoes and beans along the fence while the neighbours talked about the weather . "


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(PROJECT_ROOT / "index_config" / "themes.yaml")


def themes_of(text: str, taxonomy: Taxonomy) -> list[str]:
    return [tag.theme for tag in tag_text(text, taxonomy)]


def make_doc(text: str, *, kind: str = "post", title: str = "", quoted: str = "") -> Document:
    return Document(
        id="p-1" if kind == "post" else "c-1",
        kind=kind,  # type: ignore[arg-type]
        blog="Shrink Notes",
        blog_url="http://127.0.0.1:8765/shrink-notes/",
        platform="blogger",
        url="http://127.0.0.1:8765/shrink-notes/2008/03/you-may-leave-now.html",
        title=title,
        author="Dinah",
        author_key="dinah",
        author_role="blogger",
        post_id="p-1",
        crawled="2024-05-01T12:00:00Z",  # type: ignore[arg-type]
        text=text,
        quoted_text=quoted,
    )


# --- the taxonomy file -------------------------------------------------------------------

REQUIRED_THEMES = [
    "transference", "countertransference", "therapeutic-relationship", "therapist-absence",
    "abandonment", "boundaries", "dependency-on-therapist", "termination", "psychoanalysis",
    "psychodynamic-therapy", "cbt", "dbt", "other-therapies", "medication", "side-effects",
    "antidepressants", "antipsychotics", "mood-stabilizers", "benzodiazepines", "stimulants-adhd",
    "ketamine", "involuntary-commitment", "forensic-psychiatry", "prison-psychiatry",
    "competency-insanity", "confidentiality", "duty-to-warn", "insurance-payment", "suicide-risk",
    "self-harm", "stigma", "diagnosis-dsm", "depression", "anxiety", "bipolar-disorder",
    "psychosis-schizophrenia", "trauma-ptsd", "personality-disorders", "eating-disorders",
    "substance-use", "telehealth", "burnout", "psychiatric-training", "informed-consent",
]  # fmt: skip


def test_taxonomy_file_is_valid_and_complete(taxonomy: Taxonomy) -> None:
    assert taxonomy.version == "1"
    assert 40 <= len(taxonomy.themes) <= 55
    assert len(set(taxonomy.ids)) == len(taxonomy.ids)
    assert set(REQUIRED_THEMES) <= set(taxonomy.ids)
    for theme in taxonomy.themes:
        assert all(related in taxonomy for related in theme.related), theme.id
        assert theme.label and theme.description and theme.terms, theme.id


def test_no_word_or_phrase_belongs_to_two_themes(taxonomy: Taxonomy) -> None:
    # One stem, one theme: query expansion of a word stays unambiguous.
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for theme in taxonomy.themes:
        for entry in [*theme.terms, *theme.phrases]:
            owners[stems(entry)].add(theme.id)
    assert {entry: ids for entry, ids in owners.items() if len(ids) > 1} == {}


def test_every_term_and_phrase_expands_to_its_theme(taxonomy: Taxonomy) -> None:
    for theme in taxonomy.themes:
        for entry in [*theme.terms, *theme.phrases]:
            assert theme in taxonomy.expand_concept(entry), (theme.id, entry)


def test_taxonomy_groups_and_lookups(taxonomy: Taxonomy) -> None:
    groups = taxonomy.groups()
    assert "therapeutic-relationship" in groups and "medication" in groups
    assert sum(len(themes) for themes in groups.values()) == len(taxonomy.themes)
    assert taxonomy.get("therapist-absence").label == "Therapist absence and vacations"
    assert "abandonment" in [theme.id for theme in taxonomy.related_themes("therapist-absence")]
    with pytest.raises(KeyError, match="no theme 'nope'"):
        taxonomy.get("nope")


def test_load_taxonomy_defaults_to_the_configured_index_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "themes.yaml").write_text(VALID)
    monkeypatch.setenv("SHRINKSEARCH_INDEX_CONFIG_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert load_taxonomy().ids == ["a", "b"]
    finally:
        get_settings.cache_clear()


VALID = """
version: 2
themes:
  - {id: a, label: A, description: d, group: g, terms: [alpha], related: [b]}
  - {id: b, label: B, description: d, group: g, terms: [beta], phrases: ["beta blockers"], patterns: ['\\bbeta\\b']}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("id: b,", "id: a,"), "duplicate theme ids: a"),
        (("related: [b]", "related: [zeta]"), "relates to unknown or itself: zeta"),
        (("related: [b]", "related: [a]"), "relates to unknown or itself: a"),
        (("terms: [alpha]", "terms: [alpha particle]"), "is not one word"),
        (('phrases: ["beta blockers"]', 'phrases: ["beta"]'), "fewer than two words"),
        (("'\\bbeta\\b'", "'(beta'"), "not a valid regex"),
        (("'\\bbeta\\b'", "'Beta'"), "capitals"),
        (("id: a,", "id: Not Kebab,"), "should match pattern"),
        (("terms: [alpha]", "terms: []"), "at least 1 item"),
    ],
)
def test_invalid_taxonomies_are_refused_with_the_reason(change: tuple[str, str], message: str) -> None:
    assert parse_taxonomy(VALID).version == "2"  # YAML's int is read as the string it means
    with pytest.raises(ValidationError, match=message):
        parse_taxonomy(VALID.replace(*change))


# --- concept expansion -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "theme_ids"),
    [
        ("vacations", ["therapist-absence"]),
        ("vacationing", ["therapist-absence"]),
        ("Holidays", ["therapist-absence"]),
        ("rescheduled sessions", ["therapist-absence"]),
        ("abandoned", ["abandonment"]),
        ("transference", ["transference"]),
        ("transference and vacations", ["transference", "therapist-absence"]),
        ("SSRIs", ["antidepressants"]),
        ("lithium", ["mood-stabilizers"]),
        ("therapist-absence", ["therapist-absence"]),  # a theme id means that theme
        ("Therapist absence and vacations", ["therapist-absence"]),
        ("gardening", []),
    ],
)
def test_expand_concept(query: str, theme_ids: list[str], taxonomy: Taxonomy) -> None:
    assert [theme.id for theme in taxonomy.expand_concept(query)] == theme_ids


def test_expand_concept_uses_the_default_taxonomy() -> None:
    assert [theme.id for theme in expand_concept("vacations")] == ["therapist-absence"]


# --- tagging -----------------------------------------------------------------------------


def test_seed_post_is_tagged_with_transference_and_therapist_absence(taxonomy: Taxonomy) -> None:
    blog, slug = SEED_POST
    post = load_network().blog(blog).post_by_slug(slug)
    assert post is not None
    seed = html_to_text(post.body)
    doc = tag_document(make_doc(seed, title="You May Leave Now"), taxonomy)
    assert {"transference", "therapist-absence"} <= set(doc.themes)
    tags = {tag.theme: tag for tag in doc.theme_tags}
    absence = " ".join(tags["therapist-absence"].evidence)
    assert "abandoned during vacations or rescheduled sessions" in absence
    assert "the analysis of the transference" in " ".join(tags["transference"].evidence)
    for tag in doc.theme_tags:
        assert 1 <= len(tag.evidence) <= 3
        assert all(span in seed or span in doc.title for span in tag.evidence), tag.theme
        assert all(len(span) <= 240 for span in tag.evidence), tag.theme


@pytest.mark.parametrize(
    "comment",
    [
        "my therapist is on vacation",
        "my therapist is away for three weeks in August",
        "My shrink is going away for the whole of August.",
        "Dr. Smith is on holiday until the 20th.",
        "She cancelled two sessions and rescheduled the third.",
        "We missed our appointment because of the August break.",
    ],
)
def test_short_comments_about_the_therapist_being_away(comment: str, taxonomy: Taxonomy) -> None:
    tags = {tag.theme: tag for tag in tag_text(comment, taxonomy)}
    assert "therapist-absence" in tags
    assert tags["therapist-absence"].evidence[0] in comment


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("I felt so abandoned.", "abandonment"),
        ("Fear of abandonment runs my life.", "abandonment"),
        ("He keeps analyzing the transference.", "transference"),
        ("Two antidepressants later, nothing had changed.", "antidepressants"),
        ("She was hospitalized against her will.", "involuntary-commitment"),
        ("Both of my kids were diagnosed with ADHD.", "stimulants-adhd"),
        ("The therapists' boundaries were blurry.", "boundaries"),
        ("Her psychiatrist tapered the benzos slowly.", "benzodiazepines"),
    ],
)
def test_inflected_forms_match(text: str, theme: str, taxonomy: Taxonomy) -> None:
    assert theme in themes_of(text, taxonomy)


@pytest.mark.parametrize(
    "text",
    [
        "I went on vacation last week and loved it.",
        "Great post, thanks!",
        "Please leave a comment.",
        "You may leave now.",
    ],
)
def test_a_single_common_word_does_not_tag(text: str, taxonomy: Taxonomy) -> None:
    assert "therapist-absence" not in themes_of(text, taxonomy)


def test_one_passing_mention_in_a_long_post_does_not_tag(taxonomy: Taxonomy) -> None:
    long_post = FILLER * 30 + "my therapist is on vacation . " + FILLER * 30
    assert themes_of(FILLER * 60, taxonomy) == []
    assert "therapist-absence" not in themes_of(long_post, taxonomy)
    assert "therapist-absence" in themes_of("my therapist is on vacation . " + FILLER, taxonomy)


def test_score_grows_with_distinct_evidence_and_shrinks_with_length(taxonomy: Taxonomy) -> None:
    def score(text: str) -> float:
        return next(tag.score for tag in tag_text(text, taxonomy) if tag.theme == "therapist-absence")

    one = "My therapist is away."
    two = "My therapist is away. We rescheduled sessions."
    assert MIN_SCORE <= score(one) < score(two)
    assert score(two + " " + FILLER * 40) < score(two)
    assert score(two + " " + FILLER * 40) == pytest.approx(score(two) / math.sqrt(len((two + FILLER * 40).split()) / 150), rel=0.05)


def test_comments_are_tagged_on_their_own_words_only(taxonomy: Taxonomy) -> None:
    comment = make_doc(
        "I agree with you completely.",
        kind="comment",
        title="On transference and vacations",
        quoted="the analysis of the transference is central; my therapist is on vacation",
    )
    assert tag_document(comment, taxonomy).themes == []


def test_post_titles_are_tagged(taxonomy: Taxonomy) -> None:
    doc = tag_document(make_doc("Some thoughts.", title="Erotic transference"), taxonomy)
    assert doc.themes == ["transference"]
    assert doc.theme_tags[0].evidence == ["Erotic transference"]


def test_tag_document_returns_a_versioned_copy_and_replaces_old_tags(taxonomy: Taxonomy) -> None:
    doc = make_doc("My therapist is on vacation.")
    tagged = tag_document(doc, taxonomy)
    assert doc.themes == [] and doc.taxonomy_version is None  # input untouched
    assert tagged.themes[0] == "therapist-absence"
    assert (tagged.taxonomy_version, tagged.pipeline_version) == ("1", PIPELINE_VERSION)
    edited = tagged.model_copy(update={"text": "Nothing to see here."})
    assert tag_document(edited, taxonomy).themes == []
    assert tag_document(tagged, taxonomy) == tagged  # stable under re-enrichment


# --- embeddings (extra "embeddings": the MiniLM wheel, loaded offline) -------------------


def test_embeddings_are_384_dims_and_similar_sentences_are_closer() -> None:
    away, holiday, lithium = embed_texts(
        [
            "My therapist is away on vacation for the whole of August.",
            "My psychiatrist is on holiday for three weeks.",
            "Lithium levels and kidney function should be checked every year.",
        ]
    )
    assert len(away) == len(holiday) == len(lithium) == EMBEDDING_DIMS
    assert sum(x * x for x in away) == pytest.approx(1.0, abs=1e-4)

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b))

    assert cosine(away, holiday) > cosine(away, lithium) + 0.2
    assert embed_texts([]) == []


def test_embed_documents_sets_the_embedding() -> None:
    (doc,) = embed_documents([make_doc("My therapist is on vacation.", title="Away")])
    assert doc.embedding is not None and len(doc.embedding) == EMBEDDING_DIMS
