"""Test data in one call each (CTFd's ``gen_*`` idea): users, tokens, jobs in any status, built
through the services as the app would; ``set_job`` for states the services refuse on purpose
(a deadline already past, a status reached without its history)."""

from __future__ import annotations

import functools
import uuid

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import Job, utcnow
from jobsmgmt.services import Actor, jobs, users
from jobsmgmt.services.status import change_status

PASSWORD = "correct-horse-battery"
# How a new (draft) job reaches each status through allowed moves.
PATHS = {
    "draft": [],
    "open": ["open"],
    "on_hold": ["open", "on_hold"],
    "closed": ["open", "closed"],
    "archived": ["archived"],
}


def set_job(job_id: str, **fields) -> None:
    """Put a job in a state directly, without the services' rules or history."""
    db.session.rollback()
    with write_intent():
        row = db.session.get(Job, job_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def _writes(method):
    """Factory writes start a fresh write transaction; reads afterwards hold no write lock, so a
    live server in another thread can write (SQLite) while a test inspects data."""

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        db.session.rollback()
        with write_intent():
            result = method(self, *args, **kwargs)
        db.session.rollback()
        return result

    return wrapped


class Factory:
    """Builds users, tokens and jobs through the services, as the app would."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    @_writes
    def user(self, role: str = "recruiter", name: str | None = None, password: str = PASSWORD):
        self.counter += 1
        email = f"{role}{self.counter}-{uuid.uuid4().hex[:6]}@example.com"
        return users.create_user(
            db.session, email, name or f"{role.title()} {self.counter}", role, password
        )

    @_writes
    def token(self, user) -> str:
        return users.create_token(db.session, user.id, "tests")[1]

    def headers(self, role: str = "recruiter") -> dict:
        return {"Authorization": f"Bearer {self.token(self.user(role))}"}

    @_writes
    def job(self, owner=None, status: str = "draft", **fields) -> Job:
        """A job created through the services and moved to ``status`` by its owner, along the
        allowed moves (``PATHS``). A deadline in the past (which the services refuse) is set
        afterwards, as if that time had passed."""
        owner = owner or self.user("recruiter")
        deadline = fields.get("application_deadline")
        if deadline is not None and deadline <= utcnow():
            del fields["application_deadline"]
        else:
            deadline = None
        values = {
            "title": "Backend Engineer",
            "department": "Engineering",
            "location": "Remote",
            **fields,
        }
        created = jobs.create_job(db.session, values, Actor(owner.id, "127.0.0.1", "tests"))
        for step in PATHS[status]:
            change_status(db.session, created.id, step, Actor(owner.id))
        if deadline is not None:
            db.session.get(Job, created.id).application_deadline = deadline
            db.session.commit()
        db.session.rollback()
        return db.session.get(Job, created.id)
