"""External postings requests and responses (API.md "External postings")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..models import PORTALS, POSTING_STATUSES
from .common import RequestModel, ResponseModel, UTCTime

Portal = Literal[PORTALS]  # type: ignore[valid-type]
PostingStatus = Literal[POSTING_STATUSES]  # type: ignore[valid-type]
FieldValue = Annotated[str, StringConstraints(max_length=25_000)]


class PostingsRequest(RequestModel):
    portals: Annotated[list[Portal], Field(min_length=1, max_length=len(PORTALS))]
    field_mappings: dict[str, dict[str, FieldValue]] = Field(
        default_factory=dict,
        description="Per-portal overrides: linkedin title/description/location/"
        "employment_status, indeed and naukri title/description/location.",
    )
    expires_in_days: int = Field(default=30, ge=1, le=90)


class Posting(ResponseModel):
    id: str
    portal: Portal
    status: PostingStatus
    external_job_id: str | None
    external_url: str | None
    posted_at: UTCTime | None
    expires_at: UTCTime | None
    error_message: str | None
    updated_at: UTCTime
    pending_action: Literal["publish", "update", "close"] | None = None
    attempts: int = 0


class PostingsResult(ResponseModel):
    success: Literal[True] = True
    postings: list[Posting]


class PostingResult(ResponseModel):
    success: Literal[True] = True
    posting: Posting
