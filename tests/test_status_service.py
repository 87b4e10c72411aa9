"""The status service's public interface, used by pages, the API, bulk operations and the
scheduler: allowed_moves, plan_status_change (pure) and change_status (one transaction)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog, JobStatusHistory, Notification
from jobsmgmt.services import Actor, status
from jobsmgmt.services.errors import InvalidTransition, NotFound, ValidationFailed

NOW = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)


def counts(job_id: str) -> tuple[int, int, int]:
    def n(model):
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.job_id == job_id)
        )

    return n(JobStatusHistory), n(JobAuditLog), n(Notification)


def test_allowed_moves():
    assert status.allowed_moves("draft") == ("open", "archived")
    assert status.allowed_moves("open") == ("on_hold", "closed")
    assert status.allowed_moves("on_hold") == ("open", "closed")
    assert status.allowed_moves("closed") == ("open", "archived")
    assert status.allowed_moves("archived") == ("closed",)
    assert status.allowed_moves("nonsense") == ()


def test_plan_is_pure(app, factory):
    job_id = factory.job().id
    job = db.session.get(Job, job_id)
    plan = status.plan_status_change(job, "open", now=NOW)
    assert plan == {
        "status": {"from": "draft", "to": "open"},
        "published_at": {"from": None, "to": NOW},
    }
    assert status.plan_status_change(job, "draft") == {}
    with pytest.raises(InvalidTransition) as refused:
        status.plan_status_change(job, "closed")
    assert refused.value.details == {"allowed": ["open", "archived"], "current": "draft"}
    with pytest.raises(ValidationFailed):
        status.plan_status_change(job, "published")
    assert job.status == "draft" and job.published_at is None
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"
    assert counts(job_id) == (0, 1, 0)

    job.status, job.published_at, job.closed_at = "closed", NOW, NOW
    reopen = status.plan_status_change(job, "open", now=NOW)
    assert reopen == {
        "status": {"from": "closed", "to": "open"},
        "closed_at": {"from": NOW, "to": None},
    }
    db.session.rollback()


def test_change_without_commit_is_the_callers_transaction(app, factory):
    owner = factory.user("recruiter")
    other = factory.user("recruiter")
    job_id = factory.job(owner=owner).id
    result = status.change_status(
        db.session,
        job_id,
        "open",
        Actor(other.id),
        "go",
        commit=False,
        extra_audit={"bulk_operation_id": "op-1"},
    )
    assert (result.changed, result.previous_status, result.job.status) == (True, "draft", "open")
    db.session.flush()
    assert counts(job_id) == (1, 2, 1)
    db.session.rollback()  # the caller gives up: nothing of it remains
    assert db.session.get(Job, job_id).status == "draft"
    assert counts(job_id) == (0, 1, 0)

    status.change_status(
        db.session, job_id, "open", Actor(other.id), "go", extra_audit={"bulk_operation_id": "op-1"}
    )
    db.session.rollback()
    entry = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job_id, JobAuditLog.seq == 2)
    ).one()
    assert entry.new_values["bulk_operation_id"] == "op-1"
    assert entry.new_values["reason"] == "go"
    assert entry.old_values == {"status": "draft", "published_at": None}
    assert counts(job_id) == (1, 2, 1)


def test_same_status_writes_nothing(app, factory):
    job_id = factory.job().id
    other = factory.user("admin")
    result = status.change_status(db.session, job_id, "draft", Actor(other.id), "noop")
    assert (result.changed, result.previous_status) == (False, "draft")
    assert counts(job_id) == (0, 1, 0)


def test_errors(app, factory):
    job_id = factory.job().id
    actor = Actor(factory.user("recruiter").id)
    with pytest.raises(NotFound):
        status.change_status(db.session, "missing", "open", actor)
    with pytest.raises(ValidationFailed):
        status.change_status(db.session, job_id, "open", actor, "x" * 1001)
    with pytest.raises(ValidationFailed):
        status.change_status(db.session, job_id, "gone", actor)
    with pytest.raises(InvalidTransition):
        status.change_status(db.session, job_id, "on_hold", actor)
    db.session.rollback()
    assert counts(job_id) == (0, 1, 0)
    blank = status.change_status(db.session, job_id, "open", actor, "   ")
    assert blank.changed
    history = db.session.scalars(
        select(JobStatusHistory).where(JobStatusHistory.job_id == job_id)
    ).one()
    assert history.reason is None
