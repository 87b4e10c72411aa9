"""``/admin/users``: admins add users and change roles."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..auth import event_context, permission_required
from ..extensions import db
from ..models import ROLES
from ..schemas.common import unstorable_text
from ..services import policy, security, users
from ..services.errors import DomainError
from .form_checks import storable
from .paging import page_arg, pages_for

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLE_CHOICES = [(role, role.capitalize()) for role in ROLES]


class NewUserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=255), storable])
    name = StringField("Name", validators=[DataRequired(), Length(max=200), storable])
    role = SelectField("Role", choices=ROLE_CHOICES, default="recruiter")
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(min=8, max=200)]
    )
    submit = SubmitField("Add user")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")
    submit = SubmitField("Save")


@bp.route("/users", methods=["GET", "POST"])
@permission_required(policy.MANAGE_USERS)
def user_list():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(
                db.session,
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                events=event_context(current_user),
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"User {user.email} added as {user.role}.", "success")
            return redirect(url_for("admin.user_list"))
    people = users.list_users(db.session)
    role_forms = {}
    for person in people:
        role_form = RoleForm(prefix=person.id, formdata=None)
        role_form.role.data = person.role
        role_form.active.data = person.is_active
        role_forms[person.id] = role_form
    return render_template("admin/users.html", form=form, people=people, role_forms=role_forms)


@bp.post("/users/<user_id>")
@permission_required(policy.MANAGE_USERS)
def update_user(user_id: str):
    form = RoleForm(prefix=user_id)
    if not form.validate_on_submit():
        flash("The change could not be saved; reload the page and try again.", "danger")
        return redirect(url_for("admin.user_list"))
    if user_id == current_user.id and (form.role.data != "admin" or not form.active.data):
        flash("You cannot remove your own admin rights or deactivate yourself.", "warning")
        return redirect(url_for("admin.user_list"))
    try:
        user = users.set_role(
            db.session,
            user_id,
            form.role.data,
            bool(form.active.data),
            events=event_context(current_user),
        )
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(
            f"{user.email} is now {user.role}{'' if user.is_active else ' (inactive)'}.", "success"
        )
    return redirect(url_for("admin.user_list"))


EVENTS_PER_PAGE = 50


def _date_arg(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2999 else None


def _event_filters() -> tuple[security.EventFilters, dict]:
    """The filters from the query string; anything unusable is dropped, not an error."""
    event_type = request.args.get("event_type", "").strip()
    email = request.args.get("email", "").strip()[:255]
    if event_type not in security.EVENT_TYPES:
        event_type = ""
    if unstorable_text(email):
        email = ""
    filters = security.EventFilters(
        event_type=event_type or None,
        email=email or None,
        date_from=_date_arg("date_from"),
        date_to=_date_arg("date_to"),
    )
    args = {
        "event_type": event_type,
        "email": email,
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    return filters, args


@bp.get("/security-events")
@permission_required(policy.MANAGE_USERS)
def security_events():
    filters, args = _event_filters()
    page = page_arg()
    events, total = security.list_events(db.session, filters, page, EVENTS_PER_PAGE)
    query = urlencode({k: v for k, v in args.items() if v})
    return render_template(
        "admin/security_events.html",
        events=events,
        total=total,
        page=page,
        pages=pages_for(total, EVENTS_PER_PAGE),
        args=args,
        query=query,
        event_types=security.EVENT_TYPES,
    )


@bp.get("/security-events.csv")
@permission_required(policy.MANAGE_USERS)
def security_events_csv():
    filters, _ = _event_filters()
    return Response(
        stream_with_context(security.events_csv(db.session, filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="security-events.csv"'},
    )
