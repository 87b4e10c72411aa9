"""``GET /api/jobs-management/dashboard`` (API.md §3)."""

from __future__ import annotations

from ...extensions import db
from ...schemas.common import pagination
from ...schemas.dashboard import DashboardEnvelope, DashboardQuery
from ...services import dashboard
from .base import route


def filters_for(query: DashboardQuery, user) -> dashboard.DashboardFilters:
    """The service's filters from the validated query (``owner=me`` is the caller)."""
    owner = query.owner
    if owner == "me":
        owner = user.id
    return dashboard.DashboardFilters(
        statuses=query.statuses(),
        department=query.department,
        owner_id=owner,
        search=query.search,
        sort=query.sort,
        order=query.order,
        location=query.location,
        applications=query.applications,
        then_sort=query.then,
        then_order=query.then_order,
    )


@route(
    "/jobs-management/dashboard",
    "GET",
    summary="Jobs dashboard: filtered, sorted, paginated jobs and the summary by status",
    tag="jobs-management",
    query=DashboardQuery,
    response=DashboardEnvelope,
)
def get_dashboard(user, query: DashboardQuery):
    result = dashboard.dashboard(db.session, filters_for(query, user), query.page, query.limit)
    return {
        "success": True,
        "jobs": result.jobs,
        "pagination": pagination(result.total, result.page, result.limit),
        "summary": result.summary,
    }
