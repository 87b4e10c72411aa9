"""The demo agency created on the first run of the desktop edition."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from . import users

DEMO_ADMIN = "admin@demo.local"
DEMO_PEOPLE = (
    ("recruiter@demo.local", "Riya Recruiter", "recruiter"),
    ("viewer@demo.local", "Victor Viewer", "viewer"),
)


def ensure_demo_agency(session: Session, data_dir: Path | None) -> tuple[str, str] | None:
    """On an empty database, create the demo admin and team (all with one generated password,
    kept in the data directory so it can be printed again). Returns the demo login."""
    login_file = data_dir / "demo-login.txt" if data_dir else None
    has_people = session.scalar(
        select(func.count()).select_from(User).where(User.is_system.is_(False))
    )
    if not has_people:
        password = secrets.token_urlsafe(9)
        users.create_user(session, DEMO_ADMIN, "Ada Admin", "admin", password)
        for email, name, role in DEMO_PEOPLE:
            users.create_user(session, email, name, role, password)
        if login_file:
            login_file.write_text(f"{DEMO_ADMIN}\n{password}\n")
            login_file.chmod(0o600)
        return DEMO_ADMIN, password
    if login_file and login_file.exists():
        email, password = login_file.read_text().split("\n")[:2]
        return email, password
    return None
