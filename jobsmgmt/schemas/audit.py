"""Audit log and verification responses (API.md §3 "Audit")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .common import PageQuery, Pagination, RequestModel, ResponseModel, Text, UTCTime


class AuditUser(ResponseModel):
    id: str
    name: str


class AuditEntryOut(ResponseModel):
    id: str
    seq: int
    action_type: str
    entity_type: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    user: AuditUser
    ip_address: str | None
    user_agent: str | None
    timestamp: UTCTime
    checksum: str


class AuditLogQuery(PageQuery):
    pass


class AuditLogPage(ResponseModel):
    success: Literal[True] = True
    audit_entries: list[AuditEntryOut]
    pagination: Pagination


class VerifyQuery(RequestModel):
    job_id: Text(64, 1, blank=False) | None = None


class AuditProblemOut(ResponseModel):
    job_id: str | None = Field(
        description="The job, 'security' for the security-event chain, null for a checkpoint"
    )
    seq: int
    kind: Literal[
        "edited",
        "missing",
        "reordered",
        "truncated",
        "deleted_job",
        "checkpoint_missing",
        "checkpoint_altered",
    ]
    message: str


class VerifyResult(ResponseModel):
    success: Literal[True] = True
    valid: bool
    jobs_checked: int
    entries_checked: int
    security_events_checked: int = 0
    checkpoints_checked: int = 0
    last_checkpoint_at: str | None = None
    problems: list[AuditProblemOut]
