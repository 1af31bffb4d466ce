"""Elasticsearch with security on and a wrong password: every way in (the search CLI, the
index CLI, the JSON API, the indexing flow) says in one line that the credentials were
refused and what to set, and neither the wrong nor the right password appears in any
output, log record, JSON error, Prefect run log or node log.

``test_node.py`` covers the node itself (`node status` with a wrong password); this module
runs a secured node of its own (``faults_support.own_node``).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prefect import flow
from typer.testing import CliRunner

from faults_support import own_node
from flows.tasks import index_documents
from shrinksearch.cli import app
from shrinksearch.node import NodeManager
from shrinksearch.settings import get_settings
from shrinksearch.web import create_app

pytestmark = pytest.mark.faults

RIGHT = "right-Horse-battery-7"
WRONG = "wrong-Staple-q9"
SECRETS = [RIGHT, WRONG, *(base64.b64encode(f"elastic:{p}".encode()).decode() for p in (RIGHT, WRONG))]
REFUSED = "refused the credentials of user 'elastic'; set SHRINKSEARCH_ES_USERNAME and SHRINKSEARCH_ES_PASSWORD."


def assert_no_secret(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"password (or its basic-auth form) in: {text[:300]!r}"


@pytest.fixture(scope="module")
def secured() -> Iterator[NodeManager]:
    with own_node(node_security=True, es_password=RIGHT) as node:
        yield node


@pytest.fixture
def password(secured: NodeManager, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):  # noqa: ANN201
    """Point the settings at the secured node; call with the password to use. Every log
    record of the test is checked for the passwords afterwards."""
    caplog.set_level(logging.DEBUG)

    def use(value: str) -> None:
        monkeypatch.setenv("SHRINKSEARCH_ES_URL", secured.url)
        monkeypatch.setenv("SHRINKSEARCH_ES_PASSWORD", value)
        monkeypatch.setenv("SHRINKSEARCH_INDEX_ALIAS", "secured")
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()
    for record in caplog.records:
        assert_no_secret(record.getMessage())
        assert_no_secret(str(record.exc_info[1]) if record.exc_info else "")


def cli(*args: str) -> tuple[int, str]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_right_password_works(password):
    password(RIGHT)
    code, output = cli("index", "init")
    assert code == 0, output
    assert_no_secret(output)


@pytest.mark.parametrize("args", [
    ("search", "transference"),
    ("search", "transference", "--json"),
    ("who", "who discusses transference and vacations"),
    ("who", "who discusses transference and vacations", "--json"),
    ("index", "status"),
    ("index", "init"),
])
def test_cli_says_the_credentials_were_refused(password, secured, args):
    password(WRONG)
    code, output = cli(*args)
    assert (code, output) == (1, f"Error: Elasticsearch at {secured.url} {REFUSED}\n")


@pytest.mark.parametrize("path", [
    "/api/search?q=transference", "/api/who?q=who+discusses+transference+and+vacations", "/api/facets",
    "/api/thread/p-1", "/api/themes/timeline", "/healthz",
])
def test_api_answers_503_with_the_fix(password, secured, path):
    password(WRONG)
    response = TestClient(create_app(get_settings()), raise_server_exceptions=False).get(path)
    assert response.status_code == 503
    assert response.json()["error"] == f"Elasticsearch at {secured.url} {REFUSED}"
    assert_no_secret(response.text + str(response.headers))


def test_index_flow_fails_at_once_with_the_fix(password, secured, prefect_api, tmp_path: Path):
    password(WRONG)
    enriched = tmp_path / "enriched.jsonl"
    enriched.write_text("")

    @flow
    def index_with_a_wrong_password() -> object:
        return index_documents(enriched, return_state=True)

    state = index_with_a_wrong_password(return_state=True)
    task_state = state.result(raise_on_failure=False)
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    task_run = httpx.get(f"{prefect_api}/task_runs/{task_state.state_details.task_run_id}").json()
    logs = httpx.post(f"{prefect_api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [str(state.state_details.flow_run_id)]}}}).json()
    text = "\n".join(log["message"] for log in logs)
    assert state.is_failed() and task_run["run_count"] == 1, "a refused password is not worth retrying"
    assert REFUSED in task_state.message and REFUSED in text
    assert_no_secret(task_state.message + text)


def test_node_logs_never_show_a_password(secured):
    # After the tests above: the node has logged every refused request by now.
    files = [p for p in secured.home.logs.rglob("*") if p.is_file()] + [secured.home.launcher_log]
    assert files
    for path in files:
        assert_no_secret(path.read_text(encoding="utf-8", errors="replace"))
