"""The ``forget`` flow: ``shrinksearch forget`` from the Prefect UI, running the same code
(``shrinksearch.privacy.forget``).

A flow run's parameters are stored by the Prefect server, and here they are a person's name
or a URL: once the run has done its work, it overwrites its own parameters with the kind of
selector and the tombstone id. The artifact says what was removed, never who.
"""

from __future__ import annotations

from uuid import UUID

from prefect import flow, get_client
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from shrinksearch.privacy.forget import ForgetResult, forget


@flow(name="forget", log_prints=False)
def forget_flow(author: str | None = None, blog: str | None = None, url: str | None = None, dry_run: bool = False) -> dict:
    """Forget an author (on one blog with ``blog``), a blog, or a post or comment by URL:
    out of every index version and the data directory, and kept out by a tombstone.

    Args:
        author: a person's name as shown, or their author key.
        blog: a blog's URL, sources.yaml name or indexed name (alone: the whole blog).
        url: a post (with its comments) or one comment (#c<id>, #comment-<id>).
        dry_run: only count what would go.
    """
    result = forget(author=author, blog=blog, url=url, dry_run=dry_run, command="flow forget")
    create_markdown_artifact(_markdown(result), key="forget", description="What forget removed (no names)")
    _redact_parameters(result)
    return result.as_dict()


def _markdown(result: ForgetResult) -> str:
    t = result.tombstone
    rows = [("selector", t.kind), ("tombstone", "(dry run: none)" if result.dry_run else t.id),
            ("documents (all index versions)", result.index.documents), ("records under the data directory", result.data.records),
            ("files changed or deleted", result.data.files)]
    return "## forget\n\n| | |\n|---|---:|\n" + "".join(f"| {name} | {value} |\n" for name, value in rows)


def _redact_parameters(result: ForgetResult) -> None:
    """Replace this run's stored parameters (a name, a URL) by what the audit log says."""
    run_id = flow_run.get_id()
    if run_id is None:
        return
    redacted = {"selector": result.tombstone.kind, "tombstone": result.tombstone.id, "dry_run": result.dry_run}
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(run_id), parameters=redacted)
