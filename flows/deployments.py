"""The deployments users run and schedule from the Prefect UI, served here or on a work pool.

`shrinksearch deploy` registers them with the Prefect server named by PREFECT_API_URL and
serves them: a run started from the UI ("Run" on a deployment) executes in that process,
with its logs and artifact shown in the UI.

`shrinksearch deploy --pool NAME` registers the same deployments (same schedules and
parameters) on a work pool instead, and returns: runs then execute on whichever worker polls
that pool (`shrinksearch worker start --pool NAME`, on this machine or others). The flows are
named by module path (``flows.pipeline.crawl_and_index``), so a worker runs the code of the
shrinksearch installed where it runs — no code storage or image to build. The pool is created
(process type) when missing, and so is an automation that marks a run Crashed when its
heartbeats stop (its worker died), which the fanned-out `crawl-and-index` then retries.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast
from uuid import UUID

from prefect import deploy, get_client, serve
from prefect.automations import Automation
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import StateType
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

from .maintenance import full_reindex, re_enrich
from .pipeline import crawl_and_index
from .privacy import forget_flow

CRAWL_EVERY = timedelta(hours=6)
RE_ENRICH_CRON = "30 3 * * *"  # nightly, 03:30 UTC


HEARTBEAT_SECONDS = 30
"""How often a flow run on a work pool reports it is alive: the shortest Prefect allows, set in
the deployments' job variables so that every worker type passes it to the run (Prefect's own
default, 180 s, would outlast SHRINKSEARCH_CRASH_AFTER)."""
FINAL_EVENTS = {f"prefect.flow-run.{state}" for state in ("Completed", "Failed", "Cancelled", "Crashed")}
# A run's clock starts when a worker takes it (Pending) and restarts with every sign of life:
# a worker that dies before the run's process sent its first heartbeat is noticed too.
ALIVE_EVENTS = {"prefect.flow-run.Pending", "prefect.flow-run.Running", "prefect.flow-run.heartbeat"}


def build_deployments(
    entrypoint_type: EntrypointType = EntrypointType.FILE_PATH, job_variables: dict[str, Any] | None = None
) -> list[RunnerDeployment]:
    # What every deployment shares: how a worker finds the flow, what the run gets, the tag.
    shared: dict[str, Any] = {"entrypoint_type": entrypoint_type, "job_variables": job_variables, "tags": ["shrinksearch"]}
    deployments = [
        crawl_and_index.to_deployment(
            **shared,
            name="crawl-and-index",
            interval=CRAWL_EVERY,
            parameters={"incremental": True},
            description="Every 6 hours: crawl every source incrementally, clean, tag and index.",
        ),
        re_enrich.to_deployment(
            **shared,
            name="re-enrich",
            cron=RE_ENRICH_CRON,
            description="Nightly: re-tag indexed documents with the current theme taxonomy.",
        ),
        full_reindex.to_deployment(
            **shared,
            name="full-reindex",
            description="On demand: rebuild the next index version and swap the alias.",
        ),
        forget_flow.to_deployment(
            **shared,
            name="forget",
            description="On demand: forget an author, a blog, a post or a comment (shrinksearch forget).",
        ),
    ]
    # to_deployment is sync here (no running event loop), but typed as "maybe a coroutine".
    return [d for d in deployments if isinstance(d, RunnerDeployment)]


def serve_deployments(limit: int = 2) -> None:
    """Register every deployment and serve them until interrupted (blocking)."""
    serve(*build_deployments(), limit=limit)


def deploy_to_pool(pool: str, crash_after: int) -> list[UUID]:
    """Register every deployment on work pool ``pool`` (created, process type, when missing), their
    runs sending heartbeats, and the automation that crashes a run after ``crash_after`` seconds
    without a sign of life."""
    ensure_pool(pool)
    heartbeats = {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}}
    ids = deploy(*build_deployments(EntrypointType.MODULE_PATH, heartbeats), work_pool_name=pool, build=False, push=False,
                 print_next_steps_message=False, ignore_warnings=True)
    assert isinstance(ids, list)  # sync here (no running event loop), but typed as "maybe a coroutine"
    ensure_crash_automation(pool, ids, crash_after)
    return ids


def ensure_pool(pool: str) -> None:
    """Create ``pool`` as a process work pool unless a pool of that name (any type) exists."""
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))


def crash_automation_name(pool: str) -> str:
    return f"shrinksearch: crash unresponsive runs on {pool}"


def ensure_crash_automation(pool: str, deployment_ids: list[UUID], crash_after: int) -> Automation:
    """(Re)create the automation marking a run of these deployments Crashed when no sign of life
    (heartbeat, start) nor final state came for ``crash_after`` seconds: Prefect's way to notice
    a worker that died (docs.prefect.io, "detect zombie flows")."""
    name = crash_automation_name(pool)
    try:
        cast(Automation, Automation.read(name=name)).delete()
    except ValueError:
        pass  # none yet
    trigger = EventTrigger(
        after=ALIVE_EVENTS,
        expect={"prefect.flow-run.Running", "prefect.flow-run.heartbeat", *FINAL_EVENTS},
        match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
        # Only runs of these deployments: runs started elsewhere keep Prefect's defaults.
        match_related=ResourceSpecification({
            "prefect.resource.role": "deployment",
            "prefect.resource.id": [f"prefect.deployment.{d}" for d in deployment_ids],
        }),
        for_each={"prefect.resource.id"},
        posture=Posture.Proactive,
        threshold=1,
        within=timedelta(seconds=crash_after),
    )
    message = f"no sign of life for {crash_after} s: its worker stopped (shrinksearch automation)"
    action = ChangeFlowRunState(state=StateType.CRASHED, message=message)
    return cast(Automation, Automation(name=name, trigger=trigger, actions=[action]).create())
