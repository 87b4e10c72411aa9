"""``/admin/users``: admins add users and change roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..auth import permission_required
from ..extensions import db
from ..models import ROLES
from ..services import policy, users
from ..services.errors import DomainError
from .form_checks import storable

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
                db.session, form.email.data, form.name.data, form.role.data, form.password.data
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
        user = users.set_role(db.session, user_id, form.role.data, bool(form.active.data))
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(
            f"{user.email} is now {user.role}{'' if user.is_active else ' (inactive)'}.", "success"
        )
    return redirect(url_for("admin.user_list"))
