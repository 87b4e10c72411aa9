"""Who is asking: browser sessions (Flask-Login) and bearer tokens, both checked by one policy."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, request
from flask_login import current_user

from .extensions import csrf, db, login_manager
from .services import Actor, policy, users
from .services.errors import Unauthorized
from .services.security import EventContext

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        login = users.load_session(db.session, session_id)
        if login is None:
            return None
        user = login.user
        user.login_session_id = login.id
        return user

    @app.context_processor
    def inject_policy():
        return {
            "can": lambda permission: (
                current_user.is_authenticated and policy.can(current_user, permission)
            )
        }


def api_user():
    """The user behind an API request: a bearer token, or the browser session (with CSRF on
    changes). Raises ``Unauthorized`` when there is neither."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the API token as 'Authorization: Bearer <token>'.")
        user = users.user_for_token(db.session, token.strip())
        if user is None:
            raise Unauthorized("The API token is invalid or has been revoked.")
        return user
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return current_user._get_current_object()
    raise Unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")


def actor_for(user) -> Actor:
    return Actor(
        user_id=user.id,
        ip_address=request.remote_addr,
        user_agent=(request.user_agent.string or None) and request.user_agent.string[:500],
    )


def event_context(user=None) -> EventContext:
    """Where this request's security events go: the audit key, the acting user and the
    client's address (after ``TRUSTED_PROXY_HOPS``)."""
    return EventContext(
        key=current_app.config["AUDIT_KEY"].encode(),
        actor_id=getattr(user, "id", None),
        ip_address=request.remote_addr,
        user_agent=(request.user_agent.string or None) and request.user_agent.string[:500],
    )


def permission_required(permission: str):
    """For pages: log in first, then the role must allow ``permission`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not policy.can(current_user, permission):
                abort(403, "Your role does not allow this page or action.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
