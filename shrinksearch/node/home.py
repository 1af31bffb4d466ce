"""The node home: where the embedded node's distribution, config, data and logs live.

Layout under settings.node_home::

    elasticsearch-<version>/   the unpacked distribution (bin, lib, modules), once per version
    config/                    ES_PATH_CONF: the distribution's config + elasticsearch.yml + hunspell/
    data/  logs/               path.data and path.logs (data survives stop/start and upgrades)
    elasticsearch.pid          the running node's pid, written by Elasticsearch itself
    cluster/node-<i>/          the nodes of a cluster (`node start --nodes N`), each with its
                               own config/, data/, logs/ and pid file; they share the distribution
    cluster.json               the cluster's layout (ports), while one was started here

elasticsearch.yml is rewritten from the settings on every start, and index_config/hunspell is
copied in, so the node always matches the checkout.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from shrinksearch.node.runas import NodeUser
from shrinksearch.settings import Settings

CLUSTER_NAME = "shrinksearch"
# Where the home moves when the node user cannot enter the configured one (e.g. under /root).
RELOCATION_ROOT = Path("/var/lib/shrinksearch")


@dataclass(frozen=True)
class NodeHome:
    """Paths of one node home; `requested` differs from `root` when it had to move. A node of a
    cluster has its own root under the home and runs the distribution unpacked in `shared`."""

    root: Path
    requested: Path
    shared: Path | None = None

    @property
    def install_root(self) -> Path:
        """Where the distribution is unpacked: the home itself, or the cluster's home."""
        return self.shared or self.root

    @property
    def relocated(self) -> bool:
        return self.root != self.requested

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pidfile(self) -> Path:
        return self.root / "elasticsearch.pid"

    @property
    def lockfile(self) -> Path:
        return self.root / ".lock"

    @property
    def launcher_log(self) -> Path:
        """Output of bin/elasticsearch itself: where errors before logging starts end up."""
        return self.root / "launcher.log"

    @property
    def server_log(self) -> Path:
        return self.logs / f"{CLUSTER_NAME}.log"

    def dist(self, version: str) -> Path:
        return self.install_root / f"elasticsearch-{version}"

    def member(self, number: int) -> NodeHome:
        """The home of node ``number`` of a cluster started in this home."""
        root = self.root / "cluster" / f"node-{number}"
        return NodeHome(root, root, shared=self.root)

    @property
    def cluster_file(self) -> Path:
        return self.root / "cluster.json"


def resolve_home(settings: Settings, user: NodeUser | None) -> NodeHome:
    """The node home, moved under /var/lib/shrinksearch if the node user could not enter it."""
    requested = settings.node_home.expanduser().absolute()
    if user is None or user.can_enter(_nearest_existing(requested.parent)):
        return NodeHome(requested, requested)
    return NodeHome(_relocated(requested), requested)


def prepare(home: NodeHome, dist: Path, settings: Settings, hunspell: Path, user: NodeUser | None,
            config: dict[str, object] | None = None) -> None:
    """Create the home's folders and write its config (``config``, else a single node's as the
    settings ask); everything ends up owned by the node user."""
    for folder in (home.config, home.data, home.logs):
        folder.mkdir(parents=True, exist_ok=True)
    _copy_distribution_config(dist / "config", home.config)
    (home.config / "elasticsearch.yml").write_text(render_yaml(config or single_node_config(home, settings)))
    _copy_hunspell(hunspell, home.config / "hunspell")
    if user is not None:
        user.own(home.root)


def render_yaml(config: dict[str, object]) -> str:
    header = "# Written by `shrinksearch node start` from the settings on every start; edits are lost.\n"
    return header + yaml.safe_dump(config, sort_keys=False)


def single_node_config(home: NodeHome, settings: Settings) -> dict[str, object]:
    config = base_config(home, settings)
    config.update({"node.name": CLUSTER_NAME, "http.port": settings.node_port, "discovery.type": "single-node"})
    if settings.node_security:
        # Plain HTTP on loopback; single-node discovery needs no transport TLS either.
        config["xpack.security.http.ssl.enabled"] = False
        config["xpack.security.transport.ssl.enabled"] = False
    return config


def base_config(home: NodeHome, settings: Settings) -> dict[str, object]:
    """What every node of this project has: loopback, its own paths, no disk watermarks."""
    return {
        "cluster.name": CLUSTER_NAME,
        "network.host": "127.0.0.1",
        "path.data": str(home.data),
        "path.logs": str(home.logs),
        # Dev machines are often fuller than the default 85/90% watermarks allow.
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "xpack.security.enabled": settings.node_security,
    }


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _relocated(requested: Path) -> Path:
    default = Settings.model_fields["node_home"].default
    if requested == Path(default).absolute():
        return RELOCATION_ROOT / "node"
    # Any other home gets its own folder, so two configured homes never share data.
    return RELOCATION_ROOT / f"node-{hashlib.sha1(str(requested).encode()).hexdigest()[:10]}"


def _copy_distribution_config(source: Path, target: Path) -> None:
    """Refresh jvm.options, log4j2.properties, ... from the distribution (the keystore stays)."""
    for item in source.iterdir():
        if item.is_dir():
            shutil.copytree(item, target / item.name, dirs_exist_ok=True)
        elif item.name != "elasticsearch.yml":
            shutil.copy2(item, target / item.name)


def _copy_hunspell(source: Path, target: Path) -> None:
    """Replace the node's dictionaries with the checkout's, so removed files vanish too."""
    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, target)
