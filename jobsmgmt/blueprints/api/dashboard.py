"""``GET /api/jobs-management/dashboard`` (API.md §3)."""

from __future__ import annotations

from ...extensions import db
from ...schemas.common import pagination
from ...schemas.dashboard import DashboardEnvelope, DashboardQuery
from ...services import dashboard
from .base import route


@route(
    "/jobs-management/dashboard",
    "GET",
    summary="Jobs dashboard: filtered, sorted, paginated jobs and the summary by status",
    tag="jobs-management",
    query=DashboardQuery,
    response=DashboardEnvelope,
)
def get_dashboard(user, query: DashboardQuery):
    result = dashboard.dashboard(
        db.session, dashboard.DashboardFilters.from_query(query, user.id), query.page, query.limit
    )
    return {
        "success": True,
        "jobs": result.jobs,
        "pagination": pagination(result.total, result.page, result.limit),
        "summary": result.summary,
    }
