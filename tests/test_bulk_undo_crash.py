"""Crash safety of an undo on real parts: kill -9 the process running the undo of a 50-job bulk
operation half way, then start a new one. Every job is restored exactly once (one history row
back, one audit entry naming the undo), the undo completes, the audit chain verifies.

Hosted: PostgreSQL + Redis + a real ``jobsmgmt worker``. Desktop: SQLite + a real ``jobsmgmt
serve`` (the in-process worker), which resumes the undo at start-up."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog, JobStatusHistory
from jobsmgmt.services import Actor, audit, bulk, bulk_undo, scheduled
from tests.bulk_support import free_port, kill9, operation, start, stop, subprocess_env, wait_for
from tests.test_bulk_crash import DELAY_MS, JOBS, _fifty_open_jobs, _progress, hosted_app  # noqa: F401


def _finished_hold(app) -> tuple[list[str], str, object]:
    """Fifty open jobs put on hold by a finished bulk operation (run here, in-process)."""
    ids, initiator = _fifty_open_jobs(app)
    with write_intent():
        op = bulk.create_operation(
            db.session, "status_update", {"status": "on_hold"}, ids, Actor(initiator.id)
        )
        assert bulk.run_operation(db.session, op.id) == "completed"
    db.session.rollback()
    return ids, op.id, initiator


def _assert_restored_once(undo_id: str, original_id: str, ids: list[str]) -> None:
    op = operation(undo_id)
    assert op.status == "completed", (op.status, op.results[-3:])
    assert op.undo_of == original_id and op.operation_type == "undo"
    assert Counter(r["job_id"] for r in op.results) == dict.fromkeys(ids, 1)
    assert {r["outcome"] for r in op.results} == {"changed"}
    statuses = set(db.session.scalars(select(Job.status).where(Job.id.in_(ids))))
    assert statuses == {"open"}
    back = Counter(
        db.session.scalars(
            select(JobStatusHistory.job_id).where(
                JobStatusHistory.job_id.in_(ids),
                JobStatusHistory.from_status == "on_hold",
                JobStatusHistory.to_status == "open",
            )
        )
    )
    assert back == dict.fromkeys(ids, 1)
    named = Counter(
        entry.job_id
        for entry in db.session.scalars(select(JobAuditLog).where(JobAuditLog.job_id.in_(ids)))
        if (entry.new_values or {}).get("bulk_operation_id") == undo_id
    )
    assert named == dict.fromkeys(ids, 1)
    assert audit.verify(db.session).valid


def test_kill_9_rq_worker_mid_undo_then_resume(hosted_app, tmp_path):  # noqa: F811
    app = hosted_app
    ids, original_id, initiator = _finished_hold(app)
    with write_intent():
        undo = bulk_undo.start_undo(db.session, original_id, Actor(initiator.id))  # on Redis
    undo_id = undo.id
    log = tmp_path / "workers.log"
    first = start(["worker"], subprocess_env(app, BULK_JOB_DELAY_MS=DELAY_MS), log)
    try:
        wait_for(lambda: _progress(undo_id) >= 10, 60, "the first worker to make progress", log)
    finally:
        kill9(first)
    done_at_kill = _progress(undo_id)
    assert 10 <= done_at_kill < JOBS, "the worker was not killed mid-undo"
    assert operation(undo_id).status == "processing"

    second = start(["worker"], subprocess_env(app), log)
    try:
        from jobsmgmt import queue

        queue.enqueue(scheduled.resume_stalled_bulk_operations, "0")  # the scheduled resume
        wait_for(lambda: operation(undo_id).status in bulk.FINAL_STATUSES, 120, "resume", log)
    finally:
        stop(second)
    _assert_restored_once(undo_id, original_id, ids)


def test_kill_9_desktop_server_mid_undo_resumes_at_start_up(sqlite_app, tmp_path):
    app = sqlite_app
    ids, original_id, initiator = _finished_hold(app)
    with write_intent():
        undo = bulk_undo.create_undo(db.session, original_id, Actor(initiator.id))  # queued
    db.session.rollback()
    undo_id = undo.id
    log = tmp_path / "serve.log"
    data = tmp_path / "data"
    env = subprocess_env(app, BULK_JOB_DELAY_MS=DELAY_MS, JOBSMGMT_DATA_DIR=data)
    first = start(["serve", "--no-browser", "--port", str(free_port())], env, log)
    try:
        wait_for(lambda: _progress(undo_id) >= 10, 90, "the desktop worker to make progress", log)
    finally:
        kill9(first)
    assert 10 <= _progress(undo_id) < JOBS, "the server was not killed mid-undo"

    env = subprocess_env(app, JOBSMGMT_DATA_DIR=data)
    second = start(["serve", "--no-browser", "--port", str(free_port())], env, log)
    try:
        wait_for(lambda: operation(undo_id).status in bulk.FINAL_STATUSES, 120, "resume", log)
    finally:
        stop(second)
    _assert_restored_once(undo_id, original_id, ids)
