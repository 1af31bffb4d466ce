"""A cluster of embedded nodes on loopback: `shrinksearch node start --nodes N`.

N nodes run from the one distribution unpacked in the node home, each with its own config,
data and logs under ``<home>/cluster/node-<i>/`` (see home.py), HTTP port
``SHRINKSEARCH_NODE_PORT + i`` and transport port ``SHRINKSEARCH_NODE_PORT + 100 + i``. They
find each other through ``discovery.seed_hosts`` (every member's transport address); the very
first start names them all in ``cluster.initial_master_nodes`` to bootstrap the cluster, later
starts do not (Elasticsearch wants it gone once the cluster has formed). Every node is master
eligible and holds data, so a cluster of three keeps working with one node down.

The machine's memory is shared, not multiplied: each node gets 1/N of
``SHRINKSEARCH_NODE_HEAP`` (at least 256 MB). (Processors are left to the JVM: limiting each
node to 1/N of them made three nodes on two cores take minutes to start.)

    cluster = ClusterManager(get_settings())
    cluster.start(3)          # starts what is not running yet, waits for all three
    cluster.stop()            # stops them all
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from rich.console import Console

from shrinksearch.exceptions import NodeError, UsageError
from shrinksearch.node import launcher, probe
from shrinksearch.node.home import NodeHome, base_config, prepare
from shrinksearch.node.manager import NodeManager
from shrinksearch.settings import Settings

TRANSPORT_OFFSET = 100
"""A member's transport port is its HTTP port plus this (9200 -> 9300, as Elasticsearch's defaults)."""
MIN_HEAP_MB = 256
START_TIMEOUT = 600.0
"""N JVMs starting at once on a small, busy machine take minutes, not the single node's seconds."""


@dataclass(frozen=True)
class Member:
    """One node of the cluster: its number and ports."""

    number: int
    http_port: int
    transport_port: int

    @property
    def name(self) -> str:
        return f"shrinksearch-{self.number}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


@dataclass(frozen=True)
class MemberStatus:
    """A member as `status` sees it (pid None when it is not running)."""

    member: Member
    home: NodeHome
    pid: int | None


@dataclass(frozen=True)
class ClusterStatus:
    """The members, and the cluster's health as one of them reports it (None when none answers)."""

    members: list[MemberStatus]
    health: dict | None

    @property
    def running(self) -> bool:
        return any(m.pid is not None for m in self.members)

    @property
    def urls(self) -> list[str]:
        return [m.member.url for m in self.members]


@dataclass(frozen=True)
class ClusterStart:
    """What `start` did: the member URLs, which were started now, and how long it took."""

    urls: list[str]
    started: list[str]
    seconds: float
    health: dict


def plan(settings: Settings, size: int) -> list[Member]:
    """The members of a cluster of ``size`` nodes from the settings' first port."""
    base = settings.node_port
    return [Member(i, base + i, base + TRANSPORT_OFFSET + i) for i in range(size)]


def free_base_port(first: int, last: int, size: int) -> int:
    """A first HTTP port in first..last for ``size`` members whose HTTP and transport ports are
    all free (tests and benchmarks run clusters of their own beside other nodes)."""
    for base in range(first, last - size + 2):
        ports = [port + offset for port in range(base, base + size) for offset in (0, TRANSPORT_OFFSET)]
        if all(launcher.port_is_free(port) for port in ports):
            return base
    raise NodeError(f"no {size} free ports (and transport ports) in {first}-{last}")


def member_heap(total: str, size: int) -> str:
    """Each member's share of the heap ``total`` (a JVM size such as 1536m or 2g)."""
    match = re.fullmatch(r"(\d+)([kKmMgG])", total)
    if match is None:
        raise UsageError(f"SHRINKSEARCH_NODE_HEAP={total!r} is not a JVM size; use e.g. 1536m or 2g")
    scale = {"k": 1 / 1024, "m": 1, "g": 1024}[match.group(2).lower()]
    return f"{max(MIN_HEAP_MB, int(int(match.group(1)) * scale) // size)}m"


def member_config(home: NodeHome, settings: Settings, member: Member, members: list[Member], bootstrap: bool) -> dict[str, object]:
    """elasticsearch.yml of one member."""
    config = base_config(home, settings)
    config.update({
        "node.name": member.name,
        "http.port": member.http_port,
        "transport.port": member.transport_port,
        "discovery.seed_hosts": [f"127.0.0.1:{m.transport_port}" for m in members],
    })
    if bootstrap:
        config["cluster.initial_master_nodes"] = [m.name for m in members]
    return config


class ClusterManager:
    """The cluster of one node home (the settings' home, first port, heap and Java)."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.node = NodeManager(settings, console)  # the distribution, Java, user and lock it shares
        self.settings = settings
        self.home = self.node.home

    # --- layout ------------------------------------------------------------------

    def recorded(self) -> list[Member]:
        """The members of the cluster started in this home (none if none was)."""
        try:
            data = json.loads(self.home.cluster_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Member(**m) for m in data.get("members", [])]

    def _record(self, members: list[Member]) -> None:
        self.home.cluster_file.write_text(json.dumps({"members": [asdict(m) for m in members]}, indent=2))

    # --- start / stop / status ---------------------------------------------------

    def start(self, size: int) -> ClusterStart:
        """Start every member not running yet and wait until all ``size`` have joined."""
        if size < 2:
            raise UsageError("a cluster needs at least 2 nodes; `shrinksearch node start` runs a single node")
        self._check_settings()
        began = time.monotonic()
        with self.node.lock():
            members = self._members_for(size)
            missing = [m for m in members if launcher.running_pid(self.home.member(m.number)) is None]
            if missing:
                self._launch(members, missing)
            health = self._wait_formed(members)
        return ClusterStart([m.url for m in members], [m.url for m in missing], time.monotonic() - began, health)

    def stop(self, numbers: list[int] | None = None) -> list[int]:
        """Stop the running members (only ``numbers`` when given); the pids stopped."""
        if not self.home.root.exists():
            return []
        with self.node.lock():
            homes = [self.home.member(m.number) for m in self.recorded() if numbers is None or m.number in numbers]
            running = [(home, pid) for home in homes if (pid := launcher.running_pid(home)) is not None]
            _all_at_once([lambda h=home, p=pid: launcher.terminate(p, h) for home, pid in running])
            for home in homes:
                home.pidfile.unlink(missing_ok=True)  # left behind after SIGKILL or a crash
        return [pid for _, pid in running]

    def status(self) -> ClusterStatus:
        members = [MemberStatus(m, self.home.member(m.number), launcher.running_pid(self.home.member(m.number))) for m in self.recorded()]
        health = None
        for status in members:
            if status.pid is not None and (health := probe.health(status.member.url, self.node.auth)) is not None:
                break
        return ClusterStatus(members, health)

    def logs(self, number: int, lines: int = 50) -> list[str]:
        log = self.home.member(number).server_log
        if not log.is_file():
            raise NodeError(f"no server log of node {number} at {log}; start the cluster with `shrinksearch node start --nodes N`")
        return launcher.tail(log, lines)

    # --- parts -------------------------------------------------------------------

    def _check_settings(self) -> None:
        self.node.check_settings()
        if self.settings.node_security:
            raise UsageError(
                "SHRINKSEARCH_NODE_SECURITY is not supported on a cluster of embedded nodes (it needs transport TLS); "
                "use docker-compose's cluster profile or a single node"
            )

    def _members_for(self, size: int) -> list[Member]:
        """The planned members; refuses a size different from a cluster still running here."""
        running = [m for m in self.recorded() if launcher.running_pid(self.home.member(m.number)) is not None]
        if running and len(self.recorded()) != size:
            raise UsageError(
                f"a cluster of {len(self.recorded())} nodes runs in {self.home.root}; stop it first (`shrinksearch node stop`)"
            )
        return self.recorded() if running else plan(self.settings, size)

    def _launch(self, members: list[Member], missing: list[Member]) -> None:
        for member in missing:
            for port in (member.http_port, member.transport_port):
                launcher.ensure_port_free(port)
        java = self.node.java()
        dist = self.node.install()
        # Bootstrap only a brand-new cluster: a member that has data belongs to one already.
        bootstrap = not any(_has_data(self.home.member(m.number).data) for m in members)
        hunspell = self.settings.index_config_dir / "hunspell"
        for member in missing:
            home = self.home.member(member.number)
            prepare(home, dist, self.settings, hunspell, None, member_config(home, self.settings, member, members, bootstrap))
        if self.node.user is not None:
            self.node.user.own(self.home.root)
        self._record(members)
        heap = member_heap(self.settings.node_heap, len(members))
        # All at once: a member waits for a quorum of the others before it reports started.
        _all_at_once([
            lambda m=member: self._launch_member(dist, java.home, self.home.member(m.number), heap) for member in missing
        ])

    def _launch_member(self, dist: Path, java_home: Path, home: NodeHome, heap: str) -> None:
        launcher.launch(dist, home, launcher.es_env(java_home, home, heap), self.node.user, timeout=START_TIMEOUT)

    def _wait_formed(self, members: list[Member]) -> dict:
        """Cluster health once every member has joined and the cluster is at least yellow."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for member in members:
                home = self.home.member(member.number)
                if launcher.running_pid(home) is None:
                    raise NodeError(launcher.failure_message(home, f"node {member.number} exited during start"))
            health = next(filter(None, (self._formed(m, len(members)) for m in members)), None)
            if health is not None:
                return health
            time.sleep(0.5)
        raise NodeError(f"the cluster of {len(members)} nodes did not form within {START_TIMEOUT:.0f} s; see `shrinksearch node logs --node 0`")

    def _formed(self, member: Member, size: int) -> dict | None:
        """The health ``member`` reports once ``size`` nodes have joined (None before, or if it does not answer)."""
        params = {"wait_for_nodes": str(size), "wait_for_status": "yellow", "timeout": "5s"}
        try:
            response = httpx.get(f"{member.url}/_cluster/health", params=params, auth=self.node.auth, timeout=15)
        except httpx.TransportError:
            return None
        body = response.json() if response.status_code == 200 else {}
        return body if body and not body.get("timed_out") else None


def _has_data(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def _all_at_once(calls: list) -> None:  # noqa: ANN001 - zero-argument callables
    """Run the calls on threads of their own; re-raise the first error once all are done."""
    errors: list[BaseException] = []

    def run(call) -> None:  # noqa: ANN001
        try:
            call()
        except BaseException as err:  # noqa: BLE001 - re-raised below, in the caller's thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
