"""One blueprint per area; the JSON API under /api."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, request
from flask_login import current_user

from ..auth import SAFE_METHODS
from ..database import set_write_intent
from ..extensions import csrf


def _zone():
    name = current_user.timezone if current_user.is_authenticated else "UTC"
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def localtime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in the user's time zone."""
    if moment is None:
        return "—"
    return moment.astimezone(_zone()).strftime(fmt)


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
    app.jinja_env.globals["timezone_name"] = lambda: str(_zone())
    csrf.exempt(api_bp)  # the API checks CSRF itself, for cookie-authenticated requests only
    for module in (
        health,
        auth,
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
