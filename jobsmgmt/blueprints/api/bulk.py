"""JSON routes for bulk operations (API.md §3 "bulk-update", "bulk-operations")."""

from __future__ import annotations

from ...auth import actor_for
from ...extensions import db
from ...schemas.bulk import (
    BulkUpdateRequest,
    DryRunResponse,
    OperationEnvelope,
    OperationList,
    OperationListQuery,
    QueuedResponse,
    UndoRequest,
)
from ...schemas.common import pagination
from ...services import bulk, bulk_undo, policy
from .base import render, route

PREFIX = "/jobs-management"


@route(
    f"{PREFIX}/bulk-update",
    "POST",
    summary="Run an operation on up to 50 jobs (dry run: preview only)",
    tag="bulk",
    permission=policy.BULK,
    body=BulkUpdateRequest,
    response=QueuedResponse,
    status=202,
    extra_responses={200: DryRunResponse},
    description="With dry_run true: 200 and each job's predicted outcome, nothing written. "
    "Otherwise 202 and a queued operation whose progress is at the Location URL. update_fields: "
    "422 when owner_id is not an active admin or recruiter or application_deadline is past.",
)
def bulk_update(user, body: BulkUpdateRequest):
    request = body.request
    bulk.require_permission(user, request.operation)
    parameters = body.parameters_dict()
    if request.dry_run:
        preview = bulk.dry_run(db.session, request.operation, parameters, request.job_ids)
        out = DryRunResponse.model_validate(preview).model_dump(mode="json")
        return render(None, out, 200), {}
    op = bulk.start_operation(
        db.session, request.operation, parameters, request.job_ids, actor_for(user)
    )
    out = QueuedResponse(operation_id=op.id, total_count=op.total_count).model_dump(mode="json")
    return render(None, out, 202), {"Location": f"/api{PREFIX}/bulk-operations/{op.id}"}


@route(
    f"{PREFIX}/bulk-operations/<operation_id>",
    "GET",
    summary="A bulk operation's status, counts and per-job results",
    tag="bulk",
    response=OperationEnvelope,
)
def get_bulk_operation(user, operation_id: str):
    return {"success": True, **bulk.serialize(bulk.get_operation(db.session, operation_id))}


@route(
    f"{PREFIX}/bulk-operations",
    "GET",
    summary="Bulk operations, newest first",
    tag="bulk",
    query=OperationListQuery,
    response=OperationList,
)
def list_bulk_operations(user, query: OperationListQuery):
    rows, total = bulk.list_operations(db.session, query.page, query.limit, query.status)
    return {
        "success": True,
        "bulk_operations": [bulk.serialize(op) for op in rows],
        "pagination": pagination(total, query.page, query.limit),
    }


@route(
    f"{PREFIX}/bulk-operations/<operation_id>/undo",
    "POST",
    summary="Undo a finished bulk operation (dry run: preview only)",
    tag="bulk",
    permission=policy.BULK,
    body=UndoRequest,
    response=QueuedResponse,
    status=202,
    errors=(404, 409),
    extra_responses={200: DryRunResponse},
    description="Restores each job's previous values from the operation's results and audit "
    "entries; a job changed since is a per-job failure `changed_since`. With dry_run true: 200 "
    "in the bulk-update dry-run shape, nothing written. Otherwise 202 and a new operation "
    "(`operation_type` `undo`, `undo_of`). 409 `operation_not_finished`, `already_undone`, "
    "`cannot_undo_undo`. Undoing post_external withdraws the postings it made that are live.",
)
def undo_bulk_operation(user, operation_id: str, body: UndoRequest):
    original = bulk.get_operation(db.session, operation_id)
    if original.operation_type in bulk.OPERATIONS:  # e.g. restoring deleted jobs
        bulk.require_permission(user, original.operation_type)
    if body.dry_run:
        preview = bulk_undo.dry_run(db.session, original)
        out = DryRunResponse.model_validate(preview).model_dump(mode="json")
        return render(None, out, 200), {}
    op = bulk_undo.start_undo(db.session, operation_id, actor_for(user))
    out = QueuedResponse(operation_id=op.id, total_count=op.total_count).model_dump(mode="json")
    return render(None, out, 202), {"Location": f"/api{PREFIX}/bulk-operations/{op.id}"}
