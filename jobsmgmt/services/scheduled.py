"""The periodic tasks and their services. Each is idempotent and catches up on missed runs: it
looks at the state of the data (every deadline or expiry in the past), never at "today" only."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import queue
from ..models import Job, JobExternalPosting, utcnow
from ..tasks import task, task_session
from . import Actor, bulk, bulk_undo, postings, status
from .errors import DomainError
from .jobs import lock_job

log = logging.getLogger(__name__)

AUTO_CLOSE_REASON = "Application deadline passed"
AUTO_CLOSE_STATUSES = ("open", "on_hold")
EXPIRING_POSTING_STATUSES = ("pending", "posted")
STALLED_AFTER_MINUTES = 5


def _past_deadline(now: datetime):
    return (
        Job.deleted_at.is_(None),
        Job.status.in_(AUTO_CLOSE_STATUSES),
        Job.application_deadline.is_not(None),
        Job.application_deadline < now,
    )


def close_expired_jobs(session: Session, now: datetime | None = None) -> list[str]:
    """Close every open or on-hold job whose deadline has passed (any day in the past, so a
    missed run catches up), as the system user, one job per transaction. Returns the ids."""
    now = now or utcnow()
    candidates = list(session.scalars(select(Job.id).where(*_past_deadline(now))))
    session.rollback()
    closed = []
    for job_id in candidates:
        try:
            job = lock_job(session, job_id)
            # Re-checked under the lock: someone may have extended or closed it meanwhile.
            if job.status not in AUTO_CLOSE_STATUSES or not (
                job.application_deadline and job.application_deadline < now
            ):
                session.rollback()
                continue
            status.change_status(
                session, job_id, "closed", Actor.system(), AUTO_CLOSE_REASON, commit=False
            )
            session.commit()
            closed.append(job_id)
        except DomainError as error:
            session.rollback()
            log.info("Auto-close skipped job %s: %s", job_id, error.message)
    return closed


def expire_postings(
    session: Session, now: datetime | None = None, expired_ids: list[str] | None = None
) -> int:
    """Mark pending or posted postings whose ``expires_at`` has passed as ``expired`` (their
    CLOSE at the portal pending), with an audit entry on the job, one job per transaction.
    Returns how many postings expired; their ids are appended to ``expired_ids``."""
    now = now or utcnow()
    live = (
        JobExternalPosting.status.in_(EXPIRING_POSTING_STATUSES),
        JobExternalPosting.expires_at.is_not(None),
        JobExternalPosting.expires_at < now,
    )
    job_ids = list(session.scalars(select(JobExternalPosting.job_id).where(*live).distinct()))
    session.rollback()
    expired = 0
    for job_id in job_ids:
        job = session.scalar(
            select(Job)
            .where(Job.id == job_id)  # a deleted job's postings expire too
            .with_for_update(of=Job)
            .execution_options(populate_existing=True)
        )
        ids = list(
            session.scalars(
                select(JobExternalPosting.id)
                .where(JobExternalPosting.job_id == job_id, *live)
                .with_for_update()
            )
        )
        if job is None or not ids:
            session.rollback()
            continue
        rows = postings.withdraw_live_postings(
            session,
            job,
            Actor.system(),
            to_status="expired",
            now=now,
            posting_ids=ids,
            queue_close=False,
        )
        session.commit()
        expired += len(rows)
        if expired_ids is not None:
            expired_ids.extend(row.id for row in rows)
    return expired


def resume_stalled_operations(
    session: Session,
    stalled_after_minutes: float = STALLED_AFTER_MINUTES,
    *,
    resume_all: bool = False,
    now: datetime | None = None,
) -> list[str]:
    """Re-enqueue queued or processing operations that made no progress for
    ``stalled_after_minutes`` (or all of them, at desktop start-up: nothing else runs them).
    A resumed run skips the jobs that already have a result. Returns the operations' ids."""
    now = now or utcnow()
    limit = now - timedelta(minutes=stalled_after_minutes)
    stalled = [
        (op.id, op.operation_type)
        for op in bulk.unfinished_operations(session)
        if resume_all or bulk.last_activity(op) <= limit
    ]
    session.rollback()
    for op_id, kind in stalled:
        log.info("Resuming bulk operation %s", op_id)
        runner = bulk_undo.run_bulk_undo if kind == bulk_undo.UNDO else bulk.run_bulk_operation
        queue.enqueue(runner, op_id)
    return [op_id for op_id, _ in stalled]


@task
def auto_close_expired_jobs() -> int:
    """Task: close open/on-hold jobs whose deadline has passed (catching up on missed runs)."""
    with task_session() as session:
        return len(close_expired_jobs(session))


@task
def expire_external_postings() -> int:
    """Task: mark postings past their expiry as expired and close them at the portals (a
    close that fails is repeated by ``refresh_external_postings``)."""
    with task_session() as session:
        ids: list[str] = []
        count = expire_postings(session, expired_ids=ids)
        if ids:
            postings.deliver(session, ids, postings.task_config())  # CLOSE at the portals
        return count


@task
def resume_stalled_bulk_operations(stalled_after_minutes: str | float | None = None) -> int:
    """Task: re-enqueue bulk operations without progress for N minutes (``all``: every
    unfinished one)."""
    with task_session() as session:
        if stalled_after_minutes == "all":
            return len(resume_stalled_operations(session, resume_all=True))
        minutes = float(stalled_after_minutes or STALLED_AFTER_MINUTES)
        return len(resume_stalled_operations(session, minutes))
