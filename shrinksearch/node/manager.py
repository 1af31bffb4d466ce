"""NodeManager: start, stop and inspect the project's own Elasticsearch node.

One object over the parts: the distribution (fetched and unpacked), a Java that can run it,
the node home and its config, the unprivileged user when the caller is root, and the
process. The CLI (`shrinksearch node ...`) and the test fixture both use it.
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from shrinksearch.exceptions import ElasticsearchUnavailable, JavaNotFoundError, NodeError, PortInUseError, UsageError
from shrinksearch.node import distribution, launcher, probe
from shrinksearch.node.home import NodeHome, prepare, resolve_home
from shrinksearch.node.java import Java, find_java
from shrinksearch.node.runas import NodeUser, node_user
from shrinksearch.settings import Settings


@dataclass(frozen=True)
class StartResult:
    """What `start` did: the node's URL and pid, and whether it was running already."""

    url: str
    pid: int
    version: str
    already_running: bool
    seconds: float


@dataclass(frozen=True)
class NodeStatus:
    """The node as `status` sees it; pid, version and health are None when not running."""

    running: bool
    url: str
    home: NodeHome
    pid: int | None = None
    version: str | None = None
    health: str | None = None
    security: bool = False


class NodeManager:
    """The embedded node of one settings object (its port, home, heap and security)."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self.console = console  # progress goes here; None keeps it quiet
        # Creates the node user when the caller is root: the home's place depends on it.
        self.user: NodeUser | None = node_user(settings.node_user)
        self.home: NodeHome = resolve_home(settings, self.user)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.node_port}"

    def start(self) -> StartResult:
        """Start the node and wait until it is ready; harmless when it already runs."""
        self.check_settings()
        began = time.monotonic()
        with self.lock():
            pid = launcher.running_pid(self.home)
            if pid is not None:
                return self._result(pid, began, already_running=True)
            self._check_port()
            java = self.java()
            dist = self.install()
            self._launch(dist, java)
            pid = launcher.wait_ready(self.url, self.auth, self.home)
        return self._result(pid, began, already_running=False)

    def stop(self) -> int | None:
        """Stop the node this project started here and wait until it is gone; its pid, or None."""
        if not self.home.root.exists():
            return None  # never started here: leave no empty home behind
        with self.lock():
            pid = launcher.running_pid(self.home)
            if pid is not None:
                launcher.terminate(pid, self.home)
            # Elasticsearch removes it on a clean exit, not after SIGKILL or a crash.
            self.home.pidfile.unlink(missing_ok=True)
        return pid

    def status(self) -> NodeStatus:
        """Whether the node runs, and if so its pid, version and cluster health."""
        pid = launcher.running_pid(self.home)
        base = NodeStatus(False, self.url, self.home, security=self.settings.node_security)
        if pid is None:
            return base
        state = probe.health(self.url, self.auth)
        if state is None:
            return NodeStatus(True, self.url, self.home, pid, None, "not answering", self.settings.node_security)
        version = probe.version(self.url, self.auth)
        return NodeStatus(True, self.url, self.home, pid, version, state["status"], self.settings.node_security)

    def logs(self, lines: int = 50) -> list[str]:
        """The last lines of the node's server log."""
        if not self.home.server_log.is_file():
            raise NodeError(f"no server log yet at {self.home.server_log}; start the node with `shrinksearch node start`")
        return launcher.tail(self.home.server_log, lines)

    def ensure_running(self) -> str:
        """The URL of the running node, started first if needed."""
        return self.start().url

    @property
    def auth(self) -> probe.Auth:
        password = self.settings.es_password
        return (self.settings.es_username, password.get_secret_value()) if password else None

    def check_settings(self) -> None:
        """Refuse settings the node cannot start with (security without a password, a bad heap)."""
        if self.settings.node_security and not self.settings.es_password:
            raise UsageError("SHRINKSEARCH_NODE_SECURITY is on but no password is set; set SHRINKSEARCH_ES_PASSWORD")
        if not re.fullmatch(r"\d+[kKmMgG]", self.settings.node_heap):
            raise UsageError(f"SHRINKSEARCH_NODE_HEAP={self.settings.node_heap!r} is not a JVM size; use e.g. 1g or 512m")

    def _check_port(self) -> None:
        """Port free, or an error that says whether an Elasticsearch holds it (e.g. another home's)."""
        try:
            launcher.ensure_port_free(self.settings.node_port)
        except PortInUseError:
            if not self._elasticsearch_answers():
                raise
            raise PortInUseError(
                f"port {self.settings.node_port} is in use by an Elasticsearch this node home did not start; "
                f"use it (SHRINKSEARCH_ES_URL={self.url}) or set SHRINKSEARCH_NODE_PORT to a free port"
            ) from None

    def _elasticsearch_answers(self) -> bool:
        try:
            # Short: whatever holds the port may accept connections and never answer.
            return probe.health(self.url, None, timeout=2.0) is not None
        except ElasticsearchUnavailable:
            return True  # it asked for credentials: a secured Elasticsearch

    def java(self) -> Java:
        """A JDK that can run the node, readable by the node user."""
        java = find_java(self.settings.java_home)
        user = self.user
        if user is not None and not user.can_enter(java.home / "bin" / "java"):
            raise JavaNotFoundError(
                f"Java at {java.home} is not readable by user {user.name!r} that runs the node; "
                "install a JDK 21+ outside /root (e.g. under /usr/lib/jvm) and set SHRINKSEARCH_JAVA_HOME to it"
            )
        return java

    def install(self) -> Path:
        """The unpacked distribution in the home, fetched into the cache first if needed."""
        settings = self.settings
        archive = distribution.fetch(settings.es_version, settings.cache_dir, settings.maven_url, self.console)
        return distribution.unpack(archive, self.home.root)

    def _launch(self, dist: Path, java: Java) -> None:
        settings = self.settings
        prepare(self.home, dist, settings, settings.index_config_dir / "hunspell", self.user)
        env = launcher.es_env(java.home, self.home, settings.node_heap)
        if settings.node_security and settings.es_password:
            password = settings.es_password.get_secret_value()
            launcher.set_bootstrap_password(dist, self.home, env, password, self.user)
        launcher.launch(dist, self.home, env, self.user)

    def _result(self, pid: int, began: float, already_running: bool) -> StartResult:
        version = probe.version(self.url, self.auth)
        return StartResult(self.url, pid, version, already_running, time.monotonic() - began)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One start or stop at a time per home (two shells, or tests and a user)."""
        self.home.root.mkdir(parents=True, exist_ok=True)
        with self.home.lockfile.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
