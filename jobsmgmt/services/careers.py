"""The public careers site: open jobs, their pages (each anonymous view counted) and applying."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..database import write_intent
from ..models import Job, JobAnalytics, JobView, utcnow
from ..tasks import task, task_session
from . import daily_counts
from .dashboard import search_clause
from .errors import NotFound


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


# Jobs the apply and thank-you pages may name: published once, not archived (drafts never).
PUBLISHED_STATUSES = ("open", "on_hold", "closed")


def get_published_job(session: Session, job_id: str) -> Job:
    """A job the apply pages may name: published (not a draft), not archived and not deleted;
    whether it still accepts applications is ``applications.accepting_problem``."""
    job = session.get(Job, job_id)
    if job is None or job.deleted_at is not None or job.status not in PUBLISHED_STATUSES:
        raise NotFound(f"Job {job_id} was not found.")
    return job


# Crawlers, monitors and scripted clients: their requests are not a person reading the job.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|monitor|pingdom|uptime|"
    r"headless|phantomjs|curl|wget|httpie|python-requests|python-urllib|aiohttp|httpx|"
    r"go-http-client|java/|okhttp|libwww|scrapy|axios|node-fetch|postman",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    """No user agent, or one of the common automated ones."""
    return not (user_agent or "").strip() or bool(BOT_PATTERN.search(user_agent))


def visitor_hash(secret: bytes, address: str | None, user_agent: str | None, day: date) -> str:
    """Who viewed, without keeping who: HMAC-SHA-256 under a per-day salt derived from the
    app's secret, over address, user agent and day. Neither the address nor the agent is
    stored, and a hash cannot be linked to the same visitor on another day."""
    salt = hmac.new(secret, f"job-views:{day.isoformat()}".encode(), hashlib.sha256).digest()
    message = f"{address or ''}\n{user_agent or ''}".encode("utf-8", "replace")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


def record_view(session: Session, job_id: str, visitor: str | None) -> Job:
    """Count a view of the job's public page: once per visitor (a ``visitor_hash``) per job per
    UTC day, ``None`` (bots) never. Appends to ``job_views`` and bumps the day's analytics row
    when the visitor is new today; the job's row is not touched (no row lock):
    ``roll_up_view_counts`` brings ``jobs.view_count`` up to date. Its own write transaction
    (the request's read transaction is ended first)."""
    session.rollback()
    with write_intent():
        try:
            job = get_open_job(session, job_id)
        except NotFound:
            session.rollback()
            raise
        if visitor is not None:
            day = daily_counts.utc_day(utcnow())
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            added = session.execute(
                insert(JobView)
                .values(job_id=job.id, day=day, visitor=visitor)
                .on_conflict_do_nothing(index_elements=["job_id", "day", "visitor"])
                .returning(JobView.job_id)
            ).first()
            if added is not None:  # a new visitor today (a repeat inserts nothing)
                daily_counts.bump(session, job.id, day, view_count=1)
        session.commit()
    return job


def roll_up_views(session: Session, keep_days: int = 2, since: date | None = None) -> int:
    """Set ``jobs.view_count`` to the sum of the job's daily rows for every job viewed since
    yesterday (or ``since``) whose total differs, then drop visitor hashes older than
    ``keep_days`` (they only deduplicate within a day). Returns the number of jobs updated."""
    today = daily_counts.utc_day(utcnow())
    since = since or today - timedelta(days=1)
    recent = select(JobView.job_id).where(JobView.day >= since).distinct()
    total = (
        select(func.coalesce(func.sum(JobAnalytics.view_count), 0))
        .where(JobAnalytics.job_id == Job.id)
        .scalar_subquery()
    )
    updated = session.execute(
        update(Job)
        .where(Job.id.in_(recent), Job.view_count != total)
        .values(view_count=total)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(delete(JobView).where(JobView.day < today - timedelta(days=keep_days - 1)))
    session.commit()
    return updated


@task
def roll_up_view_counts() -> int:
    """Task: bring ``jobs.view_count`` up to the daily rows; drop old visitor hashes."""
    with task_session() as session:
        return roll_up_views(session)
