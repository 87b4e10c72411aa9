"""``/jobs/<id>/postings``: post a job to LinkedIn, Indeed and Naukri and follow each posting;
``/feeds/indeed.xml``: the public Indeed job feed. Same services as the JSON API."""

from __future__ import annotations

from email.utils import format_datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth import actor_for, permission_required
from ..extensions import db
from ..models import PORTALS
from ..portals import LABELS
from ..services import feed, jobs, policy, postings
from ..services.errors import DomainError
from .form_checks import storable

bp = Blueprint("postings", __name__)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PostingsForm(FlaskForm):
    portals = MultiCheckboxField(
        "Portals",
        choices=[(p, LABELS[p]) for p in PORTALS],
        validators=[DataRequired(message="Choose at least one portal.")],
    )
    expires_in_days = IntegerField(
        "Expires after (days)",
        default=postings.DEFAULT_EXPIRES_IN_DAYS,
        validators=[DataRequired(), NumberRange(1, postings.MAX_EXPIRES_IN_DAYS)],
    )
    linkedin_title = StringField(
        "LinkedIn title", validators=[Optional(), Length(max=200), storable]
    )
    linkedin_location = StringField(
        "LinkedIn location",
        validators=[Optional(), Length(max=200), storable],
        description='"City, Country" or a country code; leave empty to use the job\'s.',
    )
    linkedin_description = TextAreaField(
        "LinkedIn description",
        validators=[Optional(), Length(max=25_000), storable],
        description="100–25,000 characters; leave empty to use the job's.",
    )
    indeed_title = StringField("Indeed title", validators=[Optional(), Length(max=200), storable])
    indeed_location = StringField(
        "Indeed location", validators=[Optional(), Length(max=200), storable]
    )
    naukri_title = StringField("Naukri title", validators=[Optional(), Length(max=200), storable])
    naukri_location = StringField(
        "Naukri location", validators=[Optional(), Length(max=200), storable]
    )
    submit = SubmitField("Post")

    def field_mappings(self) -> dict:
        mappings: dict[str, dict] = {}
        for portal in PORTALS:
            for name in ("title", "location", "description"):
                f = getattr(self, f"{portal}_{name}", None)
                if f is not None and (f.data or "").strip():
                    mappings.setdefault(portal, {})[name] = f.data.strip()
        return mappings


class ActionForm(FlaskForm):
    """The retry / refresh / withdraw buttons (CSRF only)."""


@bp.route("/jobs/<job_id>/postings", methods=["GET", "POST"])
@permission_required(policy.READ)
def index(job_id: str):
    job = jobs.get_job(db.session, job_id)
    form = PostingsForm()
    if request.method == "POST":
        if not policy.can(current_user, policy.POST_EXTERNAL):
            return ("Your role does not allow posting jobs.", 403)
        if form.validate_on_submit():
            try:
                rows = postings.post_job(
                    db.session,
                    job_id,
                    form.portals.data,
                    actor_for(current_user),
                    expires_in_days=form.expires_in_days.data,
                    field_mappings=form.field_mappings(),
                )
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "warning" if error.status == 409 else "danger")
            else:
                names = ", ".join(LABELS[r.portal] for r in rows)
                flash(f"Posting to {names} queued.", "success")
                return redirect(url_for("postings.index", job_id=job_id))
    rows = postings.list_postings(db.session, job_id)
    return render_template(
        "postings/index.html",
        job=job,
        form=form,
        action_form=ActionForm(),
        rows=rows,
        labels=LABELS,
        sandbox=bool(current_app.config.get("PORTAL_SANDBOX")),
        can_post=policy.can(current_user, policy.POST_EXTERNAL),
    ), (422 if form.errors else 200)


@bp.post("/jobs/<job_id>/postings/<portal>/<action>")
@permission_required(policy.POST_EXTERNAL)
def act(job_id: str, portal: str, action: str):
    form = ActionForm()
    if not form.validate_on_submit() or portal not in PORTALS:
        flash("The form expired; try again.", "warning")
        return redirect(url_for("postings.index", job_id=job_id))
    actor = actor_for(current_user)
    try:
        if action == "retry":
            days = postings.DEFAULT_EXPIRES_IN_DAYS
            postings.post_job(db.session, job_id, [portal], actor, expires_in_days=days)
            flash(f"{LABELS[portal]}: posting queued again.", "success")
        elif action == "refresh":
            postings.request_refresh(db.session, job_id, portal)
            flash(f"{LABELS[portal]}: asking the portal again.", "info")
        elif action == "withdraw":
            row = postings.withdraw_posting(db.session, job_id, portal, actor)
            flash(f"{LABELS[row.portal]}: withdrawn; closing it at the portal.", "success")
        else:
            return ("No such action.", 404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning" if error.status == 409 else "danger")
    return redirect(url_for("postings.index", job_id=job_id))


@bp.get("/feeds/indeed.xml")
def indeed_feed():
    """Indeed's XML job feed: every open job with a live Indeed posting, values in CDATA,
    streamed; ``ETag``/``Last-Modified`` answer a repeated fetch with 304."""
    base = (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")
    company = (current_app.config.get("PORTALS") or {}).get("PORTAL_COMPANY_NAME") or "jobsmgmt"
    version = feed.feed_version(db.session)
    etag = f'"indeed-{version.token}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if version.last_modified is not None:
        headers["Last-Modified"] = format_datetime(version.last_modified, usegmt=True)
    if request.if_none_match.contains(etag.strip('"')) or (
        version.last_modified is not None
        and not request.if_none_match
        and request.if_modified_since is not None
        and version.last_modified.replace(microsecond=0) <= request.if_modified_since
    ):
        return Response(status=304, headers=headers)
    db.session.rollback()  # the stream reads on a session of its own
    body = feed.indeed_xml(db.engine, base_url=base, company=company)
    return Response(body, mimetype="application/xml", headers=headers)
