"""Cleaning: raw crawled posts and comments to Documents (pure functions, table-driven)."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrinksearch.clean import (
    ANONYMOUS,
    MAX_HTML_CHARS,
    NearDuplicateIndex,
    RejectedRecord,
    author_key,
    clean_record,
    detect_language,
    display_name,
    html_to_text,
    repair_text,
    sanitize_html,
    split_quoted,
    strip_signature,
    to_utc,
)
from shrinksearch.records import Document, RawComment, RawPost, comment_doc_id, post_doc_id

POST_URL = "http://127.0.0.1:8765/shrink-notes/2008/03/you-may-leave-now.html"


def raw_post(**fields: Any) -> RawPost:
    base: dict[str, Any] = {
        "blog_name": "Shrink Notes",
        "blog_url": "http://127.0.0.1:8765/shrink-notes/",
        "platform": "blogger",
        "crawled": "2024-05-01T12:00:00Z",
        "url": POST_URL,
        "title": "You May Leave Now",
        "author": "Dinah",
        "published": "2008-03-01T14:05:00Z",
        "html": "<p>In my last post an anonymous commenter talked about her psychotherapist.</p>",
    }
    return RawPost(**(base | fields))


def raw_comment(**fields: Any) -> RawComment:
    base: dict[str, Any] = {
        "blog_name": "Shrink Notes",
        "blog_url": "http://127.0.0.1:8765/shrink-notes/",
        "platform": "blogger",
        "crawled": "2024-05-01T12:00:00Z",
        "id": "900101",
        "post_url": POST_URL,
        "post_title": "You May Leave Now",
        "author": "Sarebear",
        "published": "2008-03-01T18:22:00Z",
        "html": "<p>My therapist asks the same thing every August.</p>",
        "position": 2,
    }
    return RawComment(**(base | fields))


# --- HTML to text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("first line<br>second line", "first line\nsecond line"),
        ("para one<br><br>para two<br/> <br/>para three", "para one\n\npara two\n\npara three"),
        ("<ul><li>lithium</li><li>valproate</li></ul>", "lithium\n\nvalproate"),
        ("<p>Before</p><blockquote>Quoted words</blockquote><p>After</p>", "Before\n\nQuoted words\n\nAfter"),
        ("<div>a <b>bold</b> <i>claim</i>.</div>", "a bold claim."),
        ("<p>x</p><script>alert(1)</script><style>p{}</style>", "x"),
        ("<p>&lt;tag&gt; &amp; &quot;quoted&quot;</p>", '<tag> & "quoted"'),
        ("", ""),
    ],
)
def test_html_to_text_keeps_paragraph_breaks(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_marks_blockquotes_for_comments() -> None:
    html = "<p>Dinah wrote:</p><blockquote><p>line one</p><p>line two</p></blockquote><p>Mine.</p>"
    assert html_to_text(html, mark_quotes=True) == "Dinah wrote:\n\n> line one\n> line two\n\nMine."


def test_sanitize_html_removes_scripts_and_handlers_and_repairs_mojibake() -> None:
    html = '<p onclick="steal()">donâ€™t</p><script>x()</script><a href="javascript:x()">l</a>'
    clean = sanitize_html(html)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<p>don't</p>" in clean


# --- Unicode repair ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("donâ€™t", "don't"),  # ftfy also straightens curly quotes
        ("I feel â€œabandonedâ€\x9d", 'I feel "abandoned"'),
        ("cafÃ©", "café"),
        ("tabs\tand   spaces", "tabs and spaces"),
        ("para\n\n\n\nnext", "para\n\nnext"),
        ("ctrl\x07char", "ctrlchar"),
    ],
)
def test_repair_text(raw: str, fixed: str) -> None:
    assert repair_text(raw) == fixed


def test_mojibake_in_a_comment_is_repaired() -> None:
    doc = clean_record(raw_comment(html="<p>I donâ€™t want her to go on vacation.</p>"))
    assert doc.text == "I don't want her to go on vacation."


# --- quotes and signatures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "own", "quoted"),
    [
        ("> you may leave now\n> she said\n\nThat stung.", "That stung.", "you may leave now\nshe said"),
        ("Sarebear wrote:\n\n> therapy is hard\n\nAgreed.", "Agreed.", "Sarebear wrote:\n\ntherapy is hard"),
        ("On Mar 3, 2008, Dinah wrote:\nwe all take August off\n\nNot mine!", "Not mine!", "On Mar 3, 2008, Dinah wrote:\nwe all take August off"),
        ("Quote:\n\nthe analysis of the transference\n\nYes, exactly.", "Yes, exactly.", "Quote:\n\nthe analysis of the transference"),
        ("Quote: it's about the relationship\nI disagree.", "I disagree.", "Quote: it's about the relationship"),
        ("Quoting Roy: call a vacation a vacation\n\nHa.", "Ha.", "Quoting Roy: call a vacation a vacation"),
        ("No quotes here.\nJust words.", "No quotes here.\nJust words.", ""),
        ("I wrote: nothing special", "I wrote: nothing special", ""),
    ],
)
def test_split_quoted(text: str, own: str, quoted: str) -> None:
    assert split_quoted(text) == (own, quoted)


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("Great post.\n\n--\nRoy\nshrinkrap.example", "Great post."),
        ("Great post.\n-- \nRoy", "Great post."),
        ("Thank you for this.\n\nSent from my iPhone", "Thank you for this."),
        ("Thank you.\n~Sarebear", "Thank you."),
        ("Thank you.\n~ Sarebear\n\nSent from my iPad", "Thank you."),
        ("Thank you.\n-- Dr. Kat", "Thank you."),
        ("Get Outlook for iOS", ""),
        ("A list:\n- first point about lithium levels and kidneys", "A list:\n- first point about lithium levels and kidneys"),
        ("No signature at all.", "No signature at all."),
    ],
)
def test_strip_signature(text: str, own: str) -> None:
    assert strip_signature(text) == own


def test_comment_text_excludes_quotes_and_signature() -> None:
    html = (
        "<p>Dinah wrote:</p><blockquote>It's much easier to call a vacation a vacation.</blockquote>"
        "<p>My therapist never does.</p><p>~Sarebear<br><br>Sent from my iPhone</p>"
    )
    doc = clean_record(raw_comment(html=html))
    assert doc.text == "My therapist never does."
    assert doc.quoted_text == "Dinah wrote:\n\nIt's much easier to call a vacation a vacation."


def test_post_keeps_its_blockquotes_as_text() -> None:
    doc = clean_record(raw_post(html="<blockquote>Do you feel abandoned?</blockquote><p>She asked.</p>"))
    assert doc.text == "Do you feel abandoned?\n\nShe asked."
    assert doc.quoted_text == ""


# --- rejects -----------------------------------------------------------------------------


def _binary_html() -> str:
    noise = random.Random(7).randbytes(4000)
    return noise.decode("latin-1")


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (raw_post(html=""), "empty"),
        (raw_post(html="<p> &nbsp; </p><div>  </div>"), "empty"),
        (raw_post(html="<script>var x = 1;</script>"), "empty"),
        (raw_comment(html="<blockquote>only someone else's words</blockquote>"), "empty"),
        (raw_comment(html="<p>~Sarebear</p>"), "empty"),
        (raw_post(html=_binary_html()), "binary"),
        (raw_post(html="<p>ok</p>\x00\x00\x01\x02" * 50), "binary"),
        (raw_post(html="<p>" + "word " * (MAX_HTML_CHARS // 5) + "</p>"), "too large"),
    ],
)
def test_unusable_records_are_rejected_with_a_reason(record: RawPost | RawComment, reason: str) -> None:
    with pytest.raises(RejectedRecord) as caught:
        clean_record(record)
    assert caught.value.reason.startswith(reason)
    assert str(caught.value) == caught.value.reason


# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My therapist keeps asking whether I feel abandoned when she takes her vacations.", "en"),
        ("Mi terapeuta está de vacaciones todo el mes de agosto y me siento abandonada.", "es"),
        ("Meine Therapeutin ist im August drei Wochen im Urlaub, und ich fühle mich verlassen.", "de"),
        ("Mon psychanalyste part en vacances tout le mois d'août et je me sens abandonnée.", "fr"),
        ("my therapist is on vacation", "en"),  # short, with English function words
        ("Thanks!", None),  # too short to tell
        ("Merci beaucoup", None),
        ("", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_non_english_comment_is_kept_with_its_language() -> None:
    doc = clean_record(raw_comment(html="<p>Mi terapeuta está de vacaciones todo el mes de agosto y me siento abandonada.</p>"))
    assert doc.lang == "es"


def test_language_detection_is_repeatable() -> None:
    text = "Lithium levels, kidney function and thyroid tests: the yearly routine with my psychiatrist."
    assert {detect_language(text) for _ in range(5)} == {"en"}


# --- authors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "display", "key"),
    [
        ("Anonymous", ANONYMOUS, "anonymous"),
        ("anonymous", ANONYMOUS, "anonymous"),
        ("Anon", ANONYMOUS, "anonymous"),
        ("", ANONYMOUS, "anonymous"),
        (None, ANONYMOUS, "anonymous"),
        ("Unknown", ANONYMOUS, "anonymous"),
        ("  ", ANONYMOUS, "anonymous"),
        ("Sarebear said...", "Sarebear", "sarebear"),
        ("Dr.  Kat", "Dr. Kat", "drkat"),
        ("José Pérez", "José Pérez", "joseperez"),
        ("ClinkShrink", "ClinkShrink", "clinkshrink"),
    ],
)
def test_author_display_and_key(name: str | None, display: str, key: str) -> None:
    assert (display_name(name), author_key(name)) == (display, key)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Sarebear", "sarebear", "SAREBEAR", "Sarebear said..."],
        ["moviedoc", "MovieDoc", "Movie Doc"],
        ["Dr. Kat", "Dr Kat", "dr kat", "Dr.Kat"],
        ["Jose", "José", "JOSÉ"],
    ],
)
def test_one_persons_spellings_share_a_key(spellings: list[str]) -> None:
    assert len({author_key(name) for name in spellings}) == 1


@pytest.mark.parametrize(
    ("comment_author", "post_author", "role"),
    [
        ("dinah", "Dinah", "blogger"),
        ("Dinah said...", "Dinah", "blogger"),
        ("Sarebear", "Dinah", "commenter"),
        ("Anonymous", "Anonymous", "commenter"),  # two anonymous people are not one person
        ("Dinah", None, "commenter"),  # post author unknown
    ],
)
def test_comment_role(comment_author: str, post_author: str | None, role: str) -> None:
    assert clean_record(raw_comment(author=comment_author), post_author=post_author).author_role == role


def test_post_is_by_a_blogger_even_when_anonymous() -> None:
    doc = clean_record(raw_post(author=None))
    assert (doc.author, doc.author_key, doc.author_role) == ("Anonymous", "anonymous", "blogger")


# --- the document ------------------------------------------------------------------------


def test_post_document_fields() -> None:
    doc = clean_record(raw_post(labels=["psychotherapy", " ", "transference"], published="2008-03-01T09:05:00-05:00"))
    assert isinstance(doc, Document)
    assert doc.id == doc.post_id == post_doc_id(POST_URL)
    assert (doc.kind, doc.url, doc.title, doc.parent_id) == ("post", POST_URL, "You May Leave Now", None)
    assert (doc.author, doc.author_key, doc.author_role) == ("Dinah", "dinah", "blogger")
    assert doc.published == datetime(2008, 3, 1, 14, 5, tzinfo=timezone.utc)
    assert doc.labels == ["psychotherapy", "transference"]
    assert doc.lang == "en"
    assert doc.themes == [] and doc.taxonomy_version is None


@pytest.mark.parametrize(
    ("platform", "fragment"),
    [("blogger", "#c900101"), ("wordpress", "#comment-900101"), ("generic", "#comment-900101")],
)
def test_comment_document_links_to_post_and_parent(platform: str, fragment: str) -> None:
    doc = clean_record(raw_comment(platform=platform, parent_id="900100"), post_author="Dinah")
    assert doc.id == comment_doc_id(POST_URL, "900101")
    assert doc.post_id == post_doc_id(POST_URL)
    assert doc.parent_id == comment_doc_id(POST_URL, "900100")
    assert doc.url == POST_URL + fragment
    assert (doc.kind, doc.title, doc.position) == ("comment", "You May Leave Now", 2)


def test_top_level_comment_has_no_parent() -> None:
    assert clean_record(raw_comment(parent_id=None)).parent_id is None


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2008-03-01T09:05:00-05:00", datetime(2008, 3, 1, 14, 5, tzinfo=timezone.utc)),
        ("March 1, 2008 at 2:05 PM", datetime(2008, 3, 1, 14, 5, tzinfo=timezone.utc)),
        ("Saturday, March 1, 2008 9:05:00 AM EST", datetime(2008, 3, 1, 14, 5, tzinfo=timezone.utc)),
        (datetime(2008, 3, 1, 14, 5), datetime(2008, 3, 1, 14, 5, tzinfo=timezone.utc)),
        ("yesterday", None),  # relative dates depend on the clock: not parsed
        ("March 2008", None),  # no day
        ("", None),
        (None, None),
    ],
)
def test_to_utc(value: datetime | str | None, expected: datetime | None) -> None:
    assert to_utc(value) == expected


# --- near duplicates ---------------------------------------------------------------------

LONG = (
    "In traditional psychoanalytic practices the analysis of the transference is a central theme "
    "to treatment: it means looking at the relationship with the therapist as a way of understanding "
    "feelings the patient carries with him from past relationships."
)


def _doc(doc_id: str, text: str) -> Document:
    return clean_record(raw_comment(id=doc_id, html=f"<p>{text}</p>"))


def test_near_duplicates_point_to_the_first_seen() -> None:
    index = NearDuplicateIndex()
    first = _doc("1", LONG)
    assert index.check(first) is None
    assert index.check(_doc("2", LONG.replace("central", "key"))) == first.id
    assert index.check(_doc("3", LONG + " Indeed.")) == first.id
    assert len(index) == 1  # duplicates are not stored


def test_different_texts_short_texts_and_recrawls_are_not_duplicates() -> None:
    index = NearDuplicateIndex()
    first = _doc("1", LONG)
    index.check(first)
    other = "Lithium levels, kidney function and thyroid tests are checked every year by my psychiatrist, who is careful."
    assert index.check(_doc("2", other)) is None
    assert index.check(_doc("3", "Great post, thanks!")) is None
    assert index.check(_doc("4", "Great post, thanks!")) is None
    assert index.check(first) is None  # the same document again


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_suspicious_count_counts_what_the_character_test_says(text):
    from shrinksearch.clean.text import _suspicious, suspicious_count
    assert suspicious_count(text) == sum(1 for char in text if _suspicious(char))
