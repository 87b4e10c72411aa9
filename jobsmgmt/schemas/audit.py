"""Audit log and verification responses (API.md §3 "Audit")."""

from __future__ import annotations

from typing import Any, Literal

from .common import PageQuery, Pagination, RequestModel, ResponseModel, UTCTime


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
    job_id: str | None = None


class AuditProblemOut(ResponseModel):
    job_id: str
    seq: int
    kind: Literal["edited", "missing", "reordered", "truncated"]
    message: str


class VerifyResult(ResponseModel):
    success: Literal[True] = True
    valid: bool
    jobs_checked: int
    entries_checked: int
    problems: list[AuditProblemOut]
