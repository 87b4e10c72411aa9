"""The role policy, used by every page and API route."""

from __future__ import annotations

from .errors import Forbidden

READ = "read"
WRITE_JOBS = "write_jobs"
MANAGE_APPLICATIONS = "manage_applications"
BULK = "bulk"
POST_EXTERNAL = "post_external"
VERIFY_AUDIT = "verify_audit"
MANAGE_USERS = "manage_users"

_RECRUITER = {READ, WRITE_JOBS, MANAGE_APPLICATIONS, BULK, POST_EXTERNAL}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(_RECRUITER | {VERIFY_AUDIT, MANAGE_USERS}),
    "recruiter": frozenset(_RECRUITER),
    "viewer": frozenset({READ}),
}


def can(user, permission: str) -> bool:
    if user is None or not user.is_active or user.is_system:
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise Forbidden(
            "Your role does not allow this action.",
            details={"required_permission": permission, "role": getattr(user, "role", None)},
        )
