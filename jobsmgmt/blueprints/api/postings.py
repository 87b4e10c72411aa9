"""JSON routes for external postings (API.md "External postings")."""

from __future__ import annotations

from ...auth import actor_for
from ...extensions import db
from ...schemas.postings import PostingResult, PostingsRequest, PostingsResult
from ...services import policy, postings
from .base import route


@route(
    "/jobs-management/<job_id>/external-postings",
    "POST",
    summary="Post a job to external portals",
    tag="external-postings",
    permission=policy.POST_EXTERNAL,
    body=PostingsRequest,
    response=PostingsResult,
    status=202,
    errors=(404, 409, 422),
    description=(
        "Queues delivery to each portal. A portal already pending/posted is returned "
        "unchanged; a failed/expired/withdrawn one is queued again. 409 when the job is not "
        "open; 422 for an unknown portal or a field the portal does not have."
    ),
)
def post_external(user, job_id: str, body: PostingsRequest):
    rows = postings.post_job(
        db.session,
        job_id,
        list(body.portals),
        actor_for(user),
        expires_in_days=body.expires_in_days,
        field_mappings=body.field_mappings,
    )
    return {"success": True, "postings": [postings.serialize(row) for row in rows]}


@route(
    "/jobs-management/<job_id>/external-postings",
    "GET",
    summary="A job's external postings",
    tag="external-postings",
    response=PostingsResult,
    errors=(404,),
)
def list_external(user, job_id: str):
    rows = postings.list_postings(db.session, job_id)
    return {"success": True, "postings": [postings.serialize(row) for row in rows]}


@route(
    "/jobs-management/<job_id>/external-postings/<portal>",
    "DELETE",
    summary="Withdraw a job's posting from a portal",
    tag="external-postings",
    permission=policy.POST_EXTERNAL,
    response=PostingResult,
    status=202,
    errors=(404, 409, 422),
    description="Marks the posting withdrawn and queues the CLOSE at the portal.",
)
def withdraw_external(user, job_id: str, portal: str):
    row = postings.withdraw_posting(db.session, job_id, portal, actor_for(user))
    return {"success": True, "posting": postings.serialize(row)}


@route(
    "/jobs-management/<job_id>/external-postings/<portal>/refresh",
    "POST",
    summary="Ask the portal again about a posting",
    tag="external-postings",
    permission=policy.POST_EXTERNAL,
    response=PostingResult,
    status=202,
    errors=(404, 422),
    description="Polls the posting's LinkedIn task (or repeats its pending action).",
)
def refresh_external(user, job_id: str, portal: str):
    row = postings.request_refresh(db.session, job_id, portal)
    return {"success": True, "posting": postings.serialize(row)}
