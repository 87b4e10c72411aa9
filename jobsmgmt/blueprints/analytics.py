"""Analytics pages: one job's charts (``/jobs/<id>/analytics``, CSV export) and the overview
across jobs (``/analytics``). The numbers come from the same services as the JSON API."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request
from pydantic import ValidationError

from ..auth import permission_required
from ..errors import validation_details
from ..extensions import db
from ..schemas.analytics import AnalyticsQuery
from ..services import analytics, analytics_overview, jobs, policy
from ..services.errors import ValidationFailed
from .dashboard import safe_cell
from .labels import query_messages
from .paging import page_arg, pages_for

bp = Blueprint("analytics", __name__)
PRESETS = (7, 30, 90, 365)
RANKING_PAGE = 25
RANKING_COLUMNS = (
    "id",
    "title",
    "department",
    "status",
    "views",
    "applications",
    "conversion",
    "hires",
    "time_to_fill",
)


def _dates() -> tuple[date | None, date | None]:
    """The range from the GET form, validated by the JSON route's query model."""
    raw = {k: request.args.get(k, "").strip() for k in ("date_from", "date_to")}
    try:
        query = AnalyticsQuery.model_validate({k: v for k, v in raw.items() if v})
    except ValidationError as error:
        fields = validation_details(error)["fields"]
        messages = query_messages(fields)
        raise ValidationFailed(" ".join(messages.values()), details={"fields": fields}) from error
    return query.date_from, query.date_to


@bp.get("/jobs/<job_id>/analytics")
@permission_required(policy.READ)
def job(job_id: str):
    error = None
    try:
        date_from, date_to = _dates()
        data = analytics.job_analytics(db.session, job_id, date_from, date_to)
    except ValidationFailed as problem:
        error = problem.message
        data = analytics.job_analytics(db.session, job_id)
    today = analytics.now().date()
    chart = {
        "funnel": data["funnel"],
        "trends": [{**row, "date": row["date"].isoformat()} for row in data["trends"]],
        "scores": data["quality_metrics"]["score_distribution"],
    }
    return render_template(
        "analytics/job.html",
        job=jobs.get_job(db.session, job_id),
        data=data,
        chart=chart,
        error=error,
        presets=[(days, today - timedelta(days=days - 1)) for days in PRESETS],
        today=today,
    ), (422 if error else 200)


@bp.get("/jobs/<job_id>/analytics.csv")
@permission_required(policy.READ)
def job_csv(job_id: str):
    date_from, date_to = _dates()
    data = analytics.job_analytics(db.session, job_id, date_from, date_to)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = ("date", "views", "applications", "shortlisted", "interviews", "offers", "hires")
    writer.writerow(columns)
    for row in data["trends"]:
        writer.writerow([row["date"].isoformat()] + [row[key] for key in columns[1:]])
    writer.writerow(["total"] + [data["funnel"][key] for key in columns[1:]])
    name = f"analytics-{job_id}-{data['date_range']['from']}-{data['date_range']['to']}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _ranking(limit: int) -> tuple[dict, str | None]:
    """The ranking table for the page's range, sort and page; on bad input, the defaults and
    a readable message."""
    sort = request.args.get("sort") or "conversion"
    order = request.args.get("order") or "asc"
    try:
        if sort not in analytics_overview.RANK_SORTS or order not in ("asc", "desc"):
            raise ValidationFailed("Choose a column of the table to sort by, up or down.")
        date_from, date_to = _dates()
        return analytics_overview.job_ranking(
            db.session, date_from, date_to, sort, order, page_arg(), limit
        ), None
    except ValidationFailed as problem:
        return analytics_overview.job_ranking(db.session, limit=limit), problem.message


@bp.get("/analytics")
@permission_required(policy.READ)
def overview():
    data = analytics_overview.overview(db.session)
    ranking, error = _ranking(RANKING_PAGE)
    chart = {"summary": data["summary"], "pipeline": data["pipeline"]}
    return render_template(
        "analytics/overview.html",
        data=data,
        chart=chart,
        ranking=ranking,
        pages=pages_for(ranking["total"], RANKING_PAGE),
        error=error,
        args={k: v for k, v in request.args.items() if k != "page"},
    ), (422 if error else 200)


@bp.get("/analytics/ranking.csv")
@permission_required(policy.READ)
def ranking_csv():
    """The whole ranking (every job, same range and order) as CSV."""
    ranking, _ = _ranking(0)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            {"conversion": "view_to_application_pct", "time_to_fill": "time_to_fill_days"}.get(
                key, key
            )
            for key in RANKING_COLUMNS
        ]
    )
    for row in ranking["rows"]:
        writer.writerow(
            [
                safe_cell(row[key]) if key in ("title", "department") else row[key]
                for key in RANKING_COLUMNS
            ]
        )
    name = f"job-ranking-{ranking['date_range']['from']}-{ranking['date_range']['to']}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
