"""Status change requests and responses (API.md §3 ``PUT /{job_id}/status``)."""

from __future__ import annotations

from typing import Literal

from .common import RequestModel, ResponseModel, Text
from .jobs import JobStatus


class StatusChangeRequest(RequestModel):
    status: JobStatus
    reason: Text(1000) | None = None


class StatusChangeResult(ResponseModel):
    success: Literal[True] = True
    id: str
    status: JobStatus
    previous_status: JobStatus
    changed: bool
