"""The parts of scaling out that are quick to check: per-host crawl slots (a real Prefect
server), the per-blog crawl lock, a client over several node URLs (the session node), index
sizing from settings, the sample network on several addresses, and a cluster member's config."""

from __future__ import annotations

import contextvars
import threading
from pathlib import Path

import httpx
import pytest
import yaml

from crawlers.runner import Job, resolve_target, run_crawl
from flows.politeness import host_limit_name, host_slot
from shrinksearch.es.client import make_client
from shrinksearch.es.index import IndexManager
from shrinksearch.exceptions import CrawlError, UsageError
from shrinksearch.node.cluster import member_config, member_heap, plan
from shrinksearch.node.home import NodeHome
from shrinksearch.samples import AccessLog, running_hosts
from shrinksearch.settings import get_settings
from tcp_proxy import _free_port


def test_crawls_of_one_host_take_turns_with_the_gap_between_them(prefect_api):
    log = AccessLog()
    with running_hosts(["127.0.0.2"], access_log=log) as [base]:
        def crawl(name: str) -> None:
            with host_slot(f"{base}/shrink-notes/", gap=1.0):
                for _ in range(3):
                    httpx.get(f"{base}/robots.txt", headers={"User-Agent": name})

        # Each thread in a copy of this context: Prefect's settings (the API URL) live in a context variable.
        threads = [threading.Thread(target=contextvars.copy_context().run, args=(crawl, name)) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    spans = {}
    for entry in log.snapshot():
        spans.setdefault(entry.user_agent, []).append(entry)
    earlier, later = sorted(spans.values(), key=lambda entries: entries[0].started)
    assert later[0].started - earlier[-1].finished >= 1.0, "the second crawl started within 1 s of the first's last request"
    limit = httpx.get(f"{prefect_api}/v2/concurrency_limits/{host_limit_name(base)}").json()
    assert limit["limit"] == 1 and limit["active_slots"] == 0


def test_host_limits_are_named_by_host_and_port():
    assert host_limit_name("http://127.0.0.2:8765/shrink-notes/") == "crawl-host:127.0.0.2:8765"
    assert host_limit_name("https://Example.BlogSpot.com/") == "crawl-host:example.blogspot.com"


def test_a_blog_already_being_crawled_is_refused_with_one_line(data_dir):
    settings = get_settings().model_copy(update={"data_dir": data_dir})
    url = "http://127.0.0.1:9/shrink-notes/"
    job = Job(resolve_target(None, url, "blogger", settings).name, data_dir)
    with job.owned(), pytest.raises(CrawlError, match="being crawled by another process"):
        run_crawl(url=url, platform="blogger", out=data_dir / "x.jsonl", settings=settings)
    assert not list(data_dir.glob("raw/*")), "nothing written"


def test_the_client_takes_several_nodes_and_skips_one_that_is_down(es_node, test_alias, monkeypatch):
    dead = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("SHRINKSEARCH_ES_URL", f"{dead}, {es_node.es_url}")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.es_urls == [dead, es_node.es_url]
    client = make_client(settings)
    for _ in range(4):  # whichever node the transport tries first
        assert "status" in client.cluster.health()


def test_new_indices_take_shards_and_replicas_from_the_settings(es_client, test_alias, monkeypatch):
    monkeypatch.setenv("SHRINKSEARCH_INDEX_SHARDS", "2")
    get_settings.cache_clear()
    index = IndexManager.from_settings(es_client, get_settings()).init().index
    settings = es_client.indices.get_settings(index=index)[index]["settings"]["index"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("2", "0")


def test_the_sample_network_answers_on_every_address_with_links_on_that_host():
    with running_hosts(["127.0.0.2", "127.0.0.3"]) as bases:
        assert len({base.rsplit(":", 1)[1] for base in bases}) == 1, "one port on every address"
        for base in bases:
            home = httpx.get(f"{base}/therapy-room/").text
            assert f"{base}/therapy-room/" in home


def test_cluster_members_split_the_heap_and_find_each_other(tmp_path: Path):
    settings = get_settings().model_copy(update={"node_port": 9600})
    members = plan(settings, 3)
    assert [(m.http_port, m.transport_port) for m in members] == [(9600, 9700), (9601, 9701), (9602, 9702)]
    assert member_heap("1536m", 3) == "512m" and member_heap("1g", 2) == "512m" and member_heap("512m", 3) == "256m"
    home = NodeHome(tmp_path, tmp_path).member(1)
    first = member_config(home, settings, members[1], members, bootstrap=True)
    assert first["discovery.seed_hosts"] == ["127.0.0.1:9700", "127.0.0.1:9701", "127.0.0.1:9702"]
    assert first["cluster.initial_master_nodes"] == ["shrinksearch-0", "shrinksearch-1", "shrinksearch-2"]
    assert first["path.data"] == str(tmp_path / "cluster" / "node-1" / "data")
    assert "discovery.type" not in first
    later = member_config(home, settings, members[1], members, bootstrap=False)
    assert "cluster.initial_master_nodes" not in later  # Elasticsearch wants it gone once formed
    yaml.safe_dump(later)
    with pytest.raises(UsageError, match="not a JVM size"):
        member_heap("lots", 3)


def test_a_worker_hands_its_runs_the_settings_with_absolute_paths(tmp_path, monkeypatch):
    from shrinksearch.cli.worker import worker_command, worker_env
    from shrinksearch.settings import Settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SHRINKSEARCH_INDEX_ALIAS=from-dotenv\nSHRINKSEARCH_ES_PASSWORD=s3cret\n")
    monkeypatch.setenv("SHRINKSEARCH_DATA_DIR", "shared/data")
    env = worker_env(Settings(), {"PATH": "/usr/bin"})
    # Runs start in a temporary directory: no .env there, and a relative path would point elsewhere.
    assert env["SHRINKSEARCH_DATA_DIR"] == str(tmp_path / "shared" / "data")
    assert env["SHRINKSEARCH_INDEX_ALIAS"] == "from-dotenv" and env["SHRINKSEARCH_ES_PASSWORD"] == "s3cret"
    assert env["PATH"] == "/usr/bin"
    command = worker_command("crawlers", "w1", 2, None)
    assert command[1:] == ["worker", "start", "--pool", "crawlers", "--limit", "2", "--install-policy", "if-not-present", "--name", "w1"]
