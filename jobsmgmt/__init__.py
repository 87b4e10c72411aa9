"""jobsmgmt: the jobs-management part of an applicant tracking system."""

from __future__ import annotations

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    auth,
    database,  # noqa: F401  (registers the engine events)
    errors,
    logs,
    queue,
)
from .blueprints import register_blueprints
from .cli import register_cli
from .config import Settings, app_version, load_settings, resource_dir
from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def version() -> str:
    """This installation's version (``config.app_version``: the package metadata, which
    PyInstaller copies into the desktop bundle)."""
    return app_version()


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the app from ``settings`` (default: read from the environment once); ``overrides``
    replace single Flask config values (tests, benchmarks)."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    settings = settings or load_settings()
    app.config.update(settings.flask_config())
    app.config.update(overrides)
    logs.configure(
        edition=app.config.get("EDITION", "desktop"),
        level=app.config.get("LOG_LEVEL", "INFO"),
        data_dir=app.config.get("DATA_DIR"),
    )
    if app.config.get("ACCESS_LOG"):
        logs.init_access_log(app)
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:  # only then is X-Forwarded-For believed, and only the last ``hops`` entries
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    auth.init_app(app)
    errors.init_app(app)
    queue.init_app(app)
    register_blueprints(app)
    if app.config.get("PORTAL_SANDBOX"):
        from .portals import sandbox

        sandbox.mount(app)
    register_cli(app)
    _register_headers(app)
    return app


def _register_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.authorization is not None or session.get("_user_id"):
            # An authenticated response is nobody else's: no shared or browser cache keeps it.
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
