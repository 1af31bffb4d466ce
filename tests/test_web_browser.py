"""The web page in a real headless Chromium (Debian's), served by uvicorn on 127.0.0.1.

Search, open a result's thread, and check that crawled text carrying <script> and
onerror= payloads (in title, text and author name) renders as inert text.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
