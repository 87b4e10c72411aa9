"""One-time form tokens for the forms that create things (post/redirect/get is not enough:
"back" shows the filled-in form again, and submitting it would create a second job).

Each create form carries a random ``form_token``. The first successful submission records, in
the user's session, where the created thing lives; a resubmission of the same token (back +
submit, a reload of the POST) is sent there instead of creating a duplicate. The session is
the signed cookie, so this needs no table. Browsers re-fetch the form on "back" and restore
what was typed but not hidden fields, so ``static/js/app.js`` keeps the sent token for the
tab (sessionStorage) and puts it back; it also disables submit buttons while a form is being
sent, against double clicks.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, request, session
from wtforms import HiddenField

SESSION_KEY = "form_once"
KEEP = 20  # the most recent tokens remembered per session


class FormToken(HiddenField):
    """The hidden ``form_token`` field, filled with a fresh token on GET (``app.js`` puts the
    sent token back when "back" re-fetches the form)."""

    def __init__(self, **kwargs):
        super().__init__(default=lambda: secrets.token_urlsafe(16), **kwargs)


def token_of(form) -> str:
    return (request.form.get("form_token") or "").strip()[:64]


def already_done(token: str):
    """A redirect to what this token already created, or None for a first submission."""
    done = session.get(SESSION_KEY, {}).get(token) if token else None
    if done is None:
        return None
    flash("This form was already submitted; nothing was created twice.", "info")
    return redirect(done)


def remember(token: str, url: str) -> None:
    """Record that ``token`` created the thing at ``url``."""
    if not token:
        return
    done = dict(session.get(SESSION_KEY, {}))
    done[token] = url
    session[SESSION_KEY] = dict(list(done.items())[-KEEP:])
