"""Job analytics query and response (API.md §3 ``GET /{job_id}/analytics``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from .common import RequestModel, ResponseModel

EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)


class AnalyticsQuery(RequestModel):
    date_from: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="YYYY-MM-DD (UTC); default date_to − 29 days"
    )
    date_to: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="YYYY-MM-DD (UTC); default today"
    )


class DateRange(ResponseModel):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True, populate_by_name=True)

    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date


class Funnel(ResponseModel):
    views: int
    applications: int
    shortlisted: int
    interviews: int
    offers: int
    hires: int


class ConversionRates(ResponseModel):
    view_to_application: float
    application_to_shortlist: float
    shortlist_to_interview: float
    interview_to_offer: float
    offer_to_hire: float
    application_to_hire: float


class ScoreBucket(ResponseModel):
    range: str
    count: int


class QualityMetrics(ResponseModel):
    avg_match_score: float | None
    median_match_score: float | None
    scored_applications: int
    score_distribution: list[ScoreBucket]


class TimeMetrics(ResponseModel):
    time_to_first_application_hours: float | None
    time_to_fill_days: float | None
    days_open: float | None
    avg_days_to_hire: float | None


class TrendRow(Funnel):
    date: dt.date


class SourceRow(ResponseModel):
    source: Literal["careers", "linkedin", "indeed", "naukri", "referral", "other"]
    applications: int
    shortlisted: int
    interviews: int
    offers: int
    hires: int


class AnalyticsEnvelope(ResponseModel):
    success: Literal[True] = True
    job_id: str
    date_range: DateRange
    funnel: Funnel
    conversion_rates: ConversionRates
    quality_metrics: QualityMetrics
    time_metrics: TimeMetrics
    trends: list[TrendRow]
    by_source: list[SourceRow]
