"""Log in and out. A new server-side session on each login; logout revokes it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import login_throttle
from ..auth import event_context
from ..extensions import db, limiter
from ..services import security, users
from .form_checks import storable

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=255), storable])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Log in")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


def _failed_login(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed_login
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    email = users.normalise_email(form.email.data)
    throttle = login_throttle.for_request(email)
    wait = throttle.locked_for()
    if wait:
        flash(f"Too many failed attempts for this account. Try again in {wait} s.", "danger")
        response = make_response(render_template("auth/login.html", form=form), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = users.authenticate(db.session, email, form.password.data)
    if user is None:
        context = event_context()
        details = {"trusted_device": throttle.trusted}
        security.record(db.session, context, "login_failed", email=email, details=details)
        if throttle.failed():
            security.record(db.session, context, "lockout", email=email, details=details)
        flash("Wrong e-mail or password.", "danger")
        return render_template("auth/login.html", form=form), 401
    next_url = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session: nothing from before the login carries over
    login = users.start_session(db.session, user, request.remote_addr, request.user_agent.string)
    security.record(
        db.session,
        event_context(user),
        "login",
        user_id=user.id,
        email=email,
        details={"trusted_device": throttle.trusted},
    )
    user.login_session_id = login.id
    login_user(user)
    flash(f"Welcome, {user.name}.", "success")
    response = redirect(next_url)
    throttle.succeeded(response)
    return response


@bp.post("/logout")
@login_required
def logout():
    users.end_session(db.session, current_user.login_session_id)
    logout_user()
    session.clear()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
