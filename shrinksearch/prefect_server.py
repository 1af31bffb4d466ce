"""A local Prefect server for users without Docker (`shrinksearch prefect up | down`).

It runs `prefect server start` detached, with its state (SQLite database, logs) under
``<data_dir>/prefect``, records its pid, and waits until the API answers. SQLite is fine for
one user and for the tests; docker-compose uses PostgreSQL for heavier use.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shrinksearch.exceptions import ShrinksearchError
from shrinksearch.settings import Settings

START_TIMEOUT_S = 90.0


class PrefectServerError(ShrinksearchError):
    """The local Prefect server could not be started."""


class PrefectServer:
    def __init__(self, settings: Settings, home: Path | None = None, port: int | None = None, scheduler: bool = True) -> None:
        self.port = port or settings.prefect_port
        self.scheduler = scheduler
        self.home = (home or settings.data_dir / "prefect").resolve()
        self.pidfile = self.home / "server.pid"
        self.logfile = self.home / "server.log"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def is_healthy(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self) -> bool:
        """Start the server unless one answers already; returns False when it was running."""
        if self.is_healthy():
            return False
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.logfile, "ab") as log:
            process = subprocess.Popen(
                self._command(), env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.pidfile.write_text(str(process.pid))
        self._wait_until_healthy(process)
        return True

    def _command(self) -> list[str]:
        prefect = Path(sys.executable).with_name("prefect")
        return [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port), "--analytics-off"]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PREFECT_HOME"] = str(self.home)
        env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        env["PREFECT_UI_API_URL"] = self.api_url  # the UI would otherwise call :4200 whatever the port
        env.pop("PREFECT_API_URL", None)  # the server must not try to talk to another server
        if not self.scheduler:  # tests: deployments keep their schedules but no run is created
            env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "false"
        return env

    def _wait_until_healthy(self, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PrefectServerError(f"the Prefect server exited during start; see {self.logfile}")
            if self.is_healthy():
                return
            time.sleep(0.5)
        raise PrefectServerError(f"the Prefect server did not answer within {START_TIMEOUT_S:.0f}s; see {self.logfile}")

    def stop(self) -> bool:
        """Stop the server this project started (by its recorded pid); False if none ran."""
        if not self.pidfile.exists():
            return False
        pid = int(self.pidfile.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            self.pidfile.unlink(missing_ok=True)
            return False
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)
        return True


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (reaping it first if it is our own exited child)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: started by an earlier `shrinksearch prefect up`
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
