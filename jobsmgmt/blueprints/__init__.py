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
    from . import account, admin, auth, dashboard, health, jobs
    from .api import api_bp

    @app.before_request
    def declare_write_intent():
        set_write_intent(request.method not in SAFE_METHODS)

    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["timezone_name"] = lambda: str(_zone())
    csrf.exempt(api_bp)  # the API checks CSRF itself, for cookie-authenticated requests only
    for blueprint in (health.bp, auth.bp, dashboard.bp, jobs.bp, admin.bp, account.bp, api_bp):
        app.register_blueprint(blueprint)
    from . import audit, notifications, status

    for blueprint in (status.bp, audit.bp, notifications.bp):
        app.register_blueprint(blueprint)
    from . import bulk

    app.register_blueprint(bulk.bp)
    from . import analytics

    app.register_blueprint(analytics.bp)
    from . import applications, careers

    for blueprint in (careers.bp, applications.bp):
        app.register_blueprint(blueprint)
