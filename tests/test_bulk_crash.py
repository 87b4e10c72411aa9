"""Crash safety on real parts: kill -9 the process running a 50-job bulk operation half way, then
start a new one (and the resume task). Every job ends with exactly one result, no change is
applied twice, history and audit agree, the audit chain verifies.

Hosted: PostgreSQL + Redis + a real ``jobsmgmt worker`` subprocess. Desktop: SQLite + a real
``jobsmgmt serve`` subprocess (the in-process worker), which resumes at start-up."""

from __future__ import annotations

import pytest

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.services import Actor, bulk, scheduled
from tests.bulk_support import (
    assert_nothing_lost_or_doubled,
    free_port,
    kill9,
    operation,
    start,
    stop,
    subprocess_env,
    wait_for,
)
from tests.conftest import app_context, build_app
from tests.factories import Factory

JOBS = 50
DELAY_MS = 150


def _fifty_open_jobs(app) -> tuple[list[str], object]:
    factory = Factory(app)
    owner = factory.user("recruiter")
    ids = [factory.job(status="open", owner=owner, title=f"Job {i}").id for i in range(JOBS)]
    return ids, factory.user("recruiter")


def _progress(op_id: str) -> int:
    return len(operation(op_id).results)


@pytest.fixture
def hosted_app(pg_url, redis_url):
    with app_context(build_app(pg_url, redis_url=redis_url)) as app:
        yield app


def test_kill_9_rq_worker_mid_operation_then_resume(hosted_app, tmp_path):
    app = hosted_app
    ids, initiator = _fifty_open_jobs(app)
    with write_intent():
        op = bulk.start_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(initiator.id)
        )  # enqueued on the real Redis queue
    op_id = op.id
    log = tmp_path / "workers.log"
    first = start(["worker"], subprocess_env(app, BULK_JOB_DELAY_MS=DELAY_MS), log)
    try:
        wait_for(lambda: _progress(op_id) >= 10, 60, "the first worker to make progress", log)
    finally:
        kill9(first)
    done_at_kill = _progress(op_id)
    assert 10 <= done_at_kill < JOBS, "the worker was not killed mid-operation"
    assert operation(op_id).status == "processing"

    second = start(["worker"], subprocess_env(app), log)
    try:
        from jobsmgmt import queue

        queue.enqueue(scheduled.resume_stalled_bulk_operations, "0")  # the scheduled resume task
        wait_for(
            lambda: operation(op_id).status in bulk.FINAL_STATUSES, 120, "the resumed run", log
        )
    finally:
        stop(second)
    assert_nothing_lost_or_doubled(op_id, ids, "closed")


def test_kill_9_desktop_server_mid_operation_resumes_at_start_up(sqlite_app, tmp_path):
    app = sqlite_app
    ids, initiator = _fifty_open_jobs(app)
    with write_intent():
        op = bulk.create_operation(
            db.session, "status_update", {"status": "on_hold"}, ids, Actor(initiator.id)
        )  # queued; its in-process worker died before running it
    db.session.rollback()
    op_id = op.id
    log = tmp_path / "serve.log"
    args = ["serve", "--no-browser", "--port", str(free_port())]
    env = subprocess_env(app, BULK_JOB_DELAY_MS=DELAY_MS, JOBSMGMT_DATA_DIR=tmp_path / "data")
    first = start(args, env, log)
    try:
        wait_for(lambda: _progress(op_id) >= 10, 90, "the desktop worker to make progress", log)
    finally:
        kill9(first)
    done_at_kill = _progress(op_id)
    assert 10 <= done_at_kill < JOBS, "the server was not killed mid-operation"

    args = ["serve", "--no-browser", "--port", str(free_port())]
    second = start(args, subprocess_env(app, JOBSMGMT_DATA_DIR=tmp_path / "data"), log)
    try:
        wait_for(
            lambda: operation(op_id).status in bulk.FINAL_STATUSES, 120, "the resumed run", log
        )
    finally:
        stop(second)
    assert_nothing_lost_or_doubled(op_id, ids, "on_hold")


def test_rerunning_a_finished_or_partly_done_operation_applies_nothing_twice(app):
    """Retry in the same process: a second run of a half-done operation only does the rest."""
    factory = Factory(app)
    ids = [factory.job(status="open").id for _ in range(6)]
    user = factory.user("recruiter")
    with write_intent():
        op = bulk.create_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(user.id)
        )
        op_id = op.id
        actor = Actor(user.id)
        for job_id in ids[:3]:  # a run that died after three jobs
            bulk._process_job(db.session, op_id, job_id, actor)
        assert bulk.run_operation(db.session, op_id) == "completed"
        assert bulk.run_operation(db.session, op_id) == "completed"  # a late duplicate message
    assert_nothing_lost_or_doubled(op_id, ids, "closed")


def test_two_rq_workers_running_the_same_operation_at_once(hosted_app, tmp_path):
    """A duplicate message (a retry or a resume while the first run is alive): two workers run
    the same operation concurrently; the operation row's lock lets each job through once."""
    app = hosted_app
    ids, initiator = _fifty_open_jobs(app)
    with write_intent():
        op = bulk.start_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(initiator.id)
        )
    from jobsmgmt import queue

    queue.enqueue(bulk.run_bulk_operation, op.id)  # the duplicate
    log = tmp_path / "workers.log"
    env = subprocess_env(app, BULK_JOB_DELAY_MS=20)
    workers = [start(["worker"], env, log) for _ in range(2)]
    try:
        wait_for(lambda: operation(op.id).status in bulk.FINAL_STATUSES, 120, "both runs", log)
    finally:
        for worker in workers:
            stop(worker)
    assert_nothing_lost_or_doubled(op.id, ids, "closed")
