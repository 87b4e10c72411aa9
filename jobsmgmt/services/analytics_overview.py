"""The analytics overview across jobs (page ``/analytics``): totals by status, the pipeline,
the top jobs by applications, the average time to fill by department, and the per-job ranking
table for a date range (sortable, paginated, CSV)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import STAGES, Application, Job, JobAnalytics, JobStatusHistory
from .analytics import (
    MICROS_PER_DAY,
    _aware,
    active_time,
    day_start,
    now,
    on_hold_intervals,
    resolve_range,
    two_decimals,
)
from .dashboard import summary
from .errors import ValidationFailed


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


def fill_times(session: Session) -> dict[str, tuple[str, timedelta]]:
    """Per live job with a hire: (department, time from publication to the first hire minus the
    on-hold time in between), API.md's ``time_to_fill_days``."""
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
        return {}
    history: dict[str, list] = defaultdict(list)
    on_hold_jobs = select(JobStatusHistory.job_id).where(JobStatusHistory.to_status == "on_hold")
    for job_id, status, changed_at in session.execute(
        select(JobStatusHistory.job_id, JobStatusHistory.to_status, JobStatusHistory.changed_at)
        .where(JobStatusHistory.job_id.in_(on_hold_jobs))
        .order_by(JobStatusHistory.job_id, JobStatusHistory.changed_at)
    ):
        history[job_id].append((status, changed_at))
    moment = now()
    result = {}
    for job_id, department, published_at, first_hire in first_hires:
        holds = on_hold_intervals(history.get(job_id, []), moment)
        result[job_id] = (department, active_time(published_at, _aware(first_hire), holds))
    return result


def _days(span: timedelta) -> float | None:
    return two_decimals(Decimal(span // timedelta(microseconds=1)) / MICROS_PER_DAY)


def time_to_fill_by_department(session: Session) -> list[dict]:
    """Mean days from publication to the first hire, on-hold time excluded, per department."""
    totals: dict[str, list] = defaultdict(list)
    for department, span in fill_times(session).values():
        totals[department or "—"].append(span)
    result = []
    for department, spans in sorted(totals.items()):
        mean = sum(spans, timedelta(0)) / len(spans)
        result.append({"department": department, "jobs": len(spans), "days": _days(mean)})
    return result


RANK_SORTS = ("title", "views", "applications", "conversion", "time_to_fill", "hires")


def _range_counts(session: Session, start: date, end: date, today: date) -> dict[str, dict]:
    """Views, applications and hires per job over the range, with API.md's definitions: views
    and past days from the daily rows, today (and later) from the applications themselves."""
    counts: dict[str, dict] = defaultdict(lambda: {"views": 0, "applications": 0, "hires": 0})
    past_end = min(end, today - timedelta(days=1))
    rows = session.execute(
        select(
            JobAnalytics.job_id,
            func.sum(JobAnalytics.view_count),
            func.sum(case((JobAnalytics.date <= past_end, JobAnalytics.application_count))),
            func.sum(case((JobAnalytics.date <= past_end, JobAnalytics.hire_count))),
        )
        .where(JobAnalytics.date >= start, JobAnalytics.date <= end)
        .group_by(JobAnalytics.job_id)
    )
    for job_id, views, applications, hires in rows:
        entry = counts[job_id]
        entry.update(views=int(views or 0), applications=int(applications or 0))
        entry["hires"] = int(hires or 0)
    if end >= today:
        low, high = day_start(max(start, today)), day_start(end + timedelta(days=1))
        events = (("applications", Application.applied_at), ("hires", Application.reached_hired_at))
        for key, column in events:
            for job_id, number in session.execute(
                select(Application.job_id, func.count())
                .where(column >= low, column < high)
                .group_by(Application.job_id)
            ):
                counts[job_id][key] += int(number)
    return counts


def job_ranking(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "conversion",
    order: str = "asc",
    page: int = 1,
    limit: int = 25,
) -> dict:
    """Every live job with its views, applications, view→application %, hires (over the date
    range) and time to fill (days, on-hold excluded), sorted by ``sort``; jobs without a value
    of the sort key (no views, no hire yet) come last in either order. One page of rows, or all
    of them with ``limit=0`` (the CSV)."""
    if sort not in RANK_SORTS:
        raise ValidationFailed(
            f"Sort must be one of {', '.join(RANK_SORTS)}.", details={"fields": {"sort": "invalid"}}
        )
    moment = now()
    start, end = resolve_range(date_from, date_to, moment.date())
    counts = _range_counts(session, start, end, moment.date())
    fills = fill_times(session)
    rows = []
    for job_id, title, department, status in session.execute(
        select(Job.id, Job.title, Job.department, Job.status).where(Job.deleted_at.is_(None))
    ):
        entry = counts.get(job_id, {"views": 0, "applications": 0, "hires": 0})
        views, applications = entry["views"], entry["applications"]
        rate = two_decimals(Decimal(100 * applications) / Decimal(views)) if views else None
        fill = fills.get(job_id)
        rows.append(
            {
                "id": job_id,
                "title": title,
                "department": department,
                "status": status,
                "views": views,
                "applications": applications,
                "conversion": rate,
                "hires": entry["hires"],
                "time_to_fill": _days(fill[1]) if fill else None,
            }
        )
    rows.sort(key=lambda row: (row["title"].casefold(), row["id"]))
    present = [row for row in rows if row[sort] is not None]
    missing = [row for row in rows if row[sort] is None]
    key = (lambda row: row["title"].casefold()) if sort == "title" else (lambda row: row[sort])
    present.sort(key=key, reverse=order == "desc")
    ordered = present + missing
    total = len(ordered)
    shown = ordered if limit == 0 else ordered[(page - 1) * limit : page * limit]
    return {
        "date_range": {"from": start, "to": end},
        "rows": shown,
        "total": total,
        "page": page,
        "limit": limit,
        "sort": sort,
        "order": order,
    }


def overview(session: Session) -> dict:
    return {
        "summary": summary(session),
        "pipeline": pipeline_totals(session),
        "top_jobs": top_jobs(session),
        "time_to_fill": time_to_fill_by_department(session),
    }
