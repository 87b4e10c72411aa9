"""JSON routes for the audit trail (API.md §3 "Audit")."""

from __future__ import annotations

from ...extensions import db
from ...schemas.audit import AuditLogPage, AuditLogQuery, VerifyQuery, VerifyResult
from ...schemas.common import pagination
from ...services import audit, integrity, jobs, policy
from ..audit import configured_checkpoint_records
from .base import route


@route(
    "/jobs-management/<job_id>/audit-log",
    "GET",
    summary="A job's audit entries, newest first (deleted jobs included)",
    tag="audit",
    query=AuditLogQuery,
    response=AuditLogPage,
    errors=(404, 422),
)
def job_audit_log(user, job_id: str, query: AuditLogQuery):
    entries, total = audit.list_entries(db.session, job_id, query.page, query.limit)
    return {
        "success": True,
        "audit_entries": entries,
        "pagination": pagination(total, query.page, query.limit),
    }


@route(
    "/jobs-management/audit/verify",
    "GET",
    summary="Verify the audit chains (all jobs, or one with job_id)",
    tag="audit",
    permission=policy.VERIFY_AUDIT,
    query=VerifyQuery,
    response=VerifyResult,
    errors=(404, 422),
)
def verify_audit_chain(user, query: VerifyQuery):
    if query.job_id is not None:
        jobs.get_job(db.session, query.job_id, include_deleted=True)  # 404 for an unknown job
    records = None if query.job_id else configured_checkpoint_records()
    key = audit.signing_key(db.session)
    report = integrity.verify(db.session, key, query.job_id, checkpoint_records=records)
    return {"success": True, **report.as_dict()}
