"""``/jobs/<id>/audit``: a job's audit trail as field diffs; chain verification for admins."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..auth import permission_required
from ..extensions import db
from ..services import audit, checkpoints, integrity, jobs, policy, users
from .labels import label, people_in, show_value
from .paging import page_arg, pages_for

bp = Blueprint("audit", __name__)
PAGE_SIZE = 25


class VerifyForm(FlaskForm):
    submit = SubmitField("Verify audit chain")


def diff_rows(entry: dict, names: dict | None = None) -> list[tuple[str, str, str]]:
    """(field label, old, new) for every field the entry names, in a stable order; people by
    name, codes as words, times in the user's zone."""
    old = entry["old_values"] or {}
    new = entry["new_values"] or {}
    fields = list(dict.fromkeys([*old, *new]))
    return [
        (
            label(name),
            show_value(old.get(name), name, names),
            show_value(new.get(name), name, names),
        )
        for name in fields
    ]


@bp.get("/jobs/<job_id>/audit")
@permission_required(policy.READ)
def job_log(job_id: str):
    job = jobs.get_job(db.session, job_id, include_deleted=True)  # audit outlives deletion
    page = page_arg()
    entries, total = audit.list_entries(db.session, job_id, page, PAGE_SIZE)
    ids = people_in(*(e["old_values"] for e in entries), *(e["new_values"] for e in entries))
    names = users.names_by_id(db.session, ids)
    return render_template(
        "audit/log.html",
        job=job,
        entries=[(entry, diff_rows(entry, names)) for entry in entries],
        total=total,
        page=page,
        pages=pages_for(total, PAGE_SIZE),
        verify_form=VerifyForm(),
    )


@bp.post("/jobs/<job_id>/audit/verify")
@permission_required(policy.VERIFY_AUDIT)
def verify_job(job_id: str):
    job = jobs.get_job(db.session, job_id, include_deleted=True)
    report = audit.verify(db.session, job_id)
    return render_template("audit/verify.html", job=job, report=report, form=VerifyForm())


def configured_checkpoint_records() -> list[dict] | None:
    """The checkpoint file this installation writes (desktop), read for verification; None
    when there is none (hosted: the checkpoints are in the log drain, use the CLI)."""
    name = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    if not name or not Path(name).exists():
        return None
    with open(name, encoding="utf-8") as handle:
        return checkpoints.parse_lines(handle)[0]


@bp.route("/audit/verify", methods=["GET", "POST"])
@permission_required(policy.VERIFY_AUDIT)
def verify_all():
    form = VerifyForm()
    report = None
    records = None
    if form.validate_on_submit():
        records = configured_checkpoint_records()
        report = integrity.verify(
            db.session, audit.signing_key(db.session), checkpoint_records=records
        )
    return render_template(
        "audit/verify.html", job=None, report=report, form=form, with_file=records is not None
    )
