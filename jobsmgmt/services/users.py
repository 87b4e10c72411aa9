"""Users, passwords, login sessions and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, ApiToken, User, UserSession, utcnow
from .errors import Conflict, NotFound, ValidationFailed
from .security import EventContext


def _event(session: Session, events: EventContext | None, event_type: str, **fields) -> None:
    """Record a security event in the caller's transaction (when the caller gave a context)."""
    if events is not None:
        from . import security

        security.record(session, events, event_type, commit=False, **fields)


TOKEN_PREFIX = "jm_"  # noqa: S105 - a public marker, not a secret
MIN_PASSWORD_LENGTH = 8
# Checked when the e-mail is unknown, so a wrong e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str | None,
    events: EventContext | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 255:
        raise ValidationFailed(
            "A valid e-mail address is required.", details={"fields": {"email": "invalid"}}
        )
    if role not in ROLES:
        raise ValidationFailed(
            f"Role must be one of {', '.join(ROLES)}.", details={"fields": {"role": "invalid"}}
        )
    if not name or not name.strip():
        raise ValidationFailed("A name is required.", details={"fields": {"name": "required"}})
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.",
            details={"fields": {"password": "too short"}},
        )
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"A user with e-mail {email} already exists.", code="duplicate_user")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=generate_password_hash(password, method="scrypt") if password else None,
    )
    session.add(user)
    session.flush()
    _event(session, events, "user_created", user_id=user.id, email=email, details={"role": role})
    session.commit()
    return user


def set_role(
    session: Session, user_id: str, role: str, active: bool, events: EventContext | None = None
) -> User:
    user = session.get(User, user_id)
    if user is None or user.is_system:
        raise NotFound("User not found.")
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.")
    before = {"role": user.role, "active": user.is_active}
    user.role = role
    user.is_active = active
    if not active:
        revoke_all_sessions(session, user.id)
    after = {"role": role, "active": active}
    if before != after:
        _event(
            session,
            events,
            "role_changed",
            user_id=user.id,
            email=user.email,
            details={"old": before, "new": after},
        )
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash or user.is_system:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def start_session(
    session: Session, user: User, ip: str | None, user_agent: str | None
) -> UserSession:
    login = UserSession(
        user_id=user.id,
        ip_address=(ip or "")[:45] or None,
        user_agent=(user_agent or "")[:500] or None,
    )
    user.last_login_at = utcnow()
    session.add(login)
    session.commit()
    return login


def load_session(session: Session, session_id: str) -> UserSession | None:
    login = session.get(UserSession, session_id)
    if login is None or login.revoked_at is not None or not login.user.is_active:
        return None
    return login


def end_session(session: Session, session_id: str) -> None:
    login = session.get(UserSession, session_id)
    if login is not None and login.revoked_at is None:
        login.revoked_at = utcnow()
        session.commit()


def revoke_all_sessions(session: Session, user_id: str) -> None:
    for login in session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    ):
        login.revoked_at = utcnow()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, user_id: str, name: str = "API token", events: EventContext | None = None
) -> tuple[ApiToken, str]:
    """Returns the row and the token itself, which is shown once and stored only hashed."""
    user = session.get(User, user_id)
    if user is None or user.is_system:
        raise NotFound("User not found.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        name=(name or "API token").strip()[:100] or "API token",
        token_hash=_hash_token(token),
        prefix=token[:10],
    )
    session.add(row)
    session.flush()
    _event(
        session,
        events,
        "token_created",
        user_id=user_id,
        email=user.email,
        details={"token_id": row.id, "name": row.name, "prefix": row.prefix},
    )
    session.commit()
    return row, token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active or row.user.is_system:
        return None
    return row.user


def list_tokens(session: Session, user_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(
    session: Session, user_id: str, token_id: str, events: EventContext | None = None
) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound("Token not found.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        _event(
            session,
            events,
            "token_revoked",
            user_id=user_id,
            email=row.user.email,
            details={"token_id": row.id, "name": row.name, "prefix": row.prefix},
        )
        session.commit()


def list_users(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.is_system.is_(False)).order_by(func.lower(User.name))
        )
    )


def list_owners(session: Session) -> list[User]:
    """Who may own a job: active admins and recruiters (the rule of ``jobs.OWNER_ROLES``)."""
    from .jobs import OWNER_ROLES

    return list(
        session.scalars(
            select(User)
            .where(User.is_system.is_(False), User.is_active.is_(True), User.role.in_(OWNER_ROLES))
            .order_by(func.lower(User.name))
        )
    )


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.is_system:
        raise NotFound(f"No user with e-mail {normalise_email(email)}.")
    return user


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones, sorted (read from disk once per process)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def set_timezone(session: Session, user_id: str, zone: str) -> None:
    if zone not in time_zones():
        raise ValidationFailed(f"Unknown time zone {zone}.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    user.timezone = zone
    session.commit()


def names_by_id(session: Session, user_ids) -> dict[str, str]:
    """Display names of the given users (for pages that show who did something)."""
    ids = {i for i in user_ids if isinstance(i, str)}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def name_of(session: Session, user_id: str | None) -> str | None:
    return names_by_id(session, [user_id]).get(user_id) if user_id else None
