"""``GET /api/jobs-management/<job_id>/analytics`` (API.md §3)."""

from __future__ import annotations

from ...extensions import db
from ...schemas.analytics import AnalyticsEnvelope, AnalyticsQuery
from ...services import analytics
from .base import route


@route(
    "/jobs-management/<job_id>/analytics",
    "GET",
    summary="A job's funnel, conversion rates, quality and time metrics and daily trends",
    tag="jobs-management",
    query=AnalyticsQuery,
    response=AnalyticsEnvelope,
    errors=(404,),
    description="422 when date_from is after date_to or the range covers more than 366 days.",
)
def get_job_analytics(user, job_id: str, query: AnalyticsQuery):
    result = analytics.job_analytics(db.session, job_id, query.date_from, query.date_to)
    return {"success": True, **result}
