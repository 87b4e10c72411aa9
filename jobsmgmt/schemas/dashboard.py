"""Dashboard query and response (API.md §3 ``GET /dashboard``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..models import STATUSES
from .common import PageQuery, Pagination, ResponseModel, Text, UTCTime
from .jobs import JobStatus

_STATUS = "|".join(STATUSES)
StatusList = Text(200, pattern=rf"^({_STATUS})( *, *({_STATUS}))*$")
SortKey = Literal["posted_date", "created_at", "title", "applications", "views", "deadline"]


class DashboardQuery(PageQuery):
    """Filters, sort and page. Empty values mean "no filter"."""

    status: StatusList | None = Field(None, description="One status or a comma-separated list")
    department: Text(100) | None = None
    owner: Text(36, pattern=r"^(me|[0-9a-fA-F-]{36})$") | None = Field(
        None, description="'me' or a user id"
    )
    search: Text(200) | None = Field(
        None, description="Substring of title, department or location; % _ \\ are literal"
    )
    sort: SortKey = "created_at"
    order: Literal["asc", "desc"] = "desc"
    location: Text(200) | None = Field(None, description="A whole location, ignoring case")
    applications: Literal["none", "1-10", "more"] | None = Field(
        None, description="Jobs with no applications, 1 to 10, or more than 10"
    )
    then: SortKey | None = Field(None, description="Secondary sort key, for ties of `sort`")
    then_order: Literal["asc", "desc"] = "asc"

    def statuses(self) -> tuple[str, ...]:
        if not self.status:
            return ()
        return tuple(part.strip() for part in self.status.split(","))


class OwnerOut(ResponseModel):
    id: str
    name: str


class DashboardJob(ResponseModel):
    id: str
    title: str
    department: str
    location: str
    status: JobStatus
    owner: OwnerOut
    posted_date: UTCTime | None
    application_deadline: UTCTime | None
    view_count: int
    application_count: int


class DashboardSummary(ResponseModel):
    total_jobs: int
    draft: int
    open: int
    on_hold: int
    closed: int
    archived: int


class DashboardEnvelope(ResponseModel):
    success: Literal[True] = True
    jobs: list[DashboardJob]
    pagination: Pagination
    summary: DashboardSummary
