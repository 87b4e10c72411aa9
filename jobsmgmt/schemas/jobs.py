"""Job requests and responses (API.md §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..models import EMPLOYMENT_TYPES, STATUSES
from .common import RequestModel, ResponseModel, UTCTime

EmploymentType = Literal[EMPLOYMENT_TYPES]  # type: ignore[valid-type]
JobStatus = Literal[STATUSES]  # type: ignore[valid-type]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class JobFields(RequestModel):
    department: Annotated[str, StringConstraints(max_length=100)] = ""
    location: Annotated[str, StringConstraints(max_length=200)] = ""
    employment_type: EmploymentType = "full_time"
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    required_skills: Annotated[list[Skill], Field(max_length=50)] = []
    application_deadline: UTCTime | None = None
    owner_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class JobCreate(JobFields):
    title: Title


class JobUpdate(JobFields):
    """Any of the create fields except status; only the fields sent are changed."""

    title: Title = None  # type: ignore[assignment]


class JobOut(ResponseModel):
    id: str
    title: str
    department: str
    location: str
    employment_type: str
    description: str
    required_skills: list[str]
    status: JobStatus
    owner_id: str
    application_deadline: UTCTime | None
    view_count: int
    application_count: int
    created_at: UTCTime
    updated_at: UTCTime
    published_at: UTCTime | None
    closed_at: UTCTime | None
    archived_at: UTCTime | None


class JobEnvelope(ResponseModel):
    success: Literal[True] = True
    job: JobOut
