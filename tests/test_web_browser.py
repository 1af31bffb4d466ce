"""The web page in a real headless Chromium (Debian's), served by uvicorn on 127.0.0.1.

Search, open a result's thread, and check that crawled text carrying <script> and
onerror= payloads (in title, text and author name) renders as inert text; open a shared
``/?q=…`` link; download a search and a "who" answer through the Export links.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from elasticsearch import Elasticsearch
from playwright.sync_api import Browser, Page, expect

from sample_index import SampleIndex, indexed_samples  # noqa: F401  (session fixture)
from search_fixtures import TINY_THEMES, drop_alias, index_into, small_network
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings
from shrinksearch.web import create_app

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def docs():
    return small_network()


@contextmanager
def _serving(service: SearchService) -> Iterator[str]:
    """The app over ``service``, served by uvicorn in a thread on a free port."""
    app = create_app(get_settings(), service)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(es_client: Elasticsearch, docs) -> Iterator[str]:
    """The app over a module-wide alias with the small network."""
    alias = f"sstest-web-{uuid.uuid4().hex[:10]}"
    index_into(es_client, alias, list(docs.values()))
    try:
        with _serving(SearchService(es_client, alias, TINY_THEMES)) as url:
            yield url
    finally:
        drop_alias(es_client, alias)


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    """The shared headless Chromium of tests/conftest.py (one Playwright per module)."""
    return chromium


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(server + "/")
    yield page
    context.close()
    assert not errors, errors


def _search(page: Page, text: str) -> None:
    page.fill("#q", text)
    page.click("#go")
    expect(page.locator("#status")).not_to_have_text("Searching…")


def test_search_shows_highlighted_results_and_facets(page: Page):
    _search(page, "vacation")
    expect(page.locator("#status")).to_contain_text("posts and comments")
    assert page.locator("#hits li.hit").count() >= 3
    assert page.locator("#hits .snippet em").first.inner_text().lower() in {"vacation", "vacations", "holiday"}
    expect(page.locator('#facets [data-facet="blog"] button').first).to_be_visible()


def test_who_question_lists_people_with_evidence(page: Page, docs):
    _search(page, "who discusses transference and vacations")
    people = page.locator("#people-list > li.person")
    expect(people.first).to_be_visible()
    keys = [people.nth(i).get_attribute("data-key") for i in range(2)]
    assert set(keys) == {"dinah", f"anonymous@{docs['anon_leave'].id}"}
    expect(people.first.locator(".evidence .snippet em").first).to_be_visible()


def test_facet_click_filters(page: Page):
    _search(page, "vacation")
    page.locator('#facets [data-facet="kind"] button', has_text="comment").click()
    expect(page.locator("#active-filters button")).to_contain_text("kind: comment")
    expect(page.locator("#hits .hit h4 .badge", has_text="post")).to_have_count(0)
    assert set(page.locator("#hits .hit h4 .badge").all_inner_texts()) == {"comment"}


def test_click_a_result_opens_its_thread_with_nested_replies(page: Page, docs):
    _search(page, "holiday")
    page.locator(f'#hits li[data-id="{docs["clink_vac"].id}"] a.open-thread').click()
    expect(page.locator("#thread-view")).to_be_visible()
    expect(page.locator("#thread-post h2")).to_have_text("Transference and the Vacation Question")
    focus = page.locator(".comment.focus")
    expect(focus).to_have_attribute("data-id", docs["clink_vac"].id)
    nested = page.locator(f'.comment[data-id="{docs["clink_vac"].id}"] + ol.comments .comment').first
    expect(nested).to_have_attribute("data-id", docs["roy_reply"].id)
    page.click("#back")
    expect(page.locator("#results-view")).to_be_visible()


def test_xss_payloads_render_as_inert_text(page: Page, docs):
    _search(page, "vacation tips")
    item = page.locator(f'#hits li[data-id="{docs["xss"].id}"]')
    expect(item).to_be_visible()
    expect(item.locator("h4")).to_contain_text("<script>window.__pwned=1</script>")
    expect(item.locator(".meta").first).to_contain_text("<img src=x onerror=alert(1)>")
    expect(item.locator(".snippet").first).to_contain_text("<img src=x")
    item.locator("a.open-thread").click()
    expect(page.locator("#thread-post .text")).to_contain_text("<script>window.__pwned=1</script>")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img, main script").count() == 0


def test_seed_question_on_the_sample_network(browser: Browser, indexed_samples: SampleIndex):
    with _serving(indexed_samples.service) as url:
        page = browser.new_page()
        page.goto(url + "/#q=" + "who discusses transference and vacations".replace(" ", "+"))
        people = page.locator("#people-list > li.person")
        expect(people.nth(1)).to_be_visible()
        expect(people.nth(0).locator("h4").first).to_have_text("Dinah")
        expect(people.nth(1).locator("h4").first).to_have_text("Anonymous (on “You May Leave Now”)")
        expect(people.nth(1).locator(".quoted-in")).to_contain_text("Transference and the Vacation Question")
        expect(page.locator("#chart svg polyline").first).to_be_attached()
        page.close()


def test_a_query_string_link_opens_that_search_and_back_still_works(browser: Browser, server: str, docs):
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(server + "/?q=vacation&kind=comment")
    expect(page.locator("#status")).to_contain_text("posts and comments about vacation")
    expect(page.locator("#q")).to_have_value("vacation")
    expect(page.locator("#active-filters button")).to_contain_text("kind: comment")
    assert set(page.locator("#hits .hit h4 .badge").all_inner_texts()) == {"comment"}
    assert page.evaluate("window.location.search") == ""  # the state moved into the hash
    assert page.evaluate("window.location.hash") == "#q=vacation&kind=comment"
    _search(page, "lithium")
    expect(page.locator("#q")).to_have_value("lithium")
    page.go_back()
    expect(page.locator("#q")).to_have_value("vacation")
    expect(page.locator("#active-filters button")).to_contain_text("kind: comment")
    page.close()


def test_export_link_downloads_the_current_search_as_csv(page: Page):
    _search(page, "vacation")
    page.locator('#facets [data-facet="kind"] button', has_text="comment").click()
    expect(page.locator("#active-filters button")).to_contain_text("kind: comment")
    expect(page.locator("#status")).to_contain_text("posts and comments about")
    shown = int(page.locator("#status").inner_text().split()[0])
    link = page.locator("#export-csv")
    expect(link).to_have_attribute("href", re.compile(r"^/api/export\?q=vacation&kind=comment&format=csv$"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "shrinksearch-vacation.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == shown and {r["kind"] for r in rows} == {"comment"}
    assert [r["id"] for r in rows[:3]] == [page.locator("#hits li.hit").nth(i).get_attribute("data-id") for i in range(min(3, shown))]


def test_people_export_link_carries_the_who_question(page: Page, docs):
    _search(page, "who discusses transference and vacations")
    expect(page.locator("#people-list > li.person").first).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#export-people-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    shown = [p.get_attribute("data-key") for p in page.locator("#people-list > li.person").all()]
    assert list(dict.fromkeys(r["person_key"] for r in rows)) == shown  # the same people, in the same order
    assert len(rows) == page.locator("#people-list .evidence-hit").count()  # a row per piece of evidence shown
