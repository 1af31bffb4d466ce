"""parse_query: the one function user search text goes through, as a table of cases."""

from __future__ import annotations

import pytest

from shrinksearch.exceptions import QueryError
from shrinksearch.search.query import MAX_QUERY_CHARS, parse_query

# text -> (intent, concepts, required, excluded, match_all, role)
CASES = [
    ("who discusses transference and vacations", ("who", ["transference", "vacations"], [], [], True, None)),
    ("Who talks about sleep & antidepressants?", ("who", ["sleep", "antidepressants"], [], [], True, None)),
    ("who writes about transference, vacations, and abandonment",
     ("who", ["transference", "vacations", "abandonment"], [], [], True, None)),
    ("who discusses both transference and vacations", ("who", ["transference", "vacations"], [], [], True, None)),
    ("who is talking about the therapeutic relationship",
     ("who", ["therapeutic relationship"], [], [], True, None)),
    ("which bloggers write about lithium", ("who", ["lithium"], [], [], True, "blogger")),
    ("which commenters mention insurance", ("who", ["insurance"], [], [], True, "commenter")),
    ("which posts discuss involuntary commitment, prisons",
     ("posts", ["involuntary commitment", "prisons"], [], [], True, None)),
    ("what do commenters say about lithium or valproate",
     ("comments", ["lithium or valproate"], [], [], True, None)),
    ("transference vacations", ("search", ["transference", "vacations"], [], [], False, None)),
    ("transference and vacations", ("search", ["transference", "vacations"], [], [], True, None)),
    ('"time off" therapist', ("search", ["therapist", '"time off"'], [], [], False, None)),
    ("“time off” -cbt +lithium", ("search", ['"time off"'], ["lithium"], ["cbt"], False, None)),
    ('who discusses "feelings about the therapist" and holidays',
     ("who", ['"feelings about the therapist"', "holidays"], [], [], True, None)),
    ('unterminated "time off', ("search", ["unterminated", '"time off"'], [], [], False, None)),
    ("comments", ("search", ["comments"], [], [], False, None)),
    ("the blog of dinah", ("search", ["blog", "dinah"], [], [], False, None)),
    ("title:foo OR bar* (baz) ~2 \\ /", ("search", ["title", "foo", "bar", "baz", "2"], [], [], False, None)),
    ("<script>alert(1)</script>", ("search", ["script", "alert", "1"], [], [], False, None)),
    ("time-off", ("search", ["time-off"], [], [], False, None)),
    ("don't stop", ("search", ["don't", "stop"], [], [], False, None)),
    ("lithium or valproate", ("search", ["lithium", "valproate"], [], [], False, None)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_query(text, expected):
    parsed = parse_query(text)
    got = (parsed.intent, [c.label for c in parsed.concepts], [t.text for t in parsed.required],
           [t.text for t in parsed.excluded], parsed.match_all, parsed.role)
    assert got == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("-cbt", "nothing to search for"),
        ("- ? !", "nothing to search for"),
        ("who discusses", "does not say about what"),
        ("who talks about the", "does not say about what"),
        ("x" * (MAX_QUERY_CHARS + 1), "too long"),
        (" and ".join(f"w{i}" for i in range(9)), "too many concepts"),
    ],
)
def test_unusable_queries_say_what_to_do(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "simple"),
    [
        ('"time off" therapist -cbt', 'therapist "time off"'),
        ("a | b + c", "b c"),  # operators typed by the user never reach simple_query_string
        ('who discusses "the frame" and vacations', '"the frame" vacations'),
    ],
)
def test_simple_query_string_carries_only_words_and_phrases(text, simple):
    assert parse_query(text).simple_query() == simple
