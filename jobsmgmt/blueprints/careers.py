"""The public careers site (no login): open jobs, a page per job that counts anonymous views,
and the apply form. Applying follows the same rules as the API (services.applications)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, SubmitField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..extensions import db, limiter
from ..models import PORTALS, Job, utcnow
from ..schemas.common import unstorable_text
from ..services import applications, careers
from ..services.errors import Conflict, NotFound, ValidationFailed
from .form_checks import storable
from .paging import page_arg, pages_for

bp = Blueprint("careers", __name__, url_prefix="/careers")
PER_PAGE = 20
SOURCES = ("careers", *PORTALS)


def _page_limit() -> str:
    return current_app.config["CAREERS_PAGE_LIMIT"]


def _apply_limit() -> str:
    return current_app.config["CAREERS_APPLY_LIMIT"]


# One budget per client across every careers page (list, job, apply form, thank-you).
careers_pages = limiter.shared_limit(_page_limit, scope="careers-pages", methods=["GET"])


def _visitor() -> str | None:
    """This request's visitor hash, or None for a bot (whose views are not counted)."""
    agent = request.user_agent.string
    if careers.is_bot(agent):
        return None
    day = utcnow().date()
    return careers.visitor_hash(
        current_app.config["SECRET_KEY"].encode(), request.remote_addr, agent[:500], day
    )


class ApplyForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200), storable])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=255), storable])
    phone = TelField("Phone", validators=[Optional(), Length(max=50), storable])
    skills = StringField(
        "Skills",
        validators=[Optional(), Length(max=2000), storable],
        description="Comma-separated, e.g. Python, SQL, Figma",
    )
    resume_text = TextAreaField(
        "Résumé",
        validators=[Optional(), Length(max=50_000), storable],
        description="Paste it as text.",
    )
    source = HiddenField()  # the portal whose link brought the applicant (?source=linkedin)
    submit = SubmitField("Send application")

    def skill_list(self) -> list[str]:
        return [s.strip()[:100] for s in (self.skills.data or "").split(",") if s.strip()][:100]

    def send(self, job_id: str) -> None:
        """Apply through the same service as the API."""
        applications.apply(
            db.session,
            job_id,
            {"name": self.name.data, "email": self.email.data, "phone": self.phone.data},
            resume_text=self.resume_text.data or None,
            skills=self.skill_list(),
            source=self.source.data if self.source.data in SOURCES else "careers",
        )


def _unavailable(job_id: str):
    return render_template("careers/unavailable.html", job_id=job_id), 404


def _not_accepting(job: Job, message: str, code: str):
    return render_template("careers/closed.html", job=job, message=message, code=code), 409


@bp.get("")
@careers_pages
def index():
    search = request.args.get("q", "").strip()[:200]
    if unstorable_text(search):
        search = ""
    page = page_arg()
    rows, total = careers.list_open_jobs(db.session, search, page, PER_PAGE)
    return render_template(
        "careers/index.html",
        jobs=rows,
        total=total,
        search=search,
        page=page,
        pages=pages_for(total, PER_PAGE),
    )


@bp.get("/<job_id>")
@careers_pages
def job(job_id: str):
    try:
        if current_user.is_authenticated or request.method == "HEAD":  # staff, probes: no view
            shown = careers.get_open_job(db.session, job_id)
        else:
            shown = careers.record_view(db.session, job_id, _visitor())
    except NotFound:
        return _unavailable(job_id)
    return render_template(
        "careers/job.html", job=shown, problem=applications.accepting_problem(shown)
    )


@bp.route("/<job_id>/apply", methods=["GET", "POST"])
@careers_pages
@limiter.limit(_apply_limit, methods=["POST"])
def apply(job_id: str):
    try:
        job = careers.get_published_job(db.session, job_id)
    except NotFound:
        return _unavailable(job_id)
    problem = applications.accepting_problem(job)
    if problem:
        return _not_accepting(job, problem, "job_not_accepting")
    form = ApplyForm()
    if request.method == "GET" and request.args.get("source") in SOURCES:
        form.source.data = request.args["source"]
    if form.validate_on_submit():
        try:
            form.send(job_id)
        except Conflict as error:  # closed meanwhile, or applied before
            return _not_accepting(
                careers.get_published_job(db.session, job_id), error.message, error.code
            )
        except ValidationFailed as error:
            form.email.errors = [*form.email.errors, error.message]
        except NotFound:
            return _unavailable(job_id)
        else:
            return redirect(url_for("careers.applied", job_id=job_id))
    status = 422 if form.errors else 200
    return render_template("careers/apply.html", job=job, form=form), status


@bp.get("/<job_id>/applied")
@careers_pages
def applied(job_id: str):
    try:
        job = careers.get_published_job(db.session, job_id)
    except NotFound:
        return _unavailable(job_id)
    return render_template("careers/applied.html", job=job)
