"""Job analytics query and response (API.md §3 ``GET /{job_id}/analytics``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from .common import RequestModel, ResponseModel

EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Years 1970–9998, as the document's pattern states them (EARLIEST … LATEST).
YEARS = r"^(19[7-9]\d|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-\d{2}-\d{2}$"


def _iso_date_only(value):
    """Only ``YYYY-MM-DD`` text, as ``format: date`` says (no numbers, no timestamps)."""
    if isinstance(value, str) and ISO_DATE.match(value):
        return value
    raise ValueError("Give the date as YYYY-MM-DD")


QueryDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date_only),
    Field(ge=EARLIEST, le=LATEST),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEARS}),
]


class AnalyticsQuery(RequestModel):
    """The range rules (from ≤ to, at most 366 days) are checked by the service (422)."""

    date_from: QueryDate | None = Field(
        None, description="YYYY-MM-DD (UTC); default date_to − 29 days"
    )
    date_to: QueryDate | None = Field(None, description="YYYY-MM-DD (UTC); default today")


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
