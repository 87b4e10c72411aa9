"""Bulk pages: the dashboard's selected jobs → ``/bulk`` (operation and parameters) → dry-run
preview → confirm → ``/bulk/<operation_id>`` (live progress, then per-job results)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth import actor_for, permission_required
from ..extensions import db
from ..models import BULK_OPERATIONS, EMPLOYMENT_TYPES, PORTALS, STATUSES
from ..schemas.bulk import MAX_JOBS, BulkUpdateRequest
from ..schemas.common import unstorable_text
from ..services import bulk, bulk_undo, policy, users
from ..services.errors import DomainError
from . import form_once
from .form_checks import storable
from .form_fields import DeadlineField, owner_choices
from .form_once import FormToken
from .labels import label, people_in
from .paging import page_arg, pages_for

bp = Blueprint("bulk", __name__, url_prefix="/bulk")

OPERATION_LABELS = {
    "status_update": "Change status",
    "update_fields": "Update fields",
    "extend_deadline": "Extend the application deadline",
    "post_external": "Post to job portals",
    "delete": "Delete (soft)",
    "undo": "Undo",
}
STATUS_CLASSES = {
    "queued": "text-bg-info",
    "processing": "text-bg-primary",
    "completed": "text-bg-success",
    "completed_with_errors": "text-bg-warning",
    "failed": "text-bg-danger",
}
BLANK = [("", "— keep —")]


class BulkForm(FlaskForm):
    operation = SelectField(
        "Operation", choices=[(op, OPERATION_LABELS[op]) for op in BULK_OPERATIONS]
    )
    status = SelectField("New status", choices=[(s, label(s)) for s in STATUSES])
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=1000), storable])
    department = StringField("Department", validators=[Optional(), Length(max=100), storable])
    location = StringField("Location", validators=[Optional(), Length(max=200), storable])
    employment_type = SelectField(
        "Employment type",
        choices=BLANK + [(t, label(t)) for t in EMPLOYMENT_TYPES],
    )
    application_deadline = DeadlineField()
    owner_id = SelectField("Owner")
    days = IntegerField("Extend by (days)", validators=[Optional(), NumberRange(1, 365)])
    portals = SelectMultipleField(
        "Portals",
        choices=[(p, p.capitalize()) for p in PORTALS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    expires_in_days = IntegerField(
        "Expires after (days)", default=30, validators=[Optional(), NumberRange(1, 90)]
    )
    form_token = FormToken()

    def fill_choices(self) -> None:
        self.owner_id.choices = BLANK + owner_choices(db.session)

    def parameters(self) -> dict:
        """The API's ``parameters`` for the chosen operation, from the fields that apply."""
        op = self.operation.data
        if op == "status_update":
            params = {"status": self.status.data}
            if (self.reason.data or "").strip():
                params["reason"] = self.reason.data.strip()
            return params
        if op == "update_fields":
            params = {
                name: getattr(self, name).data.strip()
                for name in ("department", "location", "employment_type", "owner_id")
                if (getattr(self, name).data or "").strip()
            }
            deadline = self.application_deadline.utc()
            if deadline is not None:
                params["application_deadline"] = deadline
            return params
        if op == "extend_deadline":
            return {"days": self.days.data}
        if op == "post_external":
            return {
                "portals": list(self.portals.data or []),
                "expires_in_days": self.expires_in_days.data or 30,
            }
        return {}


# Repeated ids count once, but a request carrying more than this many is refused outright.
MAX_SELECTED_VALUES = 10 * MAX_JOBS


def _selected_ids() -> list[str]:
    """The selected job ids, at most ``MAX_JOBS`` distinct: checked before any query (a 422
    page otherwise), so no request can send the database an unbounded IN list."""
    source = request.form if request.method == "POST" else request.args
    ids = []
    for value in source.getlist("job_ids"):
        ids.extend(part.strip() for part in value.split(",") if part.strip())
        if len(ids) > MAX_SELECTED_VALUES:
            break
    # An id no job can have (NUL, absurd length) is dropped rather than sent to the database.
    ids = list(dict.fromkeys(i for i in ids if len(i) <= 100 and not unstorable_text(i)))
    if len(ids) > MAX_JOBS:
        abort(
            422,
            f"Too many jobs selected: a bulk operation takes at most {MAX_JOBS} jobs. "
            "Select fewer and try again.",
        )
    return ids


def _validate(form: BulkForm, ids: list[str], dry_run: bool) -> BulkUpdateRequest | None:
    """The same request model as the JSON API; its errors go next to the form's fields."""
    body = {
        "job_ids": ids,
        "operation": form.operation.data,
        "parameters": form.parameters(),
        "dry_run": dry_run,
    }
    try:
        return BulkUpdateRequest.model_validate(body)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            name = str(item["loc"][-1]) if item["loc"] else ""
            target = getattr(form, name, None) if len(item["loc"]) > 2 else None
            if target is not None and hasattr(target, "errors"):
                target.errors = [*target.errors, item["msg"]]
            else:
                flash(item["msg"].removeprefix("Value error, "), "danger")
        return None


def _history(page: int):
    ops, total = bulk.list_operations(db.session, page=page, limit=10)
    return ops, pages_for(total, 10), bulk.initiator_names(db.session, ops)


def _page_context(form: BulkForm, ids: list[str]) -> dict:
    page = page_arg()
    ops, pages, names = _history(page)
    return {
        "form": form,
        "ids": ids,
        "jobs": bulk.selected_jobs(db.session, ids),
        "max_jobs": MAX_JOBS,
        "ops": ops,
        "pages": pages,
        "page": page,
        "names": names,
        "labels": OPERATION_LABELS,
        "status_classes": STATUS_CLASSES,
    }


def _preview_or_start(body: BulkUpdateRequest, context: dict):
    """A dry run renders the preview; a confirmed request starts the operation."""
    req = body.request
    try:
        if not req.dry_run:
            token = form_once.token_of(context["form"])
            if done := form_once.already_done(token):
                return done
            op = bulk.start_operation(
                db.session,
                req.operation,
                body.parameters_dict(),
                req.job_ids,
                actor_for(current_user),
            )
            flash(f"Bulk operation queued for {op.total_count} job(s).", "success")
            url = url_for("bulk.detail", operation_id=op.id)
            form_once.remember(token, url)
            return redirect(url)
        preview = bulk.dry_run(db.session, req.operation, body.parameters_dict(), req.job_ids)
    except DomainError as error:
        flash(error.message, "danger")
        return render_template("bulk/index.html", **context)
    people = people_in(*(r["changes"] for r in preview["results"]))
    context["names"] = users.names_by_id(db.session, people)
    return render_template("bulk/preview.html", preview=preview, **context)


@bp.route("", methods=["GET", "POST"])
@permission_required(policy.BULK)
def index():
    ids = _selected_ids()
    form = BulkForm()
    form.fill_choices()
    context = _page_context(form, ids)
    context["names"] = {}
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("bulk/index.html", **context)
    bulk.require_permission(current_user, form.operation.data)
    body = _validate(form, ids, dry_run=request.form.get("action") != "confirm")
    if body is None:
        return render_template("bulk/index.html", **context)
    return _preview_or_start(body, context)


def _detail_context(op) -> dict:
    done = len(op.results or [])
    titles = bulk.job_titles(db.session, op)
    changes = [r.get("changes") for r in op.results or []]
    return {
        "op": op,
        "done": done,
        "percent": round(100 * done / op.total_count) if op.total_count else 100,
        "final": op.status in bulk.FINAL_STATUSES,
        "titles": titles,
        "label": OPERATION_LABELS.get(op.operation_type, op.operation_type),
        "labels": OPERATION_LABELS,
        "initiator": bulk.initiator_names(db.session, [op]).get(op.initiated_by, "—"),
        "status_classes": STATUS_CLASSES,
        "names": users.names_by_id(db.session, people_in(*changes)),
        "undo_of": bulk.get_operation(db.session, op.undo_of) if op.undo_of else None,
        "undone_by": bulk_undo.undone_by(db.session, op.id),
        "undoable": bulk_undo.can_undo(op.operation_type),
        "undo_form": UndoForm(),
    }


class UndoForm(FlaskForm):
    """The undo buttons: a preview first, then the confirmation (CSRF only)."""


@bp.get("/<operation_id>")
@permission_required(policy.READ)
def detail(operation_id: str):
    op = bulk.get_operation(db.session, operation_id)
    return render_template("bulk/detail.html", **_detail_context(op))


@bp.post("/<operation_id>/undo")
@permission_required(policy.BULK)
def undo(operation_id: str):
    """Preview the undo (dry run), or, confirmed, start it as its own operation."""
    op = bulk.get_operation(db.session, operation_id)
    if not UndoForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    if op.operation_type in bulk.OPERATIONS:  # e.g. restoring deleted jobs needs WRITE_JOBS
        bulk.require_permission(current_user, op.operation_type)
    try:
        if request.form.get("action") == "confirm":
            undo_op = bulk_undo.start_undo(db.session, operation_id, actor_for(current_user))
            flash(f"Undo queued for {undo_op.total_count} job(s).", "success")
            return redirect(url_for("bulk.detail", operation_id=undo_op.id))
        preview = bulk_undo.dry_run(db.session, op)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("bulk.detail", operation_id=operation_id))
    op = bulk.get_operation(db.session, operation_id)
    context = _detail_context(op)
    context["names"] = users.names_by_id(
        db.session, people_in(*(r["changes"] for r in preview["results"]))
    )
    return render_template("bulk/undo_preview.html", preview=preview, **context)
