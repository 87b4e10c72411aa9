"""Job pages: create, view, edit, delete. The same service as the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth import actor_for, permission_required
from ..extensions import db
from ..models import EMPLOYMENT_TYPES
from ..services import jobs, policy, users
from ..services import status as lifecycle
from ..services.errors import DomainError
from . import form_once
from .form_checks import storable
from .form_fields import DeadlineField, owner_choices
from .form_once import FormToken

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

EMPLOYMENT_CHOICES = [(value, value.replace("_", " ").capitalize()) for value in EMPLOYMENT_TYPES]


class JobForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), storable])
    department = StringField("Department", validators=[Length(max=100), storable])
    location = StringField("Location", validators=[Length(max=200), storable])
    employment_type = SelectField("Employment type", choices=EMPLOYMENT_CHOICES)
    description = TextAreaField("Description", validators=[Length(max=20000), storable])
    required_skills = StringField(
        "Required skills",
        validators=[Length(max=2000), storable],
        description="Comma-separated, e.g. Python, SQL, Flask",
    )
    application_deadline = DeadlineField()
    owner_id = SelectField("Owner")
    form_token = FormToken()
    submit = SubmitField("Save job")

    def validate_required_skills(self, field) -> None:
        """The API's limits: at most 50 skills of at most 100 characters each."""
        skills = [s.strip() for s in (field.data or "").split(",") if s.strip()]
        if len(skills) > 50 or any(len(skill) > 100 for skill in skills):
            raise ValidationError("List at most 50 skills, each at most 100 characters.")

    def fill_owner_choices(self) -> None:
        self.owner_id.choices = owner_choices(db.session)

    def to_fields(self) -> dict:
        skills = [s.strip() for s in (self.required_skills.data or "").split(",") if s.strip()]
        return {
            "title": self.title.data.strip(),
            "department": (self.department.data or "").strip(),
            "location": (self.location.data or "").strip(),
            "employment_type": self.employment_type.data,
            "description": self.description.data or "",
            "required_skills": skills,
            "application_deadline": self.application_deadline.utc(),
            "owner_id": self.owner_id.data,
        }

    def load(self, job) -> None:
        self.title.data = job.title
        self.department.data = job.department
        self.location.data = job.location
        self.employment_type.data = job.employment_type
        self.description.data = job.description
        self.required_skills.data = ", ".join(job.required_skills or [])
        self.application_deadline.show(job.application_deadline)
        self.owner_id.data = job.owner_id


def _show_errors(form: FlaskForm, error: DomainError) -> None:
    for name, message in error.details.get("fields", {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    flash(error.message, "danger")


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


@bp.route("/new", methods=["GET", "POST"])
@permission_required(policy.WRITE_JOBS)
def new():
    form = JobForm()
    form.fill_owner_choices()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if request.method == "POST" and (done := form_once.already_done(form_once.token_of(form))):
        return done
    if form.validate_on_submit():
        try:
            job = jobs.create_job(db.session, form.to_fields(), actor_for(current_user))
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(f"Job “{job.title}” created as a draft.", "success")
            url = url_for("jobs.detail", job_id=job.id)
            form_once.remember(form_once.token_of(form), url)
            return redirect(url)
    return render_template("jobs/form.html", form=form, job=None)


@bp.get("/<job_id>")
@permission_required(policy.READ)
def detail(job_id: str):
    job = jobs.get_job(db.session, job_id)
    change = lifecycle.latest_change(db.session, job)
    who = users.name_of(db.session, change.changed_by) if change else None
    return render_template(
        "jobs/detail.html", job=job, now=datetime.now(UTC), status_change=change, changed_by=who
    )


@bp.route("/<job_id>/edit", methods=["GET", "POST"])
@permission_required(policy.WRITE_JOBS)
def edit(job_id: str):
    job = jobs.get_job(db.session, job_id)
    form = JobForm()
    form.fill_owner_choices()
    if request.method == "GET":
        form.load(job)
    if form.validate_on_submit():
        fields = form.to_fields()
        if _same_minute(fields["application_deadline"], job.application_deadline):
            del fields["application_deadline"]  # untouched (the form shows minutes only)
        try:
            jobs.update_job(db.session, job_id, fields, actor_for(current_user))
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash("Job saved.", "success")
            return redirect(url_for("jobs.detail", job_id=job_id))
    return render_template("jobs/form.html", form=form, job=job)


@bp.post("/<job_id>/delete")
@permission_required(policy.WRITE_JOBS)
def delete(job_id: str):
    try:
        jobs.delete_job(db.session, job_id, actor_for(current_user))
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("jobs.detail", job_id=job_id))
    flash("Job deleted. It stays in the audit log.", "success")
    return redirect(url_for("dashboard.index"))
