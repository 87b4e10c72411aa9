"""Task functions: thin wrappers that open an app context and call a service with ids.

RQ imports them by dotted path (``workers.tasks.<name>``); the in-process worker calls the same
functions. Each must be safe to run twice.
"""

from __future__ import annotations

from jobsmgmt.extensions import db
from jobsmgmt.services import jobs

from .context import task_context


def refresh_job_counters(job_id: str) -> None:
    """Recount a job's applications and views from the rows themselves."""
    with task_context():
        jobs.refresh_counters(db.session, job_id)


TASKS = {
    "refresh_job_counters": refresh_job_counters,
}
