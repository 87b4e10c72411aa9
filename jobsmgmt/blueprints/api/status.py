"""JSON route for the status lifecycle (API.md §3 ``PUT /{job_id}/status``)."""

from __future__ import annotations

from ...auth import actor_for
from ...extensions import db
from ...schemas.status import StatusChangeRequest, StatusChangeResult
from ...services import policy, status
from .base import route


@route(
    "/jobs-management/<job_id>/status",
    "PUT",
    summary="Move a job to another status",
    tag="jobs-management",
    permission=policy.WRITE_JOBS,
    body=StatusChangeRequest,
    response=StatusChangeResult,
    errors=(404, 409, 422),
    description=(
        "Allowed moves: draft→open|archived, open→on_hold|closed, on_hold→open|closed, "
        "closed→open|archived, archived→closed. The same status is 200 with changed=false; "
        "any other move is 409 invalid_transition with details.allowed."
    ),
)
def change_job_status(user, job_id: str, body: StatusChangeRequest):
    result = status.change_status(db.session, job_id, body.status, actor_for(user), body.reason)
    return {
        "success": True,
        "id": result.job.id,
        "status": result.job.status,
        "previous_status": result.previous_status,
        "changed": result.changed,
    }
