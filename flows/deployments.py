"""The deployments users run and schedule from the Prefect UI, and the process serving them.

`shrinksearch deploy` registers them with the Prefect server named by PREFECT_API_URL and
serves them: a run started from the UI ("Run" on a deployment) executes in that process,
with its logs and artifact shown in the UI.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from .maintenance import full_reindex, re_enrich
from .pipeline import crawl_and_index
from .privacy import forget_flow

CRAWL_EVERY = timedelta(hours=6)
RE_ENRICH_CRON = "30 3 * * *"  # nightly, 03:30 UTC


def build_deployments() -> list[RunnerDeployment]:
    deployments = [
        crawl_and_index.to_deployment(
            name="crawl-and-index",
            interval=CRAWL_EVERY,
            parameters={"incremental": True},
            description="Every 6 hours: crawl every source incrementally, clean, tag and index.",
            tags=["shrinksearch"],
        ),
        re_enrich.to_deployment(
            name="re-enrich",
            cron=RE_ENRICH_CRON,
            description="Nightly: re-tag indexed documents with the current theme taxonomy.",
            tags=["shrinksearch"],
        ),
        full_reindex.to_deployment(
            name="full-reindex",
            description="On demand: rebuild the next index version and swap the alias.",
            tags=["shrinksearch"],
        ),
        forget_flow.to_deployment(
            name="forget",
            description="On demand: forget an author, a blog, a post or a comment (shrinksearch forget).",
            tags=["shrinksearch"],
        ),
    ]
    # to_deployment is sync here (no running event loop), but typed as "maybe a coroutine".
    return [d for d in deployments if isinstance(d, RunnerDeployment)]


def serve_deployments(limit: int = 2) -> None:
    """Register every deployment and serve them until interrupted (blocking)."""
    serve(*build_deployments(), limit=limit)
