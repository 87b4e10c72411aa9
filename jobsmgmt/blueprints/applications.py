"""The pipeline on the job page: stage counts, the applications table and moving a stage."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import actor_for, permission_required
from ..extensions import db
from ..models import STAGES
from ..schemas.common import unstorable_text
from ..services import applications, policy
from ..services.errors import DomainError
from .labels import label
from .paging import page_arg, pages_for

bp = Blueprint("applications", __name__)
PER_PAGE = 25


def pipeline_for(job) -> dict:
    """What ``jobs/_pipeline.html`` shows for ``job``: counts per stage and one page of
    applications (``?page=`` and ``?stage=`` of the job page)."""
    stage = request.args.get("stage")
    stage = stage if stage in STAGES else None
    page = page_arg()
    rows, total = applications.list_applications(db.session, job.id, stage, page, PER_PAGE)
    return {
        "histories": applications.stage_histories(db.session, [a.id for a in rows]),
        "next_stage": applications.next_stage,
        "counts": applications.stage_counts(db.session, job.id),
        "applications": rows,
        "stage": stage,
        "total": total,
        "page": page,
        "pages": pages_for(total, PER_PAGE),
        "stages": STAGES,
    }


@bp.app_context_processor
def inject_pipeline():
    return {"pipeline_for": pipeline_for}


def _back_to_job(job_id: str):
    if job_id and len(job_id) <= 100 and not unstorable_text(job_id):
        return redirect(url_for("jobs.detail", job_id=job_id, _anchor="pipeline"))
    return redirect(url_for("dashboard.index"))


@bp.post("/applications/<application_id>/stage")
@permission_required(policy.MANAGE_APPLICATIONS)
def move_stage(application_id: str):
    stage = request.form.get("stage", "")
    if stage == "rejected" and request.form.get("confirmed") != "1":
        application = applications.get_application(db.session, application_id)
        return render_template("jobs/confirm_reject.html", application=application)
    try:
        application, changed = applications.move_stage(
            db.session, application_id, stage, actor_for(current_user)
        )
    except DomainError as error:  # the request's session is rolled back at teardown
        flash(error.message, "danger")
        return _back_to_job(request.form.get("job_id", ""))
    who = application.candidate.name
    if changed and stage == "rejected":
        flash(f"{who} was rejected. “Undo rejection” on the candidate moves them back.", "success")
    elif changed:
        flash(f"{who} moved to {label(stage)}.", "success")
    else:
        flash(f"{who} is already {label(stage)}.", "info")
    return redirect(url_for("jobs.detail", job_id=application.job_id, _anchor="pipeline"))


@bp.post("/applications/<application_id>/undo-rejection")
@permission_required(policy.MANAGE_APPLICATIONS)
def undo_rejection(application_id: str):
    try:
        application = applications.undo_rejection(
            db.session, application_id, actor_for(current_user)
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back_to_job(request.form.get("job_id", ""))
    flash(
        f"Rejection undone: {application.candidate.name} is back in {label(application.stage)}.",
        "success",
    )
    return redirect(url_for("jobs.detail", job_id=application.job_id, _anchor="pipeline"))
