"""JSON routes for jobs (API.md §2)."""

from __future__ import annotations

from flask import Response

from ...auth import actor_for
from ...extensions import db
from ...schemas.jobs import JobCreate, JobEnvelope, JobUpdate
from ...services import jobs, policy
from .base import route

RULES = (
    "Beyond each field's schema, 422 when owner_id is not an active admin or recruiter, or "
    "when application_deadline is in the past."
)


@route(
    "/jobs",
    "POST",
    summary="Create a job (status draft)",
    tag="jobs",
    permission=policy.WRITE_JOBS,
    body=JobCreate,
    response=JobEnvelope,
    status=201,
    description=RULES,
)
def create_job(user, body: JobCreate):
    job = jobs.create_job(db.session, body.model_dump(), actor_for(user))
    return {"success": True, "job": jobs.serialize(job)}, {"Location": f"/api/jobs/{job.id}"}


@route("/jobs/<job_id>", "GET", summary="Get a job", tag="jobs", response=JobEnvelope)
def get_job(user, job_id: str):
    return {"success": True, "job": jobs.serialize(jobs.get_job(db.session, job_id))}


@route(
    "/jobs/<job_id>",
    "PATCH",
    summary="Edit a job's fields (not its status)",
    tag="jobs",
    permission=policy.WRITE_JOBS,
    body=JobUpdate,
    response=JobEnvelope,
    errors=(409,),
    description=RULES + " 409 when the job is archived.",
)
def update_job(user, job_id: str, body: JobUpdate):
    job = jobs.update_job(db.session, job_id, body.model_dump(exclude_unset=True), actor_for(user))
    return {"success": True, "job": jobs.serialize(job)}


@route(
    "/jobs/<job_id>",
    "DELETE",
    summary="Soft-delete a draft, closed or archived job",
    tag="jobs",
    permission=policy.WRITE_JOBS,
    status=204,
    errors=(409,),
)
def delete_job(user, job_id: str):
    jobs.delete_job(db.session, job_id, actor_for(user))
    return Response(status=204)
