"""Job requests and responses (API.md §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..models import EMPLOYMENT_TYPES, STATUSES
from .common import RequestModel, ResponseModel, Text, UTCTime

EmploymentType = Literal[EMPLOYMENT_TYPES]  # type: ignore[valid-type]
JobStatus = Literal[STATUSES]  # type: ignore[valid-type]
Skill = Text(100, 1, blank=False)
Title = Text(200, 1, blank=False)
OwnerId = Text(36, 1, blank=False)


class JobFields(RequestModel):
    department: Text(100) = ""
    location: Text(200) = ""
    employment_type: EmploymentType = "full_time"
    description: Text(20000) = ""
    required_skills: Annotated[list[Skill], Field(max_length=50)] = []
    application_deadline: UTCTime | None = None
    owner_id: OwnerId | None = Field(None, description="Default (or null): the caller")


class JobCreate(JobFields):
    title: Title


class JobUpdate(JobFields):
    """Any of the create fields except status; only the fields sent are changed."""

    title: Title = None  # type: ignore[assignment]
    owner_id: OwnerId = None  # type: ignore[assignment]  (a job always has an owner)


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
