"""The analytics overview across jobs (page ``/analytics``): totals by status, the pipeline,
the top jobs by applications and the average time to fill by department."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import STAGES, Application, Job, JobStatusHistory
from .analytics import MICROS_PER_DAY, _aware, active_time, now, on_hold_intervals, two_decimals
from .dashboard import summary


def pipeline_totals(session: Session) -> dict:
    """Applications of live jobs by their current stage, every stage listed. Read from the
    ``(job_id, stage)`` index; the (few) soft-deleted jobs are subtracted by id."""
    deleted = select(Job.id).where(Job.deleted_at.is_not(None))
    counts = dict(
        session.execute(
            select(Application.stage, func.count())
            .where(Application.job_id.not_in(deleted))
            .group_by(Application.stage)
        ).all()
    )
    return {stage: counts.get(stage, 0) for stage in STAGES}


def top_jobs(session: Session, limit: int = 10) -> list[dict]:
    rows = session.execute(
        select(Job.id, Job.title, Job.status, Job.department, Job.application_count, Job.view_count)
        .where(Job.deleted_at.is_(None))
        .order_by(Job.application_count.desc(), Job.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


def time_to_fill_by_department(session: Session) -> list[dict]:
    """Mean days from publication to the first hire, on-hold time excluded, per department."""
    first_hires = session.execute(
        select(Job.id, Job.department, Job.published_at, func.min(Application.reached_hired_at))
        .join(Application, Application.job_id == Job.id)
        .where(
            Job.deleted_at.is_(None),
            Job.published_at.is_not(None),
            Application.reached_hired_at.is_not(None),
        )
        .group_by(Job.id, Job.department, Job.published_at)
    ).all()
    if not first_hires:
        return []
    history: dict[str, list] = defaultdict(list)
    on_hold_jobs = select(JobStatusHistory.job_id).where(JobStatusHistory.to_status == "on_hold")
    for job_id, status, changed_at in session.execute(
        select(JobStatusHistory.job_id, JobStatusHistory.to_status, JobStatusHistory.changed_at)
        .where(JobStatusHistory.job_id.in_(on_hold_jobs))
        .order_by(JobStatusHistory.job_id, JobStatusHistory.changed_at)
    ):
        history[job_id].append((status, changed_at))
    moment = now()
    totals: dict[str, list] = defaultdict(list)
    for job_id, department, published_at, first_hire in first_hires:
        holds = on_hold_intervals(history.get(job_id, []), moment)
        totals[department or "—"].append(active_time(published_at, _aware(first_hire), holds))
    result = []
    for department, spans in sorted(totals.items()):
        mean = sum(spans, timedelta(0)) / len(spans)
        days = Decimal(mean // timedelta(microseconds=1)) / MICROS_PER_DAY
        result.append({"department": department, "jobs": len(spans), "days": two_decimals(days)})
    return result


def overview(session: Session) -> dict:
    return {
        "summary": summary(session),
        "pipeline": pipeline_totals(session),
        "top_jobs": top_jobs(session),
        "time_to_fill": time_to_fill_by_department(session),
    }
