"""The CLI imports what a command needs when it runs: `--help` loads no crawler, no Prefect,
no Elasticsearch client; `search` and `who` load the client but no crawler and no Prefect.

A correctness check on the module lists of fresh interpreters, not a timing: the times are
measured by ``python -m bench cli`` (BENCHMARKS.md).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sample_index import SampleIndex, indexed_samples  # noqa: F401  (session fixture)
from shrinksearch.cli import app
from shrinksearch.samples.server import DEFAULT_CRAWL_DELAY
from shrinksearch.settings import PROJECT_ROOT

HEAVY_FOR_HELP = ("scrapy", "twisted", "prefect", "elasticsearch", "elastic_transport", "crawlers.runner",
                  "uvicorn", "fastapi", "pydantic_settings", "shrinksearch.search.service")
NOT_FOR_SEARCH = ("scrapy", "twisted", "prefect", "crawlers.runner", "uvicorn", "fastapi",
                  "aiohttp", "httpx", "requests", "rich")  # the last four: see shrinksearch/es/lean.py

# Runs the CLI in a fresh interpreter and prints, on stderr, every module it imported.
RUN_AND_LIST = """
import json, sys
from shrinksearch.cli import app
try:
    app(sys.argv[1:], prog_name="shrinksearch")
except SystemExit as done:
    code = done.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(args: list[str], env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=env, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["exit"], set(report["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("args", [["--help"], ["search", "--help"], ["who", "--help"], ["crawl", "--help"],
                                  ["node", "--help"], ["index", "--help"], ["pipeline", "run", "--help"],
                                  ["samples", "serve", "--help"], ["deploy", "--help"]])
def test_help_imports_no_crawler_prefect_or_elasticsearch(args: list[str]) -> None:
    code, modules = imported_by(args)
    assert code == 0
    assert not loaded(modules, HEAVY_FOR_HELP), f"`shrinksearch {' '.join(args)}` imported {loaded(modules, HEAVY_FOR_HELP)}"


def test_search_and_who_import_the_client_but_no_crawler_or_prefect(indexed_samples: SampleIndex) -> None:
    import os

    env = {**os.environ, "SHRINKSEARCH_INDEX_ALIAS": indexed_samples.alias}
    for args in (["search", "lithium", "--json"], ["who", "who discusses transference and vacations", "--json"]):
        code, modules = imported_by(args, env)
        assert code == 0 and "elasticsearch" in modules  # it did run the query
        assert not loaded(modules, NOT_FOR_SEARCH), f"`shrinksearch {args[0]}` imported {loaded(modules, NOT_FOR_SEARCH)}"


def test_samples_serve_help_states_the_servers_default_crawl_delay() -> None:
    result = CliRunner().invoke(app, ["samples", "serve", "--help"])
    assert f"(default: {DEFAULT_CRAWL_DELAY:g})" in " ".join(result.stdout.split())


def test_the_lean_client_import_leaves_the_hidden_libraries_importable() -> None:
    code = ("import sys\n"
            "from shrinksearch.es.lean import import_client\n"
            "import_client()\n"
            "assert 'elasticsearch' in sys.modules and not {'aiohttp', 'httpx', 'requests'} & set(sys.modules)\n"
            "import aiohttp, httpx, requests\n"
            "from elasticsearch import Elasticsearch\n"
            "print(type(Elasticsearch('http://127.0.0.1:9').transport.node_pool.get()).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Urllib3HttpNode"
