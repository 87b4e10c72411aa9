"""Application requests and responses (API.md §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..models import STAGES
from .common import UNSTORABLE, PageQuery, Pagination, RequestModel, ResponseModel, Text, UTCTime

Stage = Literal[STAGES]  # type: ignore[valid-type]
_PART = f"[^@\\s{UNSTORABLE}]+"
EMAIL = f"^{_PART}@{_PART}\\.{_PART}$"
Skill = Text(100, 1, blank=False)


class CandidateIn(RequestModel):
    name: Text(200, 1, blank=False)
    email: Text(255, 3, pattern=EMAIL)
    phone: Text(50) | None = None


class ApplicationCreate(RequestModel):
    candidate: CandidateIn
    resume_text: Text(50_000) | None = None
    skills: Annotated[list[Skill], Field(max_length=100)] | None = None
    match_score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    source: Text(100) | None = None


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
