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
)
from ...schemas.common import pagination
from ...services import bulk, policy
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
    "Otherwise 202 and a queued operation whose progress is at the Location URL.",
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
