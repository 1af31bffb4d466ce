"""Fan-out: one `crawl-and-index` run per batch of sources, submitted to the work pool.

When `crawl-and-index` runs from a deployment on a work pool and has more than one batch of
sources, it does not crawl them itself: it creates one flow run of its own deployment per
batch (``fan_out=False``, the batch as ``sources``, a run folder inside its own), so every
worker polling the pool can pick one up. Each child crawls, cleans, enriches and indexes its
batch on whatever worker runs it, and leaves its numbers in ``result.json`` in its run folder
(on the shared data directory); the parent waits for all of them and adds them up.

A child whose worker died is marked Crashed by the automation `shrinksearch deploy --pool`
creates (no heartbeat, nor start, for ``SHRINKSEARCH_CRASH_AFTER`` seconds); the parent then
submits it again, with the same run folder, so the retry resumes the interrupted crawl. Re-indexing is by stable id, so a retry
never duplicates a document.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.logging import get_run_logger
from prefect.runtime import deployment, flow_run

CHILD_ATTEMPTS = 3
"""Submissions per batch: the first and two more after a crash."""
POLL_SECONDS = 2.0
RESULT_FILE = "result.json"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Child:
    """One batch's flow run (its latest attempt) and where it writes its files."""

    label: str
    parameters: dict[str, Any]
    run_dir: Path
    flow_run_id: UUID | None = None
    attempts: int = 0
    state: str = "SCHEDULED"


def work_pool_of_this_run() -> str | None:
    """The work pool of the deployment this flow run comes from (None: served, or run in-process)."""
    deployment_id = deployment.id
    if not deployment_id:
        return None
    with get_client(sync_client=True) as client:
        return client.read_deployment(UUID(deployment_id)).work_pool_name


def batches(names: list[str], size: int) -> list[list[str]]:
    return [names[i:i + size] for i in range(0, len(names), max(1, size))]


def fan_out(groups: list[list[str]], parameters: dict[str, Any], run_dir: Path) -> list[Child]:
    """Submit one child run per batch to this run's deployment and wait for all of them."""
    children = [
        Child(_label(group), {**parameters, "sources": group, "fan_out": False, "run_dir": str(run_dir / _label(group))},
              run_dir / _label(group))
        for group in groups
    ]
    for child in children:
        _submit(child)
    _wait(children)
    return children


def read_result(child: Child) -> dict[str, Any] | None:
    """What a completed child wrote to its ``result.json`` (None when it wrote nothing)."""
    try:
        return json.loads((child.run_dir / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_result(run_dir: Path, result: dict[str, Any]) -> None:
    (run_dir / RESULT_FILE).write_text(json.dumps(result, indent=2), encoding="utf-8")


def _label(group: list[str]) -> str:
    return group[0] if len(group) == 1 else f"{group[0]}+{len(group) - 1}"


def _submit(child: Child) -> None:
    child.attempts += 1
    run = run_deployment(
        UUID(str(deployment.id)),
        parameters=child.parameters,
        timeout=0,  # submit and return: the parent waits for all its children together
        flow_run_name=f"{child.label}" + (f" (attempt {child.attempts})" if child.attempts > 1 else ""),
        # A retry of the parent itself must not submit the same attempt twice.
        idempotency_key=f"{flow_run.id}:{child.label}:{child.attempts}",
    )
    assert isinstance(run, FlowRun)  # sync here, but typed as "maybe a coroutine"
    child.flow_run_id, child.state = run.id, "SCHEDULED"


def _wait(children: list[Child]) -> None:
    """Poll until every child is final; resubmit one that crashed (its worker died)."""
    logger = get_run_logger()
    pending = list(children)
    with get_client(sync_client=True) as client:
        while pending:
            time.sleep(POLL_SECONDS)
            for child in list(pending):
                assert child.flow_run_id is not None
                state = client.read_flow_run(child.flow_run_id).state
                child.state = state.type.value if state else "SCHEDULED"
                if child.state not in FINAL:
                    continue
                if child.state == "CRASHED" and child.attempts < CHILD_ATTEMPTS:
                    logger.warning("run of %s crashed (%s); submitting it again", child.label, state.message if state else "")
                    _submit(child)
                    continue
                pending.remove(child)

