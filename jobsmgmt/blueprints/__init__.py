"""One blueprint per area; the JSON API under /api."""

from __future__ import annotations

from flask import Flask, request

from ..auth import SAFE_METHODS
from ..database import set_write_intent
from ..extensions import csrf
from . import labels
from .display import localtime, user_zone


def register_blueprints(app: Flask) -> None:
    from . import (
        account,
        admin,
        analytics,
        applications,
        audit,
        auth,
        bulk,
        careers,
        dashboard,
        health,
        jobs,
        notifications,
        postings,
        setup,
        status,
    )
    from .api import api_bp
    from .path_ids import reject_impossible_ids

    @app.before_request
    def declare_write_intent():
        set_write_intent(request.method not in SAFE_METHODS)

    # Ids in any URL, page or API: one no row can have is a 404 before any query runs.
    app.url_value_preprocessor(reject_impossible_ids)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.globals["is_expired"] = labels.is_expired
    app.jinja_env.globals["show_value"] = labels.show_value
    app.jinja_env.globals["timezone_name"] = lambda: str(user_zone())
    csrf.exempt(api_bp)  # the API checks CSRF itself, for cookie-authenticated requests only
    for module in (
        health,
        auth,
        setup,
        dashboard,
        jobs,
        admin,
        account,
        status,
        audit,
        notifications,
        bulk,
        analytics,
        careers,
        applications,
        postings,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)
