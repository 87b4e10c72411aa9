"""Task functions: thin wrappers that open an app context and call a service with ids.

RQ imports them by dotted path (``workers.tasks.<name>``); the in-process worker calls the same
functions. Each must be safe to run twice.
"""

from __future__ import annotations

from jobsmgmt.extensions import db
from jobsmgmt.services import bulk, jobs, scheduled

from .context import task_context


def refresh_job_counters(job_id: str) -> None:
    """Recount a job's applications and views from the rows themselves."""
    with task_context():
        jobs.refresh_counters(db.session, job_id)


def run_bulk_operation(operation_id: str) -> str | None:
    """Run (or resume) a bulk operation: every job without a result, one transaction each. A
    worker asked to stop (SIGTERM) ends it between two jobs and queues the rest again."""
    from jobsmgmt import queue
    from jobsmgmt.worker import stop_requested

    with task_context():
        result = bulk.run_operation(db.session, operation_id, should_stop=stop_requested)
        if result in bulk.UNFINISHED_STATUSES and stop_requested():
            queue.enqueue("run_bulk_operation", operation_id)
        return result


def auto_close_expired_jobs() -> int:
    """Close open/on-hold jobs whose deadline has passed (catching up on missed runs)."""
    with task_context():
        return len(scheduled.auto_close_expired_jobs(db.session))


def expire_external_postings() -> int:
    """Mark postings past their expiry as expired."""
    with task_context():
        return scheduled.expire_external_postings(db.session)


def resume_stalled_bulk_operations(stalled_after_minutes: str | float | None = None) -> int:
    """Re-enqueue bulk operations without progress for N minutes (``all``: every unfinished)."""
    with task_context():
        if stalled_after_minutes == "all":
            return len(scheduled.resume_stalled_bulk_operations(db.session, resume_all=True))
        minutes = float(stalled_after_minutes or scheduled.STALLED_AFTER_MINUTES)
        return len(scheduled.resume_stalled_bulk_operations(db.session, minutes))


def calculate_daily_analytics(date_from: str | None = None, date_to: str | None = None) -> int:
    """Recompute every job's daily analytics rows for date_from…date_to (YYYY-MM-DD, UTC;
    default yesterday and today). Returns the number of (job, day) rows with events."""
    from datetime import date, timedelta

    from jobsmgmt.models import utcnow
    from jobsmgmt.services import analytics

    today = utcnow().date()
    end = date.fromisoformat(date_to) if date_to else today
    start = date.fromisoformat(date_from) if date_from else min(end, today - timedelta(days=1))
    with task_context():
        return analytics.calculate_daily_analytics(db.session, start, end)


TASKS = {
    "refresh_job_counters": refresh_job_counters,
    "calculate_daily_analytics": calculate_daily_analytics,
    "run_bulk_operation": run_bulk_operation,
    "auto_close_expired_jobs": auto_close_expired_jobs,
    "expire_external_postings": expire_external_postings,
    "resume_stalled_bulk_operations": resume_stalled_bulk_operations,
}
