"""``/jobs/<id>/audit``: a job's audit trail as field diffs; chain verification for admins."""

from __future__ import annotations

import json
import re
from datetime import datetime

from flask import Blueprint, render_template
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..auth import permission_required
from ..extensions import db
from ..services import audit, jobs, policy
from .display import localtime
from .paging import page_arg, pages_for

bp = Blueprint("audit", __name__)
PAGE_SIZE = 25


class VerifyForm(FlaskForm):
    submit = SubmitField("Verify audit chain")


ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _shown(value) -> str:
    """A stored value as the page shows it: times in the user's zone, JSON for structures."""
    if value is None:
        return "—"
    if isinstance(value, str):
        if ISO_UTC.match(value):
            try:
                return localtime(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        return value
    return json.dumps(value, ensure_ascii=False)


def diff_rows(entry: dict) -> list[tuple[str, str, str]]:
    """(field, old, new) for every field the entry names, in a stable order."""
    old = entry["old_values"] or {}
    new = entry["new_values"] or {}
    names = list(dict.fromkeys([*old, *new]))
    return [(name, _shown(old.get(name)), _shown(new.get(name))) for name in names]


@bp.get("/jobs/<job_id>/audit")
@permission_required(policy.READ)
def job_log(job_id: str):
    job = jobs.get_job(db.session, job_id, include_deleted=True)  # audit outlives deletion
    page = page_arg()
    entries, total = audit.list_entries(db.session, job_id, page, PAGE_SIZE)
    return render_template(
        "audit/log.html",
        job=job,
        entries=[(entry, diff_rows(entry)) for entry in entries],
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


@bp.route("/audit/verify", methods=["GET", "POST"])
@permission_required(policy.VERIFY_AUDIT)
def verify_all():
    form = VerifyForm()
    report = audit.verify(db.session) if form.validate_on_submit() else None
    return render_template("audit/verify.html", job=None, report=report, form=form)
