"""``/jobs/<id>/status``: move a job to another status (the same service as the JSON API)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..auth import actor_for, permission_required
from ..extensions import db
from ..services import jobs, policy
from ..services import status as lifecycle
from ..services.errors import DomainError

bp = Blueprint("status", __name__)


class StatusForm(FlaskForm):
    status = SelectField("New status", validators=[DataRequired()], validate_choice=False)
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=lifecycle.MAX_REASON_LENGTH)],
        description="Optional; shown in the history, the audit log and the owner's notification.",
    )
    current_status = HiddenField()
    submit = SubmitField("Change status")


@bp.route("/jobs/<job_id>/status", methods=["GET", "POST"])
@permission_required(policy.WRITE_JOBS)
def change(job_id: str):
    job = jobs.get_job(db.session, job_id)
    form = StatusForm()
    labels = lifecycle.STATUS_LABELS
    form.status.choices = [(s, labels[s]) for s in lifecycle.allowed_moves(job.status)]
    if request.method == "GET":
        form.current_status.data = job.status
    if form.validate_on_submit():
        try:
            result = lifecycle.change_status(
                db.session,
                job_id,
                form.status.data,
                actor_for(current_user),
                form.reason.data,
                expected_status=form.current_status.data or None,
            )
        except DomainError as error:  # the request's session is rolled back at teardown
            flash(error.message, "warning" if error.status == 409 else "danger")
            return redirect(url_for("status.change", job_id=job_id))
        label = labels[result.job.status]
        if result.changed:
            flash(
                f"Status changed from {labels[result.previous_status]} to {label}.",
                "success",
            )
        else:
            flash(f"The job is already {label}; nothing changed.", "info")
        return redirect(url_for("jobs.detail", job_id=job_id))
    return render_template("status/change.html", job=job, form=form)
