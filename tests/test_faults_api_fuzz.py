"""The search API fuzzed with hypothesis against the real app and the real node: whatever a
caller sends (random unicode, query operators, control characters, emoji, 10k-character
strings, bad filters, dates and page numbers), the answer is never a 5xx.

The app is ``shrinksearch.web.create_app`` over a small indexed alias of its own
(``search_fixtures.small_network``), called through Starlette's TestClient in process.
"""

from __future__ import annotations

import string
import uuid
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_fixtures import TINY_THEMES, drop_alias, index_into, small_network
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings
from shrinksearch.web import create_app

OPERATORS = list('"+-|*~()\\/:^{}[]!?&<>=,;.\'`@#$%') + ["&&", "||", "AND", "OR", "NOT", "*:*", "_exists_:x", "\\\\"]
CONTROL = [chr(c) for c in (*range(0, 32), 127, *range(0x80, 0xa0))] + ["\u200b", "\u202e", "\ufeff", "\ufffd"]
EMOJI = ["😀", "🧠", "💊", "👩‍⚕️", "🏳️‍🌈", "\U0001f9d1\U0001f3fd"]
WORDS = ["who", "discusses", "transference", "and", "or", "vacations", "lithium", "both", "which", "posts",
         "comments", "what", "do", "commenters", "say", "about", "plus", "as", "well", "Dinah", "the"]

token = st.one_of(st.sampled_from(OPERATORS + CONTROL + EMOJI + WORDS), st.text(max_size=8))
operator_soup = st.lists(token, max_size=40).flatmap(lambda parts: st.sampled_from(["", " "]).map(lambda sep: sep.join(parts)))
URL_BYTES = 60_000  # the client refuses URLs over 64 KiB (servers and proxies allow less)


def repeated(part: str, n: int) -> str:
    """``part`` repeated to ``n`` characters, cut to what fits a URL once percent-encoded."""
    text = (part * n)[:n]
    return text[: n * URL_BYTES // len(quote(text))] if len(quote(text)) > URL_BYTES else text


huge = st.builds(repeated, st.sampled_from(["a", "é", "😀", "+", '"', "\\", "ab ", "-x ", "\x00"]), st.integers(400, 10_000))
query_text = st.one_of(st.text(max_size=80), operator_soup, huge, st.text(alphabet=string.printable, max_size=500))

junk = st.one_of(st.text(max_size=20), st.sampled_from(["", "-1", "0", "1e9", "NaN", "99999999999999999999", "null", "[]"]))
out_of_range = st.one_of(st.integers(-10, 0), st.integers(101, 10**13), st.integers(10**19, 10**40)).map(str)
odd_dates = st.sampled_from(["2020-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2020-1-1", "yesterday", "2020-01-01T00:00:00Z",
                             "1970-01-01", "20200101", "2020-W01"])
texts = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["shrink-notes", "dinah", "transference", "*", "\x00", "a" * 5000])),
                 max_size=3)
dates = st.dates().map(lambda d: d.isoformat())

# Each parameter's usable values; the test draws a valid request, then spoils 0-2 of them.
VALID = {
    "blog": texts, "author": texts, "theme": texts,  # any text is a valid filter value
    "role": st.sampled_from(["blogger", "commenter"]), "kind": st.sampled_from(["post", "comment"]),
    "since": dates, "until": dates,
    "sort": st.sampled_from(["relevance", "date"]), "page": st.integers(1, 30).map(str), "size": st.integers(1, 100).map(str),
    "mode": st.sampled_from(["lexical", "lexical", "hybrid"]), "limit": st.integers(1, 100).map(str),
    "interval": st.sampled_from(["month", "quarter", "year"]), "top": st.integers(1, 20).map(str), "themes": texts,
}
SPOILED = {name: st.one_of(junk, odd_dates if name in ("since", "until") else out_of_range) for name in VALID}
FILTERS = ("blog", "author", "theme", "role", "kind", "since", "until")


@st.composite
def request_params(draw: st.DrawFn, *names: str) -> dict:
    """Parameters for one request: some of ``names`` (filters optional), 0-2 of them spoiled."""
    params = {n: draw(VALID[n]) for n in names if n not in FILTERS or draw(st.booleans())}
    for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        params[name] = draw(SPOILED[name])
    return params


@pytest.fixture(scope="module")
def api(es_client: Elasticsearch) -> Iterator[TestClient]:
    alias = f"sstest-fuzz-{uuid.uuid4().hex[:8]}"
    index_into(es_client, alias, list(small_network().values()))
    app = create_app(get_settings(), SearchService(es_client, alias, TINY_THEMES))
    yield TestClient(app, raise_server_exceptions=False)
    drop_alias(es_client, alias)


STATUSES: Counter[tuple[str, int]] = Counter()


def check(endpoint: str, response) -> None:  # noqa: ANN001
    STATUSES[(endpoint, response.status_code)] += 1
    assert response.status_code < 500, (response.request.url, response.status_code, response.text[:500])
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str) and body["error"], body


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(q=query_text, params=request_params(*FILTERS, "sort", "page", "size", "mode"))
def test_search_never_answers_5xx(api, q, params):
    check("search", api.get("/api/search", params={"q": q, **params}))


@FUZZ
@given(q=query_text, params=request_params(*FILTERS, "limit"))
def test_who_never_answers_5xx(api, q, params):
    check("who", api.get("/api/who", params={"q": q, **params}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facets=request_params(*FILTERS), timeline=request_params(*FILTERS, "themes", "interval", "top"),
       post_id=st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["p-", "..", "%2F", "_search", "*", "a" * 5000])))
def test_browse_endpoints_never_answer_5xx(api, facets, timeline, post_id):
    check("facets", api.get("/api/facets", params=facets))
    check("timeline", api.get("/api/themes/timeline", params=timeline))
    check("thread", api.get("/api/thread/" + quote(post_id, safe="")))


def test_the_fuzzing_reached_elasticsearch():
    """Enough requests were answered (200), not all refused at parameter or query parsing."""
    for endpoint, least in (("search", 15), ("who", 15), ("facets", 10), ("timeline", 10)):
        assert STATUSES[(endpoint, 200)] >= least, (endpoint, sorted(STATUSES.items()))
