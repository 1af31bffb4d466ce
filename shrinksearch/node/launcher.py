"""Start and stop the Elasticsearch process of a node home.

The node runs detached (`bin/elasticsearch -d -p <pidfile>`): the launcher returns once the
server has started, and the server writes its own pid. Only that recorded pid is ever
signalled, and only after checking it is this home's Elasticsearch.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from shrinksearch.exceptions import NodeError, PortInUseError
from shrinksearch.node import probe
from shrinksearch.node.home import NodeHome
from shrinksearch.node.runas import NodeUser, as_user

START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0
LOG_LINES_ON_FAILURE = 15


def ensure_port_free(port: int) -> None:
    """Raise PortInUseError naming the port and the setting when something listens there."""
    if not port_is_free(port):
        raise PortInUseError(
            f"port {port} is already in use by another process; stop it or set SHRINKSEARCH_NODE_PORT to a free port"
        )


def port_is_free(port: int) -> bool:
    """Whether a node could listen on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
        # Like Elasticsearch itself, ignore sockets lingering in TIME_WAIT after a stop.
        probe_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe_socket.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def es_env(java_home: Path, home: NodeHome, heap: str) -> dict[str, str]:
    """Environment for bin/elasticsearch and its tools."""
    # JAVA_HOME would make the launcher warn; inherited JVM options could break the node.
    dropped = {"JAVA_HOME", "ES_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "ES_HOME"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(ES_JAVA_HOME=str(java_home), ES_PATH_CONF=str(home.config), ES_JAVA_OPTS=f"-Xms{heap} -Xmx{heap}")
    return env


def set_bootstrap_password(dist: Path, home: NodeHome, env: dict[str, str], password: str, user: NodeUser | None) -> None:
    """Store the `elastic` user's password in the keystore (read from stdin, never argv)."""
    tool = str(dist / "bin" / "elasticsearch-keystore")
    if not (home.config / "elasticsearch.keystore").exists():
        _run_tool([tool, "create"], env, user)
    _run_tool([tool, "add", "-x", "-f", "bootstrap.password"], env, user, stdin=password)


def launch(dist: Path, home: NodeHome, env: dict[str, str], user: NodeUser | None, timeout: float = START_TIMEOUT) -> None:
    """Run bin/elasticsearch detached; raise with the last log lines if it fails to start."""
    home.pidfile.unlink(missing_ok=True)
    command = [str(dist / "bin" / "elasticsearch"), "-d", "-p", str(home.pidfile)]
    # Output goes to a file, not a pipe: the detached server must never block on a full pipe.
    with home.launcher_log.open("w") as out:
        try:
            done = subprocess.run(
                command, env=env, cwd=home.root, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, timeout=timeout, **as_user(user),
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise NodeError(failure_message(home, f"did not start within {timeout:.0f} s")) from None
    if done.returncode != 0:
        raise NodeError(failure_message(home, f"exited during start with code {done.returncode}"))


def wait_ready(url: str, auth: probe.Auth, home: NodeHome, timeout: float = START_TIMEOUT) -> int:
    """Wait until the cluster is at least yellow; return the node's pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = running_pid(home)
        if pid is None:
            raise NodeError(failure_message(home, "exited during start"))
        state = probe.health(url, auth, wait_seconds=5)
        if state is not None and state.get("status") in ("yellow", "green"):
            return pid
        time.sleep(0.5)
    raise NodeError(failure_message(home, f"was not ready within {timeout:.0f} s"))


def running_pid(home: NodeHome) -> int | None:
    """The pid recorded in the home, if that process is alive and is this home's node."""
    try:
        pid = int(home.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_node_of(pid, home) else None


def terminate(pid: int, home: NodeHome, timeout: float = STOP_TIMEOUT) -> None:
    """Stop the node gracefully (SIGTERM), forcibly after timeout; return once it is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except PermissionError:
        raise NodeError(f"not allowed to stop Elasticsearch (pid {pid}); run `node stop` as the user who started it") from None
    if _wait_gone(pid, home, timeout):
        return
    os.kill(pid, signal.SIGKILL)
    if not _wait_gone(pid, home, 10):
        raise NodeError(f"Elasticsearch (pid {pid}) does not stop, even after SIGKILL; check the process by hand")


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a text file, read from its end (server logs grow large)."""
    if lines <= 0 or not path.is_file():
        return []
    with path.open("rb") as log:
        end = log.seek(0, os.SEEK_END)
        block, data = 64 * 1024, b""
        while end > 0 and data.count(b"\n") <= lines:
            start = max(0, end - block)
            log.seek(start)
            data = log.read(end - start) + data
            end = start
    return data.decode("utf-8", "replace").splitlines()[-lines:]


def failure_message(home: NodeHome, what: str) -> str:
    """'Elasticsearch <what>' plus the last meaningful log lines, stack frames left out."""
    lines = [line for line in tail(home.launcher_log, 400) if _meaningful(line)]
    if not lines:
        lines = [line for line in tail(home.server_log, 400) if _meaningful(line)]
    shown = "\n".join(f"  {line}" for line in lines[-LOG_LINES_ON_FAILURE:])
    return f"Elasticsearch {what}; full log: `shrinksearch node logs`. Last log lines:\n{shown}"


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("at ", "... "))


def _run_tool(command: list[str], env: dict[str, str], user: NodeUser | None, stdin: str | None = None) -> None:
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=120, **as_user(user))
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise NodeError(f"{Path(command[0]).name} {command[1]} failed: {reason[0]}")


def _wait_gone(pid: int, home: NodeHome, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_node_of(pid, home):
            return True
        time.sleep(0.2)
    return False


def _is_node_of(pid: int, home: NodeHome) -> bool:
    """Whether pid is a live (not zombie) Elasticsearch running from this home."""
    info = _process(pid)
    if info is None:
        return False
    state, cmdline = info
    # The server's --module-path points into the home's distribution (a cluster's nodes share one).
    return not state.startswith("Z") and "org.elasticsearch" in cmdline and f"{home.install_root}/" in cmdline


def _process(pid: int) -> tuple[str, str] | None:
    """(state, command line) of pid, from /proc on Linux and from ps elsewhere (macOS)."""
    proc = Path("/proc") / str(pid)
    if Path("/proc/self").exists():
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            return state, (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            return None
    done = subprocess.run(["ps", "-o", "stat=,command=", "-p", str(pid)], capture_output=True, text=True)
    state, _, cmdline = done.stdout.strip().partition(" ")
    return (state, cmdline) if done.returncode == 0 and state else None
