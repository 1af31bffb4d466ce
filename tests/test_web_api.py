"""The HTTP JSON API on the real node: answers, OpenAPI, and clear 4xx for bad requests."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from search_fixtures import TINY_THEMES, index_into, small_network
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings
from shrinksearch.web import create_app, opensearch


@pytest.fixture
def docs():
    return small_network()


@pytest.fixture
def client(es_client: Elasticsearch, test_alias: str, docs) -> TestClient:
    index_into(es_client, test_alias, list(docs.values()))
    app = create_app(get_settings(), SearchService(es_client, test_alias, TINY_THEMES))
    return TestClient(app, raise_server_exceptions=False)


def test_search(client, docs):
    body = client.get("/api/search", params={"q": "vacations", "size": 2}).json()
    assert body["total"] >= 3 and len(body["hits"]) == 2 and body["page"] == 1
    hit = body["hits"][0]
    assert {"id", "kind", "url", "post_url", "author", "score", "snippets"} <= set(hit)
    assert body["query"]["intent"] == "search" and body["expansions"][0]["themes"] == ["therapist-absence"]
    assert {f["value"] for f in body["facets"]["kind"]} <= {"post", "comment"}


def test_search_filters_and_paging(client, docs):
    first = client.get("/api/search", params={"q": "vacation", "size": 1, "page": 1}).json()
    second = client.get("/api/search", params={"q": "vacation", "size": 1, "page": 2}).json()
    assert first["hits"][0]["id"] != second["hits"][0]["id"]
    only = client.get("/api/search", params={"q": "vacation", "blog": "shrink-notes", "role": "commenter"}).json()
    assert {h["blog"] for h in only["hits"]} == {"shrink-notes"}
    assert {h["author_role"] for h in only["hits"]} == {"commenter"}


def test_who(client, docs):
    body = client.get("/api/who", params={"q": "who discusses transference and vacations"}).json()
    keys = [p["key"] for p in body["people"][:2]]
    assert set(keys) == {"dinah", f"anonymous@{docs['anon_leave'].id}"}
    assert body["people"][0]["evidence"][0]["snippets"]
    assert "Anonymous" in body["note"]


def test_thread(client, docs):
    body = client.get(f"/api/thread/{docs['seed'].id}").json()
    assert body["post"]["id"] == docs["seed"].id and body["post"]["text"]
    assert body["comments"][0]["replies"][0]["comment"]["author"] == "Roy"


def test_facets_timeline_health_and_openapi(client):
    assert {f["value"] for f in client.get("/api/facets").json()["role"]} == {"blogger", "commenter"}
    timeline = client.get("/api/themes/timeline", params={"interval": "year"}).json()
    assert timeline["interval"] == "year"
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"]["post"] == 6
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/who", "/api/thread/{post_id}", "/api/facets", "/api/themes/timeline"} <= set(spec["paths"])
    assert {"SearchPage", "WhoResult", "Person", "Thread", "ThreadNode", "Hit"} <= set(spec["components"]["schemas"])


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/api/search", {"q": "   "}, 400, "empty query"),
        ("/api/search", {}, 422, "q: Field required"),
        ("/api/search", {"q": "x", "size": 1000}, 422, "size"),
        ("/api/search", {"q": "x", "page": 2000}, 400, "narrow the query"),
        ("/api/search", {"q": "x", "since": "yesterday"}, 422, "since"),
        ("/api/search", {"q": "x", "since": "2020-02-01", "until": "2020-01-01"}, 400, "date range is empty"),
        ("/api/search", {"q": "x", "role": "admin"}, 422, "role"),
        ("/api/search", {"q": "x" * 600}, 400, "too long"),
        ("/api/who", {"q": "who discusses"}, 400, "does not say about what"),
        ("/api/thread/nope", {}, 400, "no post with id"),
        ("/api/themes/timeline", {"interval": "week"}, 422, "interval"),
        ("/api/nowhere", {}, 404, "Not Found"),
    ],
)
def test_bad_requests_get_a_clear_4xx(client, path, params, status, message):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_index_missing_is_503_with_the_fix(es_client):
    app = create_app(get_settings(), SearchService(es_client, "sstest-no-such-alias", TINY_THEMES))
    response = TestClient(app).get("/api/search", params={"q": "vacation"})
    assert response.status_code == 503 and "index init" in response.json()["error"]
    assert TestClient(app).get("/healthz").status_code == 503


def test_page_is_served_with_a_strict_csp(client):
    response = client.get("/")
    assert response.status_code == 200 and "<input id=\"q\"" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200


def test_opensearch_description_points_browsers_at_this_server(client):
    page = client.get("/")
    assert '<link rel="search" type="application/opensearchdescription+xml"' in page.text and 'href="/opensearch.xml"' in page.text
    response = client.get("/opensearch.xml", headers={"host": "search.example.org:8080"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("os:ShortName", namespaces=ns) == "shrinksearch"
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://search.example.org:8080/?q={searchTerms}"
    assert templates["application/json"] == "http://search.example.org:8080/api/search?q={searchTerms}"


def test_opensearch_description_keeps_an_odd_base_url_inside_its_attribute():
    base = 'http://evil"><x a="&/'
    root = ElementTree.fromstring(opensearch.description(base))
    html = next(u for u in root if u.get("type") == "text/html")
    assert html.get("template") == base + "?q={searchTerms}"
    assert root.find("{http://a9.com/-/spec/opensearch/1.1/}x") is None
