"""`shrinksearch worker start --pool NAME`: a Prefect worker for the project's deployments.

A thin wrapper over `prefect worker start` (same options, Prefect's own settings apply): it
points PREFECT_API_URL at `shrinksearch prefect up`'s server when unset, and hands the flow
runs this project's settings. A process worker starts each flow run in a temporary directory,
so relative paths and a `.env` file would be lost there: the worker passes every setting set
here as an environment variable, paths made absolute (the data directory above all, which
every worker must share). (The runs' heartbeats, which tell Prefect a worker died, come with
the deployments: `shrinksearch deploy --pool`.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from shrinksearch.settings import Settings

worker_app = typer.Typer(help="Run Prefect workers for the deployments on a work pool (`shrinksearch deploy --pool`).", no_args_is_help=True)

DEFAULT_LIMIT = 3
"""Flow runs a worker runs at once: a fanned-out parent and two crawls, as `deploy` serves them."""


@worker_app.command("start")
def start(
    pool: str = typer.Option(..., "--pool", "-p", help="The work pool to poll (see `shrinksearch deploy --pool`)."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Name of this worker (default: Prefect's)."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", "-l", min=1, help="Flow runs this worker runs at once."),
    pool_type: Optional[str] = typer.Option(None, "--type", "-t", help="Worker type when the pool does not exist yet (default: the pool's, else process)."),
) -> None:
    """Start a worker that runs the flow runs of work pool NAME until interrupted."""
    from shrinksearch.cli.pipeline import use_local_prefect_server
    from shrinksearch.settings import get_settings

    use_local_prefect_server()
    command = worker_command(pool, name, limit, pool_type)
    typer.echo(f"worker on pool {pool!r} at {os.environ['PREFECT_API_URL']} (data in {get_settings().data_dir.resolve()})")
    sys.stdout.flush()
    os.execve(command[0], command, worker_env(get_settings(), os.environ))


def worker_command(pool: str, name: str | None, limit: int, pool_type: str | None) -> list[str]:
    prefect = str(Path(sys.executable).with_name("prefect"))
    command = [prefect, "worker", "start", "--pool", pool, "--limit", str(limit), "--install-policy", "if-not-present"]
    command += ["--name", name] if name else []
    command += ["--type", pool_type] if pool_type else []
    return command


def worker_env(settings: Settings, environ: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    """The worker's environment: this one, plus every setting set here (paths absolute)."""
    env = dict(environ)
    for field in settings.model_fields_set | {"data_dir"}:
        env[f"SHRINKSEARCH_{field.upper()}"] = _as_env(getattr(settings, field))
    return env


def _as_env(value: object) -> str:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value.expanduser().resolve())
    return str(value).lower() if isinstance(value, bool) else str(value)


def register(app: typer.Typer) -> None:
    app.add_typer(worker_app, name="worker")
