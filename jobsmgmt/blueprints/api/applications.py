"""JSON routes for applications (API.md §2)."""

from __future__ import annotations

from ...auth import actor_for
from ...extensions import db
from ...schemas.applications import (
    ApplicationCreate,
    ApplicationEnvelope,
    ApplicationList,
    ApplicationQuery,
    StageUpdate,
)
from ...schemas.common import pagination
from ...services import applications, policy
from .base import route


@route(
    "/jobs/<job_id>/applications",
    "POST",
    summary="Apply to an open job (once per candidate)",
    tag="applications",
    permission=policy.MANAGE_APPLICATIONS,
    body=ApplicationCreate,
    response=ApplicationEnvelope,
    status=201,
    errors=(409,),
    description="409 `job_not_accepting` when the job is not open or its deadline has passed; "
    "409 `duplicate_application` when the candidate (by e-mail) already applied.",
)
def create_application(user, job_id: str, body: ApplicationCreate):
    application = applications.apply(
        db.session,
        job_id,
        body.candidate.model_dump(),
        resume_text=body.resume_text,
        skills=body.skills,
        match_score=body.match_score,
        source=body.source,
    )
    return {"success": True, "application": applications.serialize(application)}


@route(
    "/jobs/<job_id>/applications",
    "GET",
    summary="List a job's applications",
    tag="applications",
    query=ApplicationQuery,
    response=ApplicationList,
)
def list_applications(user, job_id: str, query: ApplicationQuery):
    rows, total = applications.list_applications(
        db.session, job_id, query.stage, query.page, query.limit
    )
    return {
        "success": True,
        "applications": [applications.serialize(a) for a in rows],
        "pagination": pagination(total, query.page, query.limit),
    }


@route(
    "/applications/<application_id>",
    "PATCH",
    summary="Move an application to another stage",
    tag="applications",
    permission=policy.MANAGE_APPLICATIONS,
    body=StageUpdate,
    response=ApplicationEnvelope,
    errors=(409,),
    description="409 `application_final` from hired, rejected or withdrawn; the same stage "
    "again changes nothing.",
)
def update_application(user, application_id: str, body: StageUpdate):
    application, _ = applications.move_stage(
        db.session, application_id, body.stage, actor_for(user)
    )
    return {"success": True, "application": applications.serialize(application)}
