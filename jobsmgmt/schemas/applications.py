"""Application requests and responses (API.md §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..models import STAGES
from .common import PageQuery, Pagination, RequestModel, ResponseModel, UTCTime

Stage = Literal[STAGES]  # type: ignore[valid-type]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CandidateIn(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=255, pattern=EMAIL)
    ]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None


class ApplicationCreate(RequestModel):
    candidate: CandidateIn
    resume_text: Annotated[str, StringConstraints(max_length=50_000)] | None = None
    skills: Annotated[list[Skill], Field(max_length=100)] | None = None
    match_score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None


class StageUpdate(RequestModel):
    stage: Stage


class ApplicationQuery(PageQuery):
    stage: Stage | None = None


class CandidateOut(ResponseModel):
    id: str
    name: str
    email: str


class ApplicationOut(ResponseModel):
    id: str
    job_id: str
    candidate: CandidateOut
    stage: Stage
    match_score: float | None
    source: str | None
    applied_at: UTCTime
    updated_at: UTCTime


class ApplicationEnvelope(ResponseModel):
    success: Literal[True] = True
    application: ApplicationOut


class ApplicationList(ResponseModel):
    success: Literal[True] = True
    applications: list[ApplicationOut]
    pagination: Pagination
