"""The periodic tasks on both databases: auto-close with deadlines in the past (missed runs catch
up), posting expiry, resuming stalled bulk operations, the in-process scheduler, and
``jobsmgmt tasks run NAME``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import (
    SYSTEM_USER_ID,
    BulkOperation,
    Job,
    JobAuditLog,
    JobExternalPosting,
    JobStatusHistory,
)
from jobsmgmt.schedule import SCHEDULE, InProcessScheduler
from jobsmgmt.services import Actor, audit, bulk, scheduled
from tests.factories import Factory

NOW = datetime.now(UTC)


def _history(job_id: str) -> list[JobStatusHistory]:
    return list(
        db.session.scalars(
            select(JobStatusHistory)
            .where(JobStatusHistory.job_id == job_id)
            .order_by(JobStatusHistory.changed_at)
        )
    )


def test_auto_close_catches_up_on_every_past_deadline(app, factory):
    specs = {
        "open_last_week": ("open", NOW - timedelta(days=7)),
        "open_yesterday": ("open", NOW - timedelta(days=1)),
        "on_hold_past": ("on_hold", NOW - timedelta(days=3)),
        "open_future": ("open", NOW + timedelta(days=2)),
        "open_none": ("open", None),
        "draft_past": ("draft", NOW - timedelta(days=2)),
        "closed_past": ("closed", NOW - timedelta(days=5)),
    }
    ids = {
        name: factory.job(status=state, application_deadline=deadline).id
        for name, (state, deadline) in specs.items()
    }
    should_close = {"open_last_week", "open_yesterday", "on_hold_past"}
    with write_intent():
        assert scheduled.auto_close_expired_jobs() == 3
    db.session.rollback()
    for name, job_id in ids.items():
        job = db.session.get(Job, job_id)
        before = specs[name][0]
        assert job.status == ("closed" if name in should_close else before), name
        if name in should_close:
            last = _history(job.id)[-1]
            assert (last.from_status, last.to_status) == (before, "closed")
            assert last.reason == "Application deadline passed"
            assert last.changed_by == SYSTEM_USER_ID
            entry = db.session.scalar(
                select(JobAuditLog).where(
                    JobAuditLog.job_id == job.id, JobAuditLog.seq == job.audit_seq
                )
            )
            assert entry.action_type == "status_change" and entry.user_id == SYSTEM_USER_ID
            assert job.closed_at is not None
    history_rows = db.session.scalar(select(func.count()).select_from(JobStatusHistory))
    # Idempotent: a second run finds nothing to do and writes nothing.
    with write_intent():
        assert scheduled.auto_close_expired_jobs() == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(JobStatusHistory)) == history_rows
    assert audit.verify(db.session).valid


def test_auto_close_through_the_cli(app, runner, factory):
    job_id = factory.job(status="open", application_deadline=NOW - timedelta(hours=1)).id
    result = runner.invoke(args=["tasks", "run", "auto_close_expired_jobs"])
    assert result.exit_code == 0, result.output
    assert "auto_close_expired_jobs: done (1)" in result.output
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "closed"


def test_expire_external_postings(app, factory):
    job_id = factory.job(status="open").id
    rows = {
        "linkedin": ("posted", NOW - timedelta(days=1)),
        "indeed": ("pending", NOW - timedelta(minutes=5)),
        "naukri": ("posted", NOW + timedelta(days=3)),
    }
    other_id = factory.job(status="open").id
    with write_intent():
        for portal, (state, expires) in rows.items():
            db.session.add(
                JobExternalPosting(job_id=job_id, portal=portal, status=state, expires_at=expires)
            )
        db.session.add(
            JobExternalPosting(
                job_id=other_id, portal="linkedin", status="failed", expires_at=NOW - timedelta(1)
            )
        )
        db.session.commit()
    seq_before = db.session.get(Job, job_id).audit_seq
    with write_intent():
        assert scheduled.expire_external_postings() == 2
        assert scheduled.expire_external_postings() == 0  # idempotent
    db.session.rollback()
    states = dict(
        db.session.execute(
            select(JobExternalPosting.portal, JobExternalPosting.status).where(
                JobExternalPosting.job_id == job_id
            )
        ).all()
    )
    assert states == {"linkedin": "expired", "indeed": "expired", "naukri": "posted"}
    failed = db.session.scalar(
        select(JobExternalPosting.status).where(JobExternalPosting.job_id == other_id)
    )
    assert failed == "failed"
    assert db.session.get(Job, job_id).audit_seq == seq_before + 1
    assert audit.verify(db.session).valid


def _operation(user, ids, status, created, results=()):
    op = BulkOperation(
        operation_type="status_update",
        job_ids=ids,
        parameters={"status": "closed"},
        status=status,
        total_count=len(ids),
        success_count=len(results),
        results=list(results),
        initiated_by=user.id,
        created_at=created,
        started_at=created if status != "queued" else None,
    )
    db.session.add(op)
    return op


def test_resume_stalled_bulk_operations(app, factory, monkeypatch):
    now = datetime.now(UTC)  # not the module's NOW: the suite may have run for minutes
    user = factory.user("recruiter")
    ids = [factory.job(status="open").id for _ in range(3)]
    old = now - timedelta(minutes=30)
    recent_result = {
        "job_id": ids[0],
        "outcome": "changed",
        "at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    stale_result = {
        "job_id": ids[0],
        "outcome": "changed",
        "at": old.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    with write_intent():
        stalled_queued = _operation(user, ids, "queued", old)
        stalled_processing = _operation(user, ids, "processing", old, [stale_result])
        busy = _operation(user, ids, "processing", old, [recent_result])
        fresh = _operation(user, ids, "queued", now)
        done = _operation(user, ids, "completed", old)
        db.session.commit()
        names = {
            stalled_queued.id: "stalled_queued",
            stalled_processing.id: "stalled_processing",
            busy.id: "busy",
            fresh.id: "fresh",
            done.id: "done",
        }
    sent = []
    monkeypatch.setattr(
        queue, "enqueue", lambda function, *ids: sent.append((function.__name__, *ids))
    )
    with write_intent():
        resumed = scheduled.resume_stalled_operations(db.session, 5)
    assert sorted(names[i] for i in resumed) == ["stalled_processing", "stalled_queued"]
    assert sorted(sent) == sorted(("run_bulk_operation", i) for i in resumed)
    sent.clear()
    with write_intent():
        everything = scheduled.resume_stalled_operations(db.session, resume_all=True)
    assert sorted(names[i] for i in everything) == [
        "busy",
        "fresh",
        "stalled_processing",
        "stalled_queued",
    ]
    # The resumed run skips the job that already has a result.
    monkeypatch.undo()
    with write_intent():
        assert bulk.run_operation(db.session, stalled_processing.id) == "completed"
    op = db.session.get(BulkOperation, stalled_processing.id)
    assert [r["job_id"] for r in op.results] == ids
    assert db.session.get(Job, ids[0]).status == "open"  # "done" before: not applied again
    assert {db.session.get(Job, i).status for i in ids[1:]} == {"closed"}


def test_in_process_scheduler_runs_every_task_when_due(app, factory):
    job_id = factory.job(status="on_hold", application_deadline=NOW - timedelta(days=2)).id
    scheduler = InProcessScheduler(app, poll_seconds=3600)
    assert scheduler.tasks == SCHEDULE
    scheduler.next_run = {task.name: 0.0 for task in scheduler.tasks}
    started = scheduler.run_due(now=1000.0)
    assert set(started) == {t.name for t in scheduler.tasks}
    assert {"auto_close_expired_jobs", "resume_stalled_bulk_operations"} <= set(started)
    assert queue.in_process_runner(app).join(timeout=60)
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "closed"
    assert scheduler.run_due(now=1001.0) == []  # nothing is due again yet
    resume = next(t for t in scheduler.tasks if t.name == "resume_stalled_bulk_operations")
    same_interval = [t.name for t in scheduler.tasks if t.every_seconds == resume.every_seconds]
    assert resume.name in same_interval
    assert scheduler.run_due(now=1000.0 + resume.every_seconds) == same_interval
    assert queue.in_process_runner(app).join(timeout=60)


def test_resume_by_hand_through_the_cli_finishes_the_operation(sqlite_app):
    """Desktop: `jobsmgmt tasks run resume_stalled_bulk_operations all` runs the resumed
    operations on the command's own in-process worker before it exits."""
    factory = Factory(sqlite_app)
    user = factory.user("recruiter")
    ids = [factory.job(status="open").id for _ in range(3)]
    with write_intent():
        op = bulk.create_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(user.id)
        )
        op_id = op.id
    runner = sqlite_app.test_cli_runner()
    result = runner.invoke(args=["tasks", "run", "resume_stalled_bulk_operations", "all"])
    assert result.exit_code == 0, result.output
    assert "resume_stalled_bulk_operations: done (1)" in result.output
    db.session.rollback()
    op = db.session.get(BulkOperation, op_id)
    assert op.status == "completed" and len(op.results) == 3
