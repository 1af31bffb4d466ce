"""parse_query: the one function user search text goes through, as a table of cases."""

from __future__ import annotations

import pytest

from shrinksearch.exceptions import QueryError
from shrinksearch.search.query import MAX_QUERY_CHARS, parse_query

# text -> (intent, terms, concepts, required, excluded, avoided, role)
CASES = [
    ("who discusses transference and vacations",
     ("who", ["transference", "vacations"], ["transference", "vacations"], [], [], [], None)),
    ("Who talks about sleep & antidepressants?", ("who", ["sleep", "antidepressants"], ["sleep", "antidepressants"], [], [], [], None)),
    ("who writes about transference, vacations, and abandonment",
     ("who", ["transference", "vacations", "abandonment"], ["transference", "vacations", "abandonment"], [], [], [], None)),
    ("who discusses both transference and vacations",
     ("who", ["transference", "vacations"], ["transference", "vacations"], [], [], [], None)),
    ("who is talking about the therapeutic relationship",
     ("who", ["therapeutic", "relationship"], ["therapeutic relationship"], [], [], [], None)),
    ("which bloggers write about lithium", ("who", ["lithium"], ["lithium"], [], [], [], "blogger")),
    ("which commenters mention insurance", ("who", ["insurance"], ["insurance"], [], [], [], "commenter")),
    ("which posts discuss involuntary commitment, prisons",
     ("posts", ["involuntary", "commitment", "prisons"], ["involuntary commitment", "prisons"], [], [], [], None)),
    ("what do commenters say about lithium or valproate",
     ("comments", ["lithium", "valproate"], ["lithium or valproate"], [], [], [], None)),
    ("transference vacations", ("search", ["transference", "vacations"], ["transference vacations"], [], [], [], None)),
    ("transference and vacations", ("search", ["transference", "vacations"], ["transference", "vacations"], [], [], [], None)),
    ('"time off" therapist', ("search", ['"time off"', "therapist"], ["therapist", '"time off"'], [], [], [], None)),
    ("“time off” -cbt +lithium", ("search", ['"time off"'], ['"time off"'], ["lithium"], ["cbt"], [], None)),
    ('unterminated "time off', ("search", ["unterminated", '"time off"'], ["unterminated", '"time off"'], [], [], [], None)),
    ("comments", ("search", ["comments"], ["comments"], [], [], [], None)),
    ("the blog of dinah", ("search", ["blog", "dinah"], ["blog dinah"], [], [], [], None)),
    ("title:foo OR bar* (baz) ~2 \\ /", ("search", ["title", "foo", "bar", "baz", "2"], ["title", "foo or bar", "baz", "2"], [], [], [], None)),
    ("time-off", ("search", ["time-off"], ["time-off"], [], [], [], None)),
    ("don't stop", ("search", ["don't", "stop"], ["don't stop"], [], [], [], None)),
    ("lithium or valproate", ("search", ["lithium", "valproate"], ["lithium or valproate"], [], [], [], None)),
    # lists after a colon: every item its own concept, every word kept, nothing glued
    ("benzodiazepines: Xanax, Valium, withdrawal and dependence",
     ("search", ["benzodiazepines", "xanax", "valium", "withdrawal", "dependence"],
      ["benzodiazepines", "xanax", "valium", "withdrawal", "dependence"], [], [], [], None)),
    ("forensic evaluations, expert witnesses and malingering",
     ("search", ["forensic", "evaluations", "expert", "witnesses", "malingering"],
      ["forensic evaluations", "expert witnesses", "malingering"], [], [], [], None)),
    # question words go, the question's own words stay; decimals stay whole
    ("how many committee members voted against the drug at the FDA hearing?",
     ("search", ["committee", "members", "voted", "against", "drug", "fda", "hearing"],
      ["committee members voted against drug fda hearing"], [], [], [], None)),
    ("what is the difference between erotic and eroticized transference?",
     ("search", ["erotic", "eroticized", "transference"], ["erotic", "eroticized transference"], [], [], [], None)),
    ("according to the dietitian, how long does recovery take?",
     ("search", ["dietitian", "long", "recovery"], ["dietitian", "long recovery"], [], [], [], None)),
    ("I took 37.5 mg of it.", ("search", ["took", "37.5", "mg"], ["took 37.5 mg"], [], [], [], None)),
    # natural negations push down, they do not filter; a "not" inside a clause is what is said
    ("psychedelic-assisted therapy but not ketamine",
     ("search", ["psychedelic-assisted", "therapy"], ["psychedelic-assisted therapy"], [], [], ["ketamine"], None)),
    ("depression: therapy or medication? but not ketamine",
     ("search", ["depression", "therapy", "medication"], ["depression", "therapy or medication"], [], [], ["ketamine"], None)),
    ("weight gain from antipsychotics, not lithium",
     ("search", ["weight", "gain", "antipsychotics"], ["weight gain antipsychotics"], [], [], ["lithium"], None)),
    ("who writes about love, not as a therapist or an advice columnist",
     ("who", ["love"], ["love"], [], [], ["therapist advice columnist"], None)),
    ("a doctor who did not reach the pharmacy",
     ("search", ["doctor", "who", "not", "reach", "pharmacy"], ["doctor who not reach pharmacy"], [], [], [], None)),
    ("not guilty by reason of insanity",
     ("search", ["not", "guilty", "reason", "insanity"], ["not guilty reason insanity"], [], [], [], None)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_query(text, expected):
    parsed = parse_query(text)
    got = (parsed.intent, [f'"{t.text}"' if t.phrase else t.text for t in parsed.terms], [c.label for c in parsed.concepts],
           [t.text for t in parsed.required], [t.text for t in parsed.excluded], [t.text for t in parsed.avoided], parsed.role)
    assert got == expected


def test_a_long_question_is_never_refused():
    text = ", ".join(f"concept{i}" for i in range(13)) + " and a few more words about them?"
    parsed = parse_query(text)
    assert len(parsed.concepts) >= 13 and "concept12" in parsed.plain_text()


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
    ],
)
def test_unusable_queries_say_what_to_do(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('"time off" therapist -cbt', "time off therapist"),
        ("a | b + c", "b c"),  # operators typed by the user never reach a query
        ('who discusses "the frame" and vacations', "the frame vacations"),
    ],
)
def test_the_floor_gets_the_words_and_nothing_else(text, plain):
    assert parse_query(text).plain_text() == plain
