"""``/account/tokens``: API tokens for the logged-in user, and their time zone."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..auth import event_context
from ..extensions import db
from ..services import users
from ..services.errors import DomainError
from .form_checks import storable

bp = Blueprint("account", __name__, url_prefix="/account")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", validators=[DataRequired(), Length(max=100), storable], default="API token"
    )
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


class TimezoneForm(FlaskForm):
    timezone = SelectField("Time zone")
    submit = SubmitField("Save time zone")


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _, new_token = users.create_token(
            db.session, current_user.id, form.name.data, events=event_context(current_user)
        )
        flash("Token created. Copy it now: it is not shown again.", "success")
    zone_form = TimezoneForm(formdata=None)
    zone_form.timezone.choices = users.time_zones()
    zone_form.timezone.data = current_user.timezone
    return render_template(
        "account/tokens.html",
        form=form,
        new_token=new_token,
        tokens=users.list_tokens(db.session, current_user.id),
        revoke_form=RevokeForm(),
        zone_form=zone_form,
    )


@bp.post("/tokens/<token_id>/revoke")
@login_required
def revoke(token_id: str):
    if RevokeForm().validate_on_submit():
        try:
            users.revoke_token(
                db.session, current_user.id, token_id, events=event_context(current_user)
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Token revoked.", "success")
    return redirect(url_for("account.tokens"))


@bp.post("/timezone")
@login_required
def timezone():
    form = TimezoneForm()
    form.timezone.choices = users.time_zones()
    if form.validate_on_submit():
        users.set_timezone(db.session, current_user.id, form.timezone.data)
        flash(f"Times are now shown in {form.timezone.data}.", "success")
    else:
        flash("Unknown time zone.", "danger")
    return redirect(url_for("account.tokens"))
