"""The public careers site: open jobs, their pages (each anonymous view counted) and applying."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..database import write_intent
from ..models import Job, utcnow
from . import daily_counts
from .dashboard import search_clause
from .errors import NotFound
from .jobs import lock_job


def list_open_jobs(
    session: Session, search: str | None = None, page: int = 1, limit: int = 20
) -> tuple[list[Job], int]:
    """Open jobs still taking applications, newest published first; ``search`` matches title,
    department or location."""
    now = utcnow()
    conditions = [
        Job.deleted_at.is_(None),
        Job.status == "open",
        or_(Job.application_deadline.is_(None), Job.application_deadline > now),
    ]
    if search and search.strip():
        conditions.append(search_clause(session, search.strip()))
    total = session.scalar(select(func.count()).select_from(Job).where(*conditions))
    rows = session.scalars(
        select(Job)
        .where(*conditions)
        .order_by(Job.published_at.desc(), Job.id)
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return list(rows), total


def _open(job: Job | None, job_id: str) -> Job:
    if job is None or job.deleted_at is not None or job.status != "open":
        raise NotFound(f"Job {job_id} is not open.")
    return job


def get_open_job(session: Session, job_id: str) -> Job:
    """A job whose public page shows: only open jobs exist for the public."""
    return _open(session.get(Job, job_id), job_id)


def get_published_job(session: Session, job_id: str) -> Job:
    """A job the apply pages may name: published once (not a draft) and not deleted; whether it
    still accepts applications is ``applications.accepting_problem``."""
    job = session.get(Job, job_id)
    if job is None or job.deleted_at is not None or job.status == "draft":
        raise NotFound(f"Job {job_id} was not found.")
    return job


def record_view(session: Session, job_id: str) -> Job:
    """Count one anonymous view of the job's public page: the job's total and the day's row,
    in one write transaction of its own (the request's read transaction is ended first)."""
    session.rollback()
    with write_intent():
        try:
            job = _open(lock_job(session, job_id), job_id)
        except NotFound:
            session.rollback()
            raise
        now = utcnow()
        job.view_count = (job.view_count or 0) + 1
        daily_counts.bump(session, job.id, daily_counts.utc_day(now), view_count=1)
        session.commit()
    return job
