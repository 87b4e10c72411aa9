"""The one-time setup page of a desktop edition started without the demo (``serve --no-demo``):
it creates the first administrator, then logs them in. It answers only while the installation
has nobody (so no administrator), only in the desktop edition and only to this computer
(127.0.0.1 / ::1); otherwise 404."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..auth import log_in
from ..extensions import db
from ..services import users
from ..services.errors import DomainError
from .form_checks import storable

bp = Blueprint("setup", __name__)
LOCAL_ADDRESSES = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


class FirstAdminForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200), storable])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=255), storable])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=users.MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {users.MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Password again",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Create the administrator")


def setup_open() -> bool:
    return (
        bool(current_app.config.get("SETUP_PAGE"))
        and request.remote_addr in LOCAL_ADDRESSES
        and users.needs_first_admin(db.session)
    )


@bp.route("/setup", methods=["GET", "POST"])
def first_admin():
    if not setup_open():
        abort(404)
    form = FirstAdminForm()
    if form.validate_on_submit():
        try:
            user = users.create_first_admin(
                db.session, form.email.data, form.name.data, form.password.data
            )
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
            return render_template("setup/first_admin.html", form=form), error.status
        log_in(user)
        return redirect(url_for("dashboard.index"))
    return render_template("setup/first_admin.html", form=form)
